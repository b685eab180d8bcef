"""Abandoned-thread marking and explicit deletion, on both backends."""

from __future__ import annotations

import time

import pytest

from harness.protocol.events import UserMessage
from harness.store.base import ThreadNotFound
from harness.store.gc import abandoned_threads, collect, delete_older_than, mark_abandoned

DAY = 86400.0


def _age(store, thread_id: str, days: float) -> None:
    store._x("UPDATE threads SET updated_at = ? WHERE thread_id = ?",
             (time.time() - days * DAY, thread_id))


def test_threads_awaiting_approval_too_long_are_marked_abandoned(store):
    stale = store.create_thread("/proj", title="stale")
    fresh = store.create_thread("/proj", title="fresh")
    running = store.create_thread("/proj", title="old but running")
    for t in (stale, fresh):
        store.update_thread(t.thread_id, state="awaiting_approval")
    _age(store, stale.thread_id, 8)
    _age(store, fresh.thread_id, 2)
    _age(store, running.thread_id, 30)
    marked = mark_abandoned(store, "7d")
    assert [t.thread_id for t in marked] == [stale.thread_id]
    assert store.get_thread(stale.thread_id).state == "abandoned"
    assert store.get_thread(fresh.thread_id).state == "awaiting_approval"
    assert store.get_thread(running.thread_id).state == "running"
    assert [t.thread_id for t in abandoned_threads(store, "/proj")] == [stale.thread_id]
    assert abandoned_threads(store, "/other") == []
    assert mark_abandoned(store, "1d", now=time.time() + 3 * DAY)[0].thread_id == fresh.thread_id


def test_gc_deletes_nothing_without_an_explicit_age(store):
    t = store.create_thread("/proj")
    store.update_thread(t.thread_id, state="awaiting_approval")
    _age(store, t.thread_id, 400)
    report = collect(store, "7d")
    assert [x.thread_id for x in report.abandoned] == [t.thread_id] and report.deleted == []
    assert store.get_thread(t.thread_id).state == "abandoned"


def test_delete_older_than_removes_only_finished_old_threads_forks_first(store):
    old_done = store.create_thread("/proj")
    store.append(old_done.thread_id, UserMessage(text="x"))
    fork = store.fork(old_done.thread_id)
    young = store.create_thread("/proj")
    old_running = store.create_thread("/proj")
    for t in (old_done, fork, young):
        store.update_thread(t.thread_id, state="done")
    for t in (old_done, fork, old_running):
        _age(store, t.thread_id, 40)
    deleted, kept = delete_older_than(store, "30d")
    assert {t.thread_id for t in deleted} == {old_done.thread_id, fork.thread_id} and kept == []
    for gone in (old_done, fork):
        with pytest.raises(ThreadNotFound):
            store.get_thread(gone.thread_id)
    assert store.get_thread(young.thread_id).state == "done"
    assert store.get_thread(old_running.thread_id).state == "running"


def test_delete_keeps_a_parent_whose_live_fork_shares_its_history(store):
    parent = store.create_thread("/proj")
    fork = store.fork(parent.thread_id)
    store.update_thread(parent.thread_id, state="done")
    _age(store, parent.thread_id, 40)
    deleted, kept = delete_older_than(store, "30d")
    assert deleted == []
    assert kept[0][0].thread_id == parent.thread_id and fork.thread_id in kept[0][1]


def test_an_old_fork_that_never_ran_is_deleted_with_its_parent(store):
    parent = store.create_thread("/proj")
    store.append(parent.thread_id, UserMessage(text="x"))
    fork = store.fork(parent.thread_id)
    assert store.get_thread(fork.thread_id).state == "idle"
    store.update_thread(parent.thread_id, state="done")
    for t in (parent, fork):
        _age(store, t.thread_id, 40)
    deleted, kept = delete_older_than(store, "30d")
    assert {t.thread_id for t in deleted} == {parent.thread_id, fork.thread_id} and kept == []
