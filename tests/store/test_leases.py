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
