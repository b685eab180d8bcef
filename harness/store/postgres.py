"""PostgreSQL backend (psycopg 3) for teams that resume a session on another machine.

Same tables and semantics as the SQLite store; psycopg is imported only when this
backend is chosen (`--store postgresql://…` or `sessions.store`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.store.base import StoreError
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
    heartbeat DOUBLE PRECISION NOT NULL
)
"""
# Serialises schema creation when several processes start at once.
_SCHEMA_LOCK_KEY = 0x6861726E  # "harn"


def redact_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


class PostgresStore(SQLStore):
    placeholder = "%s"

    def __init__(self, url: str, *, lease_timeout: float = 60.0) -> None:
        super().__init__(lease_timeout=lease_timeout)
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a declared dependency
            raise StoreError(
                "the PostgreSQL store needs psycopg 3: pip install 'psycopg[binary]>=3.1'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        self.describe = f"PostgreSQL store {redact_url(url)}"
        with self._guard():
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
            with self._transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)

    def _raw_execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self._conn.execute(sql, params)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            yield

    def _lock_row_sql(self) -> str:
        return " FOR UPDATE"

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self._psycopg.OperationalError as exc:
            raise StoreError(
                f"{self.describe} is unreachable or failing ({str(exc).strip()}); check the "
                "server and the URL (--store or sessions.store)"
            ) from None
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.describe}: {str(exc).strip()}") from None

    def _close_connection(self) -> None:
        try:
            self._conn.close()
        except self._psycopg.Error:
            pass
