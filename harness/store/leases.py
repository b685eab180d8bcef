"""Leases: at most one process drives a thread. A lease row names its holder (pid, host,
since, and the process's identity: boot id + start time) and carries a heartbeat. On this
host a holder is alive only if its pid runs *and* is the same process (a pid reused by
another program, or one from before a reboot, does not hold the thread); a holder on
another host is alive while its heartbeat is younger than `lease_timeout`."""

from __future__ import annotations

import os
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.store.base import LeaseHeld, LeaseHolder, StoreError, StoreFailure
from harness.store.reconnect import reconnecting


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def process_identity(pid: int) -> str:
    """`BOOT_ID:START_TICKS` of a running process (Linux: /proc/<pid>/stat field 22, the
    start time in clock ticks since boot); '' where /proc cannot tell (then pid alone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return ""
    # Field 2 (the command name) may hold spaces and parentheses: count from its end.
    fields = stat[stat.rfind(b")") + 2:].split()
    if len(fields) < 20:
        return ""
    return f"{_boot_id()}:{fields[19].decode()}"  # fields[0] is field 3 (state)


def runs_harness(pid: int) -> bool:
    """Whether the process's command line mentions harness ('' from /proc: assume it does)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # cannot tell: keep honouring the lease
    return not cmdline or b"harness" in cmdline


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class LeaseMixin:
    """Lease methods of SQLStore; relies on its connection helpers declared below."""

    lease_timeout: float
    _host: str
    _held: set[str]
    _lock: Any
    _closed: bool
    _heartbeat: threading.Thread | None
    _heartbeat_stop: threading.Event
    _spilled_threads: dict[str, str]

    if TYPE_CHECKING:  # provided by SQLStore; declared here for the type checker only
        def _x(self, sql: str, params: tuple[Any, ...] = ()) -> Any: ...
        def _row(self, thread_id: str) -> tuple[Any, ...]: ...
        def _guard(self) -> AbstractContextManager[None]: ...
        def _transaction(self) -> AbstractContextManager[None]: ...
        def _lock_row_sql(self) -> str: ...

    # --- leases --------------------------------------------------------------------

    def _stale(self, pid: int, host: str, heartbeat: float, identity: str) -> bool:
        if host == self._host:
            if not pid_alive(pid):
                return True
            # The pid runs, but is it still the holder? A row written before identities
            # were recorded ('') can only name a harness: any other program has the pid now.
            if identity:
                return identity != process_identity(pid)
            return not runs_harness(pid)
        return time.time() - heartbeat > self.lease_timeout

    @reconnecting
    def acquire_lease(self, thread_id: str) -> None:
        spilled = self._spilled_threads.get(thread_id)
        if spilled:  # going on would write a history without the steps kept there
            raise StoreFailure(
                f"thread {thread_id} has steps in {spilled} that the store could not take "
                "yet; fix the store (free space, repair or restore it) and try again"
            )
        me, now = os.getpid(), time.time()
        mine = process_identity(me)
        with self._lock, self._guard():
            self._row(thread_id)
            with self._transaction():
                cur = self._x(
                    "INSERT INTO leases (thread_id, pid, host, since, heartbeat, proc_start) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING",
                    (thread_id, me, self._host, now, now, mine),
                )
                if cur.rowcount != 1:
                    pid, host, since, beat, identity = self._x(
                        "SELECT pid, host, since, heartbeat, proc_start FROM leases "
                        "WHERE thread_id = ?" + self._lock_row_sql(),
                        (thread_id,),
                    ).fetchone()
                    if (pid, host) == (me, self._host) and identity in ("", mine):
                        self._x("UPDATE leases SET heartbeat = ? WHERE thread_id = ?",
                                (now, thread_id))
                    elif (pid, host) == (me, self._host) or self._stale(pid, host, beat,
                                                                          identity):
                        self._x(
                            "UPDATE leases SET pid = ?, host = ?, since = ?, heartbeat = ?, "
                            "proc_start = ? WHERE thread_id = ?",
                            (me, self._host, now, now, mine, thread_id),
                        )
                    else:
                        raise LeaseHeld(thread_id, LeaseHolder(pid=pid, host=host, since=since))
            self._held.add(thread_id)
            self._start_heartbeat()

    @reconnecting
    def release_lease(self, thread_id: str) -> None:
        with self._lock, self._guard(), self._transaction():
            self._x("DELETE FROM leases WHERE thread_id = ? AND pid = ? AND host = ?",
                    (thread_id, os.getpid(), self._host))
            self._held.discard(thread_id)

    @reconnecting
    def lease_holder(self, thread_id: str) -> LeaseHolder | None:
        with self._lock, self._guard():
            row = self._x("SELECT pid, host, since FROM leases WHERE thread_id = ?",
                          (thread_id,)).fetchone()
        return LeaseHolder(pid=row[0], host=row[1], since=row[2]) if row else None

    def _start_heartbeat(self) -> None:
        if self._heartbeat is None or not self._heartbeat.is_alive():
            self._heartbeat = threading.Thread(
                target=self._beat, name="harness-lease-heartbeat", daemon=True
            )
            self._heartbeat.start()

    def _beat(self) -> None:
        # Another host judges our lease stale only after lease_timeout without a beat.
        interval = max(self.lease_timeout / 4, 0.05)
        while not self._heartbeat_stop.wait(interval):
            with self._lock:
                held = sorted(self._held)
                if not held or self._closed:
                    continue
                try:
                    with self._guard(), self._transaction():
                        for tid in held:
                            self._x(
                                "UPDATE leases SET heartbeat = ? "
                                "WHERE thread_id = ? AND pid = ? AND host = ?",
                                (time.time(), tid, os.getpid(), self._host),
                            )
                except StoreError:
                    pass  # a busy database skips one beat; the next one retries
