"""PostgreSQL backend (psycopg 3) for teams that resume a session on another machine.

Same tables and semantics as the SQLite store; psycopg is imported only when this
backend is chosen (`--store postgresql://…` or `sessions.store`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.store.base import (
    StoreConnectionLost,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreIOError,
    one_line,
)
from harness.store.secrets import redact_url_passwords
from harness.store.sqlbase import SQLStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    thread_id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'running',
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    parent_thread_id TEXT,
    parent_seq BIGINT,
    shares_prefix INTEGER NOT NULL DEFAULT 0,
    last_seq BIGINT NOT NULL DEFAULT 0,
    num_turns BIGINT NOT NULL DEFAULT 0,
    tokens BIGINT NOT NULL DEFAULT 0,
    cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
    model TEXT NOT NULL DEFAULT '',
    agent TEXT NOT NULL DEFAULT '',
    parent_call_id TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS threads_project ON threads (project);
CREATE INDEX IF NOT EXISTS threads_parent ON threads (parent_thread_id);
CREATE TABLE IF NOT EXISTS events (
    thread_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    json TEXT NOT NULL,
    crc32 BIGINT NOT NULL,
    PRIMARY KEY (thread_id, seq)
);
CREATE TABLE IF NOT EXISTS snapshots (
    thread_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    blob BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (thread_id, seq)
);
CREATE TABLE IF NOT EXISTS leases (
    thread_id TEXT PRIMARY KEY,
    pid BIGINT NOT NULL,
    host TEXT NOT NULL,
    since DOUBLE PRECISION NOT NULL,
    heartbeat DOUBLE PRECISION NOT NULL,
    proc_start TEXT NOT NULL DEFAULT ''
);
ALTER TABLE leases ADD COLUMN IF NOT EXISTS proc_start TEXT NOT NULL DEFAULT ''
"""
# Serialises schema creation when several processes start at once.
_SCHEMA_LOCK_KEY = 0x6861726E  # "harn"
DEFAULT_RECONNECT_WINDOW = 30.0  # seconds; sessions.reconnect_window
# SQLSTATEs that mean the server went away or is restarting: reconnect and retry.
_CONNECTION_STATES = ("57P01", "57P02", "57P03")  # admin / crash shutdown, starting up


def redact_url(url: str) -> str:
    """The URL without its password, for messages (the shared rule of secrets.py)."""
    return redact_url_passwords(url)


class PostgresStore(SQLStore):
    placeholder = "%s"

    def __init__(
        self,
        url: str,
        *,
        lease_timeout: float = 60.0,
        reconnect_window: float = DEFAULT_RECONNECT_WINDOW,
    ) -> None:
        super().__init__(lease_timeout=lease_timeout, reconnect_window=reconnect_window)
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a declared dependency
            raise StoreError(
                "the PostgreSQL store needs psycopg 3: pip install 'psycopg[binary]>=3.1'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        self.describe = f"PostgreSQL store {redact_url(url)}"
        self.spill_key = redact_url(url)
        self._conn: Any = None
        with self._guard():  # unreachable at start: an error at once, no waiting
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
            with self._transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
        self.replay_spill()

    def _raw_execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self._conn.execute(sql, params)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            yield

    def _lock_row_sql(self) -> str:
        return " FOR UPDATE"

    def _reconnect(self, timeout: float) -> None:
        with self._lock:
            self._close_connection()
            with self._guard():
                self._conn = self._psycopg.connect(
                    self.url, autocommit=True, connect_timeout=max(1, int(timeout))
                )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self._psycopg.Error as exc:
            raise self.store_error(exc) from None

    def _connection_gone(self, exc: Exception) -> bool:
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            return True
        state = getattr(exc, "sqlstate", None)
        if isinstance(exc, self._psycopg.OperationalError):
            return state is None or state.startswith("08") or state in _CONNECTION_STATES
        return False

    def store_error(self, exc: Exception) -> StoreError:
        """The user-facing, typed form of a driver error (by SQLSTATE, then connection)."""
        text = one_line(str(exc))
        state = getattr(exc, "sqlstate", None) or ""
        if state == "53100":  # disk_full
            return StoreFull(f"{self.describe}: the server's disk is full ({text}); free "
                             "space on the database server, then resume the thread")
        if state in ("XX001", "XX002"):  # data_corrupted, index_corrupted
            return StoreCorrupt(f"{self.describe}: the server reports corrupt data ({text}); "
                                "ask its administrator to check and restore it")
        if state == "58030":  # io_error
            return StoreIOError(f"{self.describe}: the server failed a disk read or write "
                                f"({text}); check the database server's disk")
        if self._connection_gone(exc):
            return StoreConnectionLost(
                f"{self.describe} is unreachable or failing ({text}); check the server and "
                "the URL (--store or sessions.store)"
            )
        return StoreError(f"{self.describe}: {text}")

    def _close_connection(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.close()
        except self._psycopg.Error:
            pass
