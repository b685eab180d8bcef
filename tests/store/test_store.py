"""The shared store suite: every test runs against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import json
import threading
import time

import pytest

from harness.protocol.events import (
    AssistantDelta,
    AssistantMessage,
    ToolResult,
    UnknownEvent,
    UserMessage,
    decode,
    encode,
)
from harness.store.base import Checkpoint, CorruptEvent, StoreError, ThreadNotFound


def _fill(store, thread_id: str, n: int, prefix: str = "m") -> None:
    for i in range(1, n + 1):
        store.append(thread_id, UserMessage(text=f"{prefix}{i}"))


def _texts(store, thread_id: str, **kw) -> list[tuple[str, int, str]]:
    return [(e.thread_id, e.seq, e.decode().text) for e in store.events(thread_id, **kw)]


def test_append_returns_consecutive_seqs_and_events_round_trip(store):
    t = store.create_thread("/proj", model="m1")
    assert store.append(t.thread_id, UserMessage(text="hello")) == 1
    msg = AssistantMessage(content=[{"type": "text", "text": "hi"}], stop_reason="end_turn")
    assert store.append(t.thread_id, msg) == 2
    assert store.append(t.thread_id, ToolResult(call_id="c1", tool="Bash", content="ok")) == 3
    got = list(store.events(t.thread_id))
    assert [(e.seq, e.type) for e in got] == [
        (1, "user_message"), (2, "assistant_message"), (3, "tool_result")
    ]
    assert got[1].decode() == msg
    assert isinstance(got[2].decode(), ToolResult)
    assert store.get_thread(t.thread_id).last_seq == 3


def test_events_window_after_and_upto(store):
    t = store.create_thread("/proj")
    _fill(store, t.thread_id, 6)
    assert [s for _, s, _ in _texts(store, t.thread_id, after_seq=2, upto_seq=4)] == [3, 4]
    assert [s for _, s, _ in _texts(store, t.thread_id, after_seq=6)] == []


def test_unknown_thread_raises_thread_not_found(store):
    with pytest.raises(ThreadNotFound, match="nosuch"):
        store.get_thread("nosuch")
    with pytest.raises(ThreadNotFound):
        store.append("nosuch", UserMessage(text="x"))
    with pytest.raises(ThreadNotFound):
        list(store.events("nosuch"))


def test_stream_only_events_are_refused(store):
    t = store.create_thread("/proj")
    with pytest.raises(ValueError, match="stream-only"):
        store.append(t.thread_id, AssistantDelta(text="partial"))


def test_first_user_message_becomes_the_title(store):
    t = store.create_thread("/proj")
    store.append(t.thread_id, UserMessage(text="fix   the\nflaky test " + "x" * 100))
    store.append(t.thread_id, UserMessage(text="second"))
    title = store.get_thread(t.thread_id).title
    assert title.startswith("fix the flaky test x") and len(title) <= 80


def test_fork_shares_the_prefix_without_copying_rows(store):
    parent = store.create_thread("/proj", title="main")
    _fill(store, parent.thread_id, 5, "p")
    child = store.fork(parent.thread_id, 3)
    assert (child.parent_thread_id, child.parent_seq, child.last_seq) == (parent.thread_id, 3, 3)
    rows = store._x("SELECT COUNT(*) FROM events WHERE thread_id = ?", (child.thread_id,))
    assert rows.fetchone()[0] == 0  # O(1): nothing copied
    assert store.append(child.thread_id, UserMessage(text="c4")) == 4
    assert _texts(store, child.thread_id) == [
        (parent.thread_id, 1, "p1"), (parent.thread_id, 2, "p2"), (parent.thread_id, 3, "p3"),
        (child.thread_id, 4, "c4"),
    ]
    # the parent is untouched and keeps growing on its own
    store.append(parent.thread_id, UserMessage(text="p6"))
    assert [x[2] for x in _texts(store, parent.thread_id)] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert [x[2] for x in _texts(store, child.thread_id)] == ["p1", "p2", "p3", "c4"]


def test_fork_of_a_fork_reads_each_ancestor_segment(store):
    root = store.create_thread("/proj")
    _fill(store, root.thread_id, 4, "r")
    mid = store.fork(root.thread_id, 2)
    _fill(store, mid.thread_id, 3, "m")  # seqs 3, 4, 5
    leaf = store.fork(mid.thread_id, 4)
    store.append(leaf.thread_id, UserMessage(text="l5"))
    assert _texts(store, leaf.thread_id) == [
        (root.thread_id, 1, "r1"), (root.thread_id, 2, "r2"),
        (mid.thread_id, 3, "m1"), (mid.thread_id, 4, "m2"), (leaf.thread_id, 5, "l5"),
    ]
    assert [s for _, s, _ in _texts(store, leaf.thread_id, after_seq=1, upto_seq=3)] == [2, 3]


def test_fork_inside_the_parents_shared_prefix_sees_only_up_to_that_seq(store):
    root = store.create_thread("/proj")
    _fill(store, root.thread_id, 5, "r")
    mid = store.fork(root.thread_id, 4)
    _fill(store, mid.thread_id, 2, "m")  # seqs 5, 6
    early = store.fork(mid.thread_id, 2)  # inside root's part of mid's history
    store.append(early.thread_id, UserMessage(text="e3"))
    assert _texts(store, early.thread_id) == [
        (root.thread_id, 1, "r1"), (root.thread_id, 2, "r2"), (early.thread_id, 3, "e3"),
    ]


def test_fork_defaults_to_the_last_seq_and_rejects_seqs_past_the_end(store):
    t = store.create_thread("/proj")
    _fill(store, t.thread_id, 2)
    assert store.fork(t.thread_id).parent_seq == 2
    with pytest.raises(StoreError, match="seq 9"):
        store.fork(t.thread_id, 9)
    with pytest.raises(ThreadNotFound):
        store.fork("nosuch", 1)


def test_subagent_thread_links_to_parent_but_starts_its_own_log(store):
    main = store.create_thread("/proj")
    _fill(store, main.thread_id, 3)
    sub = store.create_thread("/proj", parent=Checkpoint(main.thread_id, 3), agent="explore",
                              parent_call_id="call_1")
    assert store.append(sub.thread_id, UserMessage(text="handoff")) == 1
    assert _texts(store, sub.thread_id) == [(sub.thread_id, 1, "handoff")]
    assert [c.thread_id for c in store.children(main.thread_id)] == [sub.thread_id]
    assert sub.thread_id not in [t.thread_id for t in store.list_threads("/proj")]
    listed = store.list_threads("/proj", include_children=True)
    assert sub.thread_id in [t.thread_id for t in listed]


def test_list_threads_newest_activity_first_and_last_thread(store):
    a = store.create_thread("/proj", title="a")
    b = store.create_thread("/proj", title="b")
    other = store.create_thread("/elsewhere", title="o")
    time.sleep(0.01)
    store.append(a.thread_id, UserMessage(text="touch a"))
    assert [t.title for t in store.list_threads("/proj")] == ["a", "b"]
    assert store.last_thread("/proj").thread_id == a.thread_id
    assert store.last_thread("/nothing") is None
    assert {t.thread_id for t in store.list_threads()} == {a.thread_id, b.thread_id,
                                                           other.thread_id}
    assert len(store.list_threads(limit=1)) == 1


def test_update_thread_sets_fields_and_rejects_unknown_ones(store):
    t = store.create_thread("/proj")
    store.update_thread(t.thread_id, state="done", num_turns=3, tokens=1200, cost_usd=0.25,
                        title="T", meta={"k": [1]})
    got = store.get_thread(t.thread_id)
    assert (got.state, got.num_turns, got.tokens, got.cost_usd, got.title, got.meta) == (
        "done", 3, 1200, 0.25, "T", {"k": [1]}
    )
    assert got.updated_at >= t.updated_at
    with pytest.raises(StoreError, match="allowed"):
        store.update_thread(t.thread_id, state="sleeping")
    with pytest.raises(StoreError, match="allowed"):
        store.update_thread(t.thread_id, colour="red")
    with pytest.raises(ThreadNotFound):
        store.update_thread("nosuch", state="done")


def test_unknown_future_fields_and_types_survive_a_round_trip(store):
    t = store.create_thread("/proj")
    # A newer harness wrote these; this one reads them leniently and writes them back whole.
    store.append(t.thread_id, decode({"type": "user_message", "text": "hi",
                                      "added_in_v2": {"x": 1}}))
    store.append(t.thread_id, decode({"type": "from_the_future", "v": 9, "payload": [1, 2]}))
    first, second = (e.decode() for e in store.events(t.thread_id))
    assert isinstance(first, UserMessage) and first.text == "hi"
    assert json.loads(encode(first))["added_in_v2"] == {"x": 1}
    assert isinstance(second, UnknownEvent) and second.original_type == "from_the_future"
    assert second.data["payload"] == [1, 2] and second.data["v"] == 9
    assert json.loads(encode(second)) == {"type": "from_the_future", "v": 9, "payload": [1, 2]}


def test_secret_environment_values_never_reach_the_store(store, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-very-secret-123")
    monkeypatch.setenv("DEPLOY_TOKEN", 'tok"with\\quotes42')
    monkeypatch.setenv("DB_PASSWORD_FILE", "hunter2hunter2")
    monkeypatch.setenv("SHORT_TOKEN", "abc")  # too short to redact safely
    t = store.create_thread("/proj")
    text = 'key sk-ant-very-secret-123 tok"with\\quotes42 pw hunter2hunter2 abc'
    store.append(t.thread_id, ToolResult(call_id="c", tool="Bash", content=text))
    (raw,) = [e.raw for e in store.events(t.thread_id)]
    assert "sk-ant-very-secret-123" not in raw and "hunter2hunter2" not in raw
    assert "quotes42" not in raw
    content = json.loads(raw)["content"]
    assert content == ("key [redacted:ANTHROPIC_API_KEY] [redacted:DEPLOY_TOKEN] "
                       "pw [redacted:DB_PASSWORD_FILE] abc")


def test_secrets_are_kept_out_of_titles_and_thread_metadata(store, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_abcdefghijklmnop")
    t = store.create_thread("/proj")
    store.append(t.thread_id, UserMessage(text="push with ghp_abcdefghijklmnop please"))
    assert store.get_thread(t.thread_id).title == "push with [redacted:GITHUB_TOKEN] please"
    secret = "ghp_abcdefghijklmnop"
    store.update_thread(t.thread_id, title=secret, meta={"k": secret})
    got = store.get_thread(t.thread_id)
    assert (got.title, got.meta) == ("[redacted:GITHUB_TOKEN]", {"k": "[redacted:GITHUB_TOKEN]"})


def test_altered_event_raises_corrupt_event_with_thread_and_seq(store):
    bad = store.create_thread("/proj")
    good = store.create_thread("/proj")
    _fill(store, bad.thread_id, 4)
    _fill(store, good.thread_id, 2)
    store._x("UPDATE events SET json = REPLACE(json, 'm3', 'm9') WHERE thread_id = ? AND seq = 3",
             (bad.thread_id,))
    it = store.events(bad.thread_id)
    assert [next(it).seq, next(it).seq] == [1, 2]  # everything before it still reads
    with pytest.raises(CorruptEvent) as info:
        next(it)
    assert (info.value.thread_id, info.value.seq) == (bad.thread_id, 3)
    assert f"thread {bad.thread_id} event seq 3" in str(info.value)
    assert [x[2] for x in _texts(store, good.thread_id)] == ["m1", "m2"]


def test_missing_event_row_is_reported_not_skipped(store):
    t = store.create_thread("/proj")
    _fill(store, t.thread_id, 4)
    store._x("DELETE FROM events WHERE thread_id = ? AND seq = 2", (t.thread_id,))
    with pytest.raises(CorruptEvent, match="seq 2 is corrupt: missing"):
        list(store.events(t.thread_id))
    store._x("DELETE FROM events WHERE thread_id = ? AND seq = 4", (t.thread_id,))
    with pytest.raises(CorruptEvent, match="seq 4"):
        list(store.events(t.thread_id, after_seq=2))


def test_delete_thread_removes_it_and_refuses_while_forks_share_it(store):
    t = store.create_thread("/proj")
    _fill(store, t.thread_id, 3)
    sub = store.create_thread("/proj", parent=Checkpoint(t.thread_id, 1), agent="explore",
                              parent_call_id="c")
    fork = store.fork(t.thread_id, 2)
    with pytest.raises(StoreError, match=fork.thread_id):
        store.delete_thread(t.thread_id)
    store.delete_thread(fork.thread_id)
    store.delete_thread(t.thread_id)
    for gone in (t, fork, sub):
        with pytest.raises(ThreadNotFound):
            store.get_thread(gone.thread_id)
    assert store._x("SELECT COUNT(*) FROM events").fetchone()[0] == 0


def test_a_second_store_on_the_same_database_sees_appends(backend):
    one, two = backend.open(), backend.open()
    t = one.create_thread("/proj")
    _fill(one, t.thread_id, 2)
    assert [x[2] for x in _texts(two, t.thread_id)] == ["m1", "m2"]
    assert two.append(t.thread_id, UserMessage(text="m3")) == 3


def test_concurrent_appends_from_python_threads_keep_seqs_dense(store):
    threads = [store.create_thread("/proj") for _ in range(4)]

    def work(tid: str) -> None:
        _fill(store, tid, 25)

    workers = [threading.Thread(target=work, args=(t.thread_id,)) for t in threads]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for t in threads:
        assert [e.seq for e in store.events(t.thread_id)] == list(range(1, 26))
