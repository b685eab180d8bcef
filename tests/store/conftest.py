"""Backends for the shared store suite: SQLite in a temp file and a real PostgreSQL server
started here (initdb + pg_ctl on a free port, as the `postgres` user when run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.store.sqlbase import SQLStore


def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_user() -> list[str]:
    """Prefix that runs a command as a non-root user: PostgreSQL refuses to run as root."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"]
    return ["su", "postgres", "-s", "/bin/sh", "-c"]  # pragma: no cover - runuser is usual


def _run(prefix: list[str], cmd: list[str]) -> subprocess.CompletedProcess[str]:
    if prefix and prefix[0] == "su":  # su takes one shell string
        import shlex

        cmd = [" ".join(shlex.quote(c) for c in cmd)]
    return subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A base URL of a throwaway PostgreSQL server, stopped after the session."""
    bindir = _pg_bindir()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no PostgreSQL binaries (initdb, pg_ctl) on PATH or under "
                        "/usr/lib/postgresql/*/bin; install Debian's `postgresql` package")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found; install `postgresql`")
    prefix = _as_user()
    root = Path(tempfile.mkdtemp(prefix="harness-pg-"))
    if prefix:
        shutil.chown(root, "postgres")
    data, log = root / "data", root / "server.log"
    port = _free_port()
    init = _run(prefix, [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A",
                         "trust", "-E", "UTF8", "--no-sync"])
    if init.returncode != 0:
        pytest.fail(f"initdb failed: {init.stderr or init.stdout}")
    opts = f"-p {port} -k {root} -h 127.0.0.1 -c fsync=off -c full_page_writes=off"
    start = _run(prefix, [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts,
                          "-w", "-t", "60", "start"])
    if start.returncode != 0:
        text = log.read_text() if log.exists() else ""
        pytest.fail(f"PostgreSQL did not start: {start.stderr or start.stdout}\n{text}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run(prefix, [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


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
