"""A command's processes end with harness: a real harness process is SIGKILLed while its
Bash call runs `sleep`, and that exact sleep process must be gone (under bubblewrap through
--die-with-parent and the PID namespace; on the Landlock fallback through the supervisor's
PR_SET_PDEATHSIG)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.model.script import text, tool
from harness.permissions import sandbox_exec
from harness.permissions.sandbox import sandbox_status
from tests.agent.helpers import make_project

STATUS = sandbox_status()
MARK = "4321.5"  # a sleep length no other process uses


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            out += [int(p) for p in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
    except OSError:
        pass
    return out


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has ended; only its exit status is left)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("mechanism", ["bubblewrap", "landlock"])
def test_killing_harness_ends_the_running_command(scripted_server, tmp_path, mechanism):
    if mechanism == "bubblewrap" and STATUS.mechanism != "bubblewrap":
        pytest.skip(f"bubblewrap does not work here: {STATUS.detail}")
    if mechanism == "landlock" and sandbox_exec.abi_version() < 1:
        pytest.skip("no Landlock in this kernel")
    project = make_project(tmp_path)
    scripted_server.add(tool("Bash", {"command": f"echo started; sleep {MARK}; echo never"}),
                        text("never reached"))
    env = dict(os.environ, HARNESS_SANDBOX_MECHANISM=mechanism)
    harness = subprocess.Popen(
        [sys.executable, "-m", "harness", "-p", "sleep", "--cwd", str(project),
         "--permission-mode", "bypassPermissions"],
        cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    sleepers: list[int] = []

    def sleep_started() -> bool:
        sleepers[:] = [p for p in _descendants(harness.pid) if _cmdline(p)[:2] == ["sleep", MARK]]
        return bool(sleepers) or harness.poll() is not None

    try:
        _wait(sleep_started, 60, "the Bash call's sleep to start")
        assert harness.poll() is None, "harness ended before its command ran"
        (sleeper,) = sleepers
        harness.send_signal(signal.SIGKILL)  # one pid: the harness process itself
        harness.wait(10)
        _wait(lambda: not _running(sleeper), 10, f"sleep (pid {sleeper}) to end with harness")
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.wait(10)
