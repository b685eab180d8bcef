"""Backends for the shared store suite: SQLite in a temp file and a real PostgreSQL server
started here (initdb + pg_ctl on a free port, as the `postgres` user when run as root)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from harness.store.sqlbase import SQLStore
from tests.support.pg import PgServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A base URL of a throwaway PostgreSQL server, stopped after the session."""
    server = PgServer()
    try:
        yield server.url
    finally:
        server.close()


@dataclass
class Backend:
    name: str
    url: str  # what open_store / --store accepts
    open: Callable[[], SQLStore]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path) -> Iterator[Backend]:
    from harness.store.open import open_store

    if request.param == "sqlite":
        url = f"sqlite:{tmp_path / 'sessions.db'}"
    else:
        base = request.getfixturevalue("pg_server")
        schema = f"t_{uuid.uuid4().hex[:10]}"
        import psycopg

        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        url = f"{base}?options=-csearch_path%3D{schema}"
    opened: list[SQLStore] = []

    def _open() -> SQLStore:
        store = open_store(url)
        opened.append(store)  # type: ignore[arg-type]
        return store  # type: ignore[return-value]

    yield Backend(request.param, url, _open)
    for store in opened:
        store.close()


@pytest.fixture
def store(backend: Backend) -> SQLStore:
    return backend.open()
