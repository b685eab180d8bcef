"""Pick the store backend from a URL: '' → SQLite under $HARNESS_HOME, 'sqlite:PATH',
or 'postgresql://…' (psycopg is imported only then)."""

from __future__ import annotations

from pathlib import Path

from harness.store.base import Store, StoreError

ALLOWED = "'' (SQLite under $HARNESS_HOME), 'sqlite:PATH' or 'postgresql://user@host/db'"


def open_store(url: str | None = None, *, reconnect_window: float | None = None) -> Store:
    """The store `url` names; a URL of no known form raises StoreError saying what is allowed.
    `reconnect_window` (seconds, PostgreSQL only; default 30) bounds how long a lost
    connection is retried before the store gives up with StoreUnavailable."""
    url = (url or "").strip()
    if not url:
        from harness.store.sqlite import SQLiteStore

        return SQLiteStore()
    if url.startswith("sqlite:"):
        from harness.store.sqlite import SQLiteStore

        path = url[len("sqlite:"):]
        if path.startswith("//"):  # sqlite:///abs/path
            path = path[2:]
        if not path:
            raise StoreError(f"store URL {url!r} names no file; use 'sqlite:PATH'")
        return SQLiteStore(Path(path).expanduser())
    if url.startswith(("postgresql://", "postgres://")):
        from harness.store.postgres import PostgresStore

        if reconnect_window is None:
            return PostgresStore(url)
        return PostgresStore(url, reconnect_window=reconnect_window)
    raise StoreError(f"unknown store URL {url!r}; use {ALLOWED}")
