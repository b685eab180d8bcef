"""Crash semantics: what a killed process appended stays, and a log ending between
tool_started and tool_result reads back exactly so (the agent reports "outcome unknown")."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from harness.store.base import StoreError
from harness.store.open import open_store

WRITER = """
import sys, time
from harness.protocol.events import ToolCallEvent, ToolStarted, UserMessage
from harness.store.open import open_store
store = open_store(sys.argv[1])
tid = sys.argv[2]
store.acquire_lease(tid)
store.append(tid, UserMessage(text="run the migration"))
store.append(tid, ToolCallEvent(call_id="c1", tool="Bash", input={"command": "make migrate"}))
store.append(tid, ToolStarted(call_id="c1", tool="Bash", input={"command": "make migrate"}))
print("started", flush=True)
time.sleep(600)  # the "tool" runs; the test kills us here
"""


def test_a_killed_writer_leaves_its_log_ending_at_tool_started(backend):
    store = backend.open()
    t = store.create_thread("/proj")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, backend.url, t.thread_id],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    fresh = backend.open()
    events = list(fresh.events(t.thread_id))
    assert [e.type for e in events] == ["user_message", "tool_call", "tool_started"]
    assert events[-1].decode().call_id == "c1"
    fresh.acquire_lease(t.thread_id)  # the dead writer's lease is taken over


def test_unreachable_postgres_is_a_store_error_without_the_password():
    with pytest.raises(StoreError) as info:
        open_store("postgresql://harness:s3cretpw@127.0.0.1:1/harness?connect_timeout=3")
    text = str(info.value)
    assert "unreachable" in text and "127.0.0.1:1" in text and "s3cretpw" not in text
