"""A throwaway PostgreSQL server for tests (initdb + pg_ctl on a free port, as the
`postgres` user when run as root), which a test may stop and start again mid-run."""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def free_port() -> int:
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


class PgServer:
    """One server: `start()`, `stop()`, `url`, `close()` (stop and delete its files)."""

    def __init__(self) -> None:
        bindir = pg_bindir()
        if bindir is None:
            if os.environ.get("CI") == "true":
                pytest.fail("CI=true but no PostgreSQL binaries (initdb, pg_ctl) on PATH or "
                            "under /usr/lib/postgresql/*/bin; install Debian's `postgresql`")
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found; install `postgresql`")
        self.bindir, self.prefix = bindir, _as_user()
        self.root = Path(tempfile.mkdtemp(prefix="harness-pg-"))
        if self.prefix:
            shutil.chown(self.root, "postgres")
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = free_port()
        init = self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                         "-E", "UTF8", "--no-sync")
        if init.returncode != 0:
            pytest.fail(f"initdb failed: {init.stderr or init.stdout}")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / tool), *args]
        if self.prefix and self.prefix[0] == "su":  # su takes one shell string
            cmd = [" ".join(shlex.quote(c) for c in cmd)]
        return subprocess.run([*self.prefix, *cmd], capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.root} -h 127.0.0.1 -c fsync=off "
                "-c full_page_writes=off")
        start = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts,
                          "-w", "-t", "60", "start")
        if start.returncode != 0:
            text = self.log.read_text() if self.log.exists() else ""
            pytest.fail(f"PostgreSQL did not start: {start.stderr or start.stdout}\n{text}")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast` ends every connection, as a restart or a failover does)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
