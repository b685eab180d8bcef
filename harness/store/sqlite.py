"""SQLite backend, the embedded default: one database file under $HARNESS_HOME in WAL mode.

An append is one INSERT plus a one-row UPDATE of the thread, committed together, so a
step costs O(size of the step). One connection, shared between threads under a lock.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.store.base import (
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreIOError,
    StoreLocked,
    ThreadNotFound,
)
from harness.store.sqlbase import SQLStore, _Attempt

# SQLite's primary result codes (extended codes carry them in the low byte).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26

SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    thread_id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'running',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    parent_thread_id TEXT,
    parent_seq INTEGER,
    shares_prefix INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER NOT NULL DEFAULT 0,
    num_turns INTEGER NOT NULL DEFAULT 0,
    tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    model TEXT NOT NULL DEFAULT '',
    agent TEXT NOT NULL DEFAULT '',
    parent_call_id TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS threads_project ON threads (project);
CREATE INDEX IF NOT EXISTS threads_parent ON threads (parent_thread_id);
CREATE TABLE IF NOT EXISTS events (
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    json TEXT NOT NULL,
    crc32 INTEGER NOT NULL,
    PRIMARY KEY (thread_id, seq)
);
CREATE TABLE IF NOT EXISTS snapshots (
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    blob BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (thread_id, seq)
);
CREATE TABLE IF NOT EXISTS leases (
    thread_id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    since REAL NOT NULL,
    heartbeat REAL NOT NULL,
    proc_start TEXT NOT NULL DEFAULT ''
);
"""
# Keeps the thread row (last seq, last activity) in step with its log inside the INSERT
# itself, so an append is a single autocommitted statement.
TRIGGER = """
CREATE TRIGGER IF NOT EXISTS events_advance_thread AFTER INSERT ON events BEGIN
    UPDATE threads SET last_seq = NEW.seq,
        updated_at = (julianday('now') - 2440587.5) * 86400.0
    WHERE thread_id = NEW.thread_id;
END
"""


OPEN_BUSY_WINDOW = 30.0  # seconds an open keeps retrying a busy database


def _busy_retry(step: Callable[[], None], window: float = OPEN_BUSY_WINDOW) -> None:
    """Run `step`, again after a short pause while SQLite says the database is busy.

    The busy timeout does not cover every case: a lock held during another process's WAL
    recovery (after a kill) or its checkpoint on close can fail a statement at once. Seen
    as StoreLocked when many harness processes opened one store while others were killed."""
    deadline, pause = time.monotonic() + window, 0.02
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
            busy = code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in str(exc)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def default_path() -> Path:
    from harness.config.home import harness_home

    return harness_home() / "sessions.db"


class _Guard:
    """Maps sqlite3 errors to StoreError. A plain class, not @contextmanager: it wraps
    every append, and a generator-based manager costs more than the check itself."""

    __slots__ = ("store",)

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, sqlite3.Error):
            raise self.store.store_error(exc) from None


class SQLiteStore(SQLStore):
    trigger_advances_thread = True

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        lease_timeout: float = 60.0,
        reconnect_window: float = 0.0,  # a local file has no connection to lose
    ) -> None:
        super().__init__(lease_timeout=lease_timeout, reconnect_window=reconnect_window)
        self.path = Path(path) if path is not None else default_path()
        self.describe = f"session database {self.path}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._guard():
            self._conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            _busy_retry(self._prepare)
        self.spill_key = f"sqlite:{self.path.resolve()}"
        self.replay_spill()

    def _prepare(self) -> None:
        """WAL mode and the schema, writing only what is missing: every harness process
        opens the store, and a write lock taken on each open contends with the appends of
        the processes already running."""
        conn = self._conn
        if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if self._schema_current():
            return
        with self._transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(TRIGGER)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(leases)")}
            if "proc_start" not in columns:  # a database from before lease identities
                conn.execute("ALTER TABLE leases ADD COLUMN proc_start TEXT NOT NULL DEFAULT ''")

    def _schema_current(self) -> bool:
        names = {row[0] for row in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')")}
        if not {"threads", "threads_project", "threads_parent", "events", "snapshots",
                "leases", "events_advance_thread"} <= names:
            return False
        return "proc_start" in {row[1] for row in self._conn.execute("PRAGMA table_info(leases)")}

    def _raw_execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self._conn.execute(sql, params)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so two processes never interleave
        # a read-then-write (seq allocation, lease checks).
        # BEGIN inside the try: anything raised right after it (an interrupt) must not
        # leave the transaction, and with it the database's write lock, held.
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _guard(self) -> _Guard:
        return _Guard(self)

    def store_error(self, exc: sqlite3.Error) -> StoreError:
        """The user-facing, typed form of a driver error (by SQLite's result code)."""
        text = str(exc)
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        where = self.path.parent
        if code == SQLITE_FULL:
            return StoreFull(
                f"{self.describe}: the disk is full ({text}); free space on {where} "
                "(df -h), then resume the thread"
            )
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or type(exc) is sqlite3.DatabaseError:
            # "file is not a database", "database disk image is malformed"
            return StoreCorrupt(
                f"{self.describe} is corrupt or truncated ({text}); threads in it may be "
                "unreadable. Move the file aside to start a fresh store, or restore a backup."
            )
        if code in (SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN):
            return StoreIOError(
                f"{self.describe}: the disk failed a read or write ({text}); check the disk, "
                f"its mount and the permissions of {where}"
            )
        if code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in text or "busy" in text:
            return StoreLocked(f"{self.describe} is locked by another process ({text}); "
                               "try again")
        return StoreError(f"{self.describe}: {text}")

    def _insert_event(
        self, thread_id: str, etype: str, text: str, crc: int, title: str, attempt: _Attempt
    ) -> int:
        # One statement: an INSERT takes the write lock before it reads the thread row, so
        # the seq it computes cannot race another writer; the trigger advances the thread.
        row = self._conn.execute(
            "INSERT INTO events (thread_id, seq, type, json, crc32) "
            "SELECT thread_id, last_seq + 1, ?, ?, ? FROM threads WHERE thread_id = ? "
            "RETURNING seq",
            (etype, text, crc, thread_id),
        ).fetchall()  # runs the statement to its end, so the autocommit commits now
        if not row:
            raise ThreadNotFound(thread_id)
        if title:  # only a user message can name an untitled thread
            self._conn.execute("UPDATE threads SET title = ? WHERE thread_id = ? AND title = ''",
                               (title, thread_id))
        return int(row[0][0])

    def _read_segment(self, tid: str, lo: int, hi: int) -> list[tuple[Any, ...]]:
        # Read the JSON as bytes so damaged text is reported as a corrupt event (with its
        # thread and seq) instead of failing inside the driver's UTF-8 decoding.
        return self._conn.execute(
            "SELECT seq, type, CAST(json AS BLOB), crc32 FROM events "
            "WHERE thread_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (tid, lo, hi),
        ).fetchall()

    def _close_connection(self) -> None:
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
