"""Housekeeping: threads left awaiting approval too long become `abandoned`; deleting old
threads happens only when asked for with an explicit age."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harness.config.schema import parse_duration
from harness.store.base import Store, StoreError, Thread

DEFAULT_ABANDON_AFTER = "7d"
# States a thread can be deleted in: finished ones. Running or waiting threads never are.
DELETABLE_STATES = ("abandoned", "done", "failed", "cancelled", "idle")  # idle: a fork never run
_SCAN_LIMIT = 1_000_000


@dataclass
class GcReport:
    abandoned: list[Thread] = field(default_factory=list)
    deleted: list[Thread] = field(default_factory=list)
    kept: list[tuple[Thread, str]] = field(default_factory=list)  # (thread, why not deleted)


def mark_abandoned(
    store: Store,
    abandon_after: str = DEFAULT_ABANDON_AFTER,
    *,
    project: str | None = None,
    now: float | None = None,
) -> list[Thread]:
    """Mark threads awaiting approval for longer than `abandon_after` as abandoned."""
    cutoff = (time.time() if now is None else now) - parse_duration(abandon_after)
    marked: list[Thread] = []
    for thread in store.list_threads(project, limit=_SCAN_LIMIT, include_children=True):
        if thread.state == "awaiting_approval" and thread.updated_at < cutoff:
            store.update_thread(thread.thread_id, state="abandoned")
            marked.append(store.get_thread(thread.thread_id))
    return marked


def delete_older_than(
    store: Store, age: str, *, project: str | None = None, now: float | None = None
) -> tuple[list[Thread], list[tuple[Thread, str]]]:
    """Delete finished or abandoned top-level threads idle for longer than `age`, newest
    forks first so that a parent is deleted after the forks sharing its history."""
    cutoff = (time.time() if now is None else now) - parse_duration(age)
    candidates = [
        t for t in store.list_threads(project, limit=_SCAN_LIMIT)
        if t.state in DELETABLE_STATES and t.updated_at < cutoff
    ]
    candidates.sort(key=lambda t: t.created_at, reverse=True)
    deleted: list[Thread] = []
    kept: list[tuple[Thread, str]] = []
    for thread in candidates:
        try:
            store.delete_thread(thread.thread_id)
        except StoreError as exc:
            kept.append((thread, str(exc)))
        else:
            deleted.append(thread)
    return deleted, kept


def collect(
    store: Store,
    abandon_after: str = DEFAULT_ABANDON_AFTER,
    *,
    delete_older_than_age: str | None = None,
    project: str | None = None,
    now: float | None = None,
) -> GcReport:
    report = GcReport(abandoned=mark_abandoned(store, abandon_after, project=project, now=now))
    if delete_older_than_age:
        report.deleted, report.kept = delete_older_than(
            store, delete_older_than_age, project=project, now=now
        )
    return report


def abandoned_threads(store: Store, project: str) -> list[Thread]:
    """Threads of this project marked abandoned: front-ends show them at start-up."""
    return [t for t in store.list_threads(project, limit=_SCAN_LIMIT) if t.state == "abandoned"]
