"""Leases against both backends, with a real second process holding the lease."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from harness.store.base import LeaseHeld, ThreadNotFound

HOLDER = """
import sys
from harness.store.open import open_store
store = open_store(sys.argv[1])
store.acquire_lease(sys.argv[2])
print("held", flush=True)
sys.stdin.read()  # hold until the test closes our stdin (or kills us)
store.close() if sys.argv[3] == "close" else None
"""


def _holder(url: str, thread_id: str, on_exit: str = "close") -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, thread_id, on_exit],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_second_process_is_refused_with_the_holder_named(backend):
    store = backend.open()
    t = store.create_thread("/proj")
    proc = _holder(backend.url, t.thread_id)
    try:
        with pytest.raises(LeaseHeld) as info:
            store.acquire_lease(t.thread_id)
        holder = info.value.holder
        assert (holder.pid, holder.host) == (proc.pid, socket.gethostname())
        assert time.time() - holder.since < 60
        assert f"pid {proc.pid} on {socket.gethostname()}" in str(info.value)
    finally:
        proc.communicate("", timeout=30)  # the holder closes its store: lease released
    store.acquire_lease(t.thread_id)
    assert store.lease_holder(t.thread_id).pid == os.getpid()


def test_a_dead_holders_lease_is_taken_over(backend):
    store = backend.open()
    t = store.create_thread("/proj")
    proc = _holder(backend.url, t.thread_id, on_exit="crash")
    proc.send_signal(signal.SIGKILL)  # a crash: the lease row stays behind
    proc.wait(timeout=30)
    assert store.lease_holder(t.thread_id).pid == proc.pid
    store.acquire_lease(t.thread_id)
    assert store.lease_holder(t.thread_id).pid == os.getpid()


def test_lease_on_another_host_is_honoured_until_its_heartbeat_goes_stale(backend):
    store = backend.open()
    t = store.create_thread("/proj")
    now = time.time()
    store._x("INSERT INTO leases (thread_id, pid, host, since, heartbeat) VALUES (?, ?, ?, ?, ?)",
             (t.thread_id, 4242, "build-box-7", now - 30, now - 5))
    with pytest.raises(LeaseHeld, match="pid 4242 on build-box-7"):
        store.acquire_lease(t.thread_id)
    store._x("UPDATE leases SET heartbeat = ? WHERE thread_id = ?",
             (now - store.lease_timeout - 1, t.thread_id))
    store.acquire_lease(t.thread_id)
    assert store.lease_holder(t.thread_id).host == socket.gethostname()


def test_lease_is_reentrant_in_one_process_and_released_on_close(backend):
    one = backend.open()
    t = one.create_thread("/proj")
    one.acquire_lease(t.thread_id)
    one.acquire_lease(t.thread_id)
    one.close()
    two = backend.open()
    assert two.lease_holder(t.thread_id) is None
    with pytest.raises(ThreadNotFound):
        two.acquire_lease("nosuch")


def test_heartbeat_keeps_a_held_lease_fresh(backend):
    store = backend.open()
    store.lease_timeout = 0.2  # beats every 0.05 s
    t = store.create_thread("/proj")
    store.acquire_lease(t.thread_id)
    with store._lock:
        first = store._x("SELECT heartbeat FROM leases WHERE thread_id = ?",
                         (t.thread_id,)).fetchone()[0]
    deadline = time.time() + 10
    while time.time() < deadline:
        time.sleep(0.05)
        with store._lock:
            beat = store._x("SELECT heartbeat FROM leases WHERE thread_id = ?",
                            (t.thread_id,)).fetchone()[0]
        if beat > first:
            break
    assert beat > first


def _record_lease(store, thread_id: str, pid: int, identity: str) -> None:
    now = time.time()
    store._x("INSERT INTO leases (thread_id, pid, host, since, heartbeat, proc_start) "
             "VALUES (?, ?, ?, ?, ?, ?)",
             (thread_id, pid, socket.gethostname(), now - 5, now, identity))


@pytest.fixture
def other_process():
    """A real, live second process (not a harness): its pid is what a reused pid looks like."""
    proc = subprocess.Popen(["sleep", "600"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_a_live_pid_recorded_with_a_wrong_start_time_does_not_hold_the_thread(
    backend, other_process
):
    from harness.store.leases import process_identity

    store = backend.open()
    t = store.create_thread("/proj")
    boot, _, ticks = process_identity(other_process.pid).partition(":")
    assert ticks  # the process runs and /proc tells its start time
    _record_lease(store, t.thread_id, other_process.pid, f"{boot}:{int(ticks) + 1}")
    store.acquire_lease(t.thread_id)  # the pid was reused: taken over
    holder = store.lease_holder(t.thread_id)
    assert holder.pid == os.getpid() and other_process.poll() is None


def test_a_live_pid_with_its_own_start_time_still_holds_the_thread(backend, other_process):
    from harness.store.leases import process_identity

    store = backend.open()
    t = store.create_thread("/proj")
    _record_lease(store, t.thread_id, other_process.pid, process_identity(other_process.pid))
    with pytest.raises(LeaseHeld, match=f"pid {other_process.pid}"):
        store.acquire_lease(t.thread_id)


def test_a_lease_from_before_a_reboot_is_taken_over(backend, other_process):
    from harness.store.leases import process_identity

    store = backend.open()
    t = store.create_thread("/proj")
    _, _, ticks = process_identity(other_process.pid).partition(":")
    _record_lease(store, t.thread_id, other_process.pid, f"another-boot-id:{ticks}")
    store.acquire_lease(t.thread_id)
    assert store.lease_holder(t.thread_id).pid == os.getpid()


def test_a_lease_row_without_an_identity_is_held_only_by_a_harness_process(
    backend, other_process
):
    store = backend.open()
    t = store.create_thread("/proj")
    _record_lease(store, t.thread_id, other_process.pid, "")  # `sleep` is not a harness
    store.acquire_lease(t.thread_id)
    assert store.lease_holder(t.thread_id).pid == os.getpid()
    store.release_lease(t.thread_id)
    holder = _holder(backend.url, t.thread_id)  # a real harness store process
    try:
        store._x("UPDATE leases SET proc_start = '' WHERE thread_id = ?", (t.thread_id,))
        with pytest.raises(LeaseHeld):
            store.acquire_lease(t.thread_id)
    finally:
        holder.communicate("", timeout=30)


def test_my_own_pid_recorded_by_an_earlier_process_is_taken_over_with_my_identity(backend):
    from harness.store.leases import process_identity

    store = backend.open()
    t = store.create_thread("/proj")
    _record_lease(store, t.thread_id, os.getpid(), "old-boot:1")
    store.acquire_lease(t.thread_id)
    with store._lock:
        identity = store._x("SELECT proc_start FROM leases WHERE thread_id = ?",
                            (t.thread_id,)).fetchone()[0]
    assert identity == process_identity(os.getpid())


def test_an_old_sqlite_database_gains_the_identity_column(tmp_path):
    import sqlite3

    from harness.store.sqlite import SQLiteStore

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE leases (thread_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, "
                "host TEXT NOT NULL, since REAL NOT NULL, heartbeat REAL NOT NULL)")
    raw.close()
    store = SQLiteStore(path)
    t = store.create_thread("/proj")
    store.acquire_lease(t.thread_id)
    assert store.lease_holder(t.thread_id).pid == os.getpid()
    store.close()
