"""Opening the SQLite store while other harness processes use it: an open of a current
database takes no write lock, and a busy database is retried rather than failed at once."""

from __future__ import annotations

import sqlite3
import time

import pytest

from harness.store import sqlite as sqlite_store
from harness.store.sqlite import SQLiteStore


def test_opening_a_current_store_needs_no_write_lock(tmp_path):
    path = tmp_path / "sessions.db"
    SQLiteStore(path).close()
    writer = sqlite3.connect(str(path), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process mid-append holds the write lock
    try:
        started = time.monotonic()
        store = SQLiteStore(path)
        assert time.monotonic() - started < 5  # not the 10 s busy timeout, nor a failure
        assert store.list_threads("/nowhere") == []  # reads go on beside the writer
        store.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_busy_database_is_retried_then_given_up_after_the_window(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _s: None)
    calls = []

    def busy_twice():
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")

    sqlite_store._busy_retry(busy_twice)
    assert len(calls) == 3

    def always_busy():
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(sqlite3.OperationalError):
        sqlite_store._busy_retry(always_busy, window=0.0)

    def broken():
        calls.append(1)
        raise sqlite3.OperationalError("no such table: x")

    calls.clear()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        sqlite_store._busy_retry(broken)
    assert len(calls) == 1  # not a busy database: no retry
