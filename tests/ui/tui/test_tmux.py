"""End to end in a real terminal: tmux runs the `harness` console script against the
scripted Messages-API server; keys go in with send-keys, the screen comes back with
capture-pane."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.model.script import text, tool

HARNESS = Path(sys.executable).parent / "harness"
pytestmark = pytest.mark.tmux

if shutil.which("tmux") is None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError("tmux is required on CI (.ci/run installs it) but is not installed")
    pytestmark = [pytest.mark.tmux, pytest.mark.skip(reason="tmux is not installed")]


class Terminal:
    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.socket = f"harness-test-{os.getpid()}-{time.monotonic_ns()}"
        self.cwd, self.env = cwd, env

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10).stdout

    def start(self, command: str) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        self.tmux("new-session", "-d", "-x", "100", "-y", "30", "-c", str(self.cwd),
                  f"env {exports} {command}; echo EXITED=$?; sleep 30")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "0")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "0", *keys)

    def wait_for(self, fragment: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if fragment in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{fragment!r} never appeared; the screen was:\n{self.screen()}")

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(project, scripted_server):
    env = {k: os.environ[k] for k in ("HARNESS_HOME", "XDG_CONFIG_HOME", "ANTHROPIC_BASE_URL",
                                      "ANTHROPIC_API_KEY", "PATH", "HOME") if k in os.environ}
    env["TERM"] = "xterm-256color"
    term = Terminal(project, env)
    yield term
    term.close()


def test_harness_in_a_real_terminal_reads_asks_and_quits(terminal, project, scripted_server):
    scripted_server.add(
        tool("Read", {"file_path": "src/app.py"}, say="Looking at it."),
        text("It prints **hi**."),
        tool("Write", {"file_path": "notes.txt", "content": "hello\n"}),
        text("Wrote the notes."),
    )
    terminal.start(str(HARNESS))
    terminal.wait_for("Ask anything")
    terminal.keys("what does app.py do?", "Enter")
    screen = terminal.wait_for("It prints hi.")
    assert "Read src/app.py" in screen and "what does app.py do?" in screen
    terminal.keys("write notes", "Enter")
    screen = terminal.wait_for("approve:")
    assert "Write wants to write notes.txt" in screen and "+hello" in screen
    terminal.keys("Enter")  # focus is safe: nothing is approved
    terminal.wait_for("press a key shown below")
    assert not (project / "notes.txt").exists()
    terminal.keys("y")
    terminal.wait_for("Wrote the notes.")
    assert (project / "notes.txt").read_text() == "hello\n"
    terminal.keys("BTab")
    terminal.wait_for("acceptEdits")
    terminal.keys("C-c")
    terminal.wait_for("Ctrl+C again")
    terminal.keys("C-c")
    terminal.wait_for("EXITED=0")


def test_leaving_with_a_call_pending_prints_how_to_come_back_and_exits_0(
        terminal, project, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "later.txt", "content": "x\n"}))
    terminal.start(str(HARNESS))
    terminal.wait_for("Ask anything")
    terminal.keys("write later", "Enter")
    terminal.wait_for("approve:")
    terminal.keys("C-c")
    terminal.wait_for("Ctrl+C again")
    terminal.keys("C-c")
    terminal.wait_for("EXITED=")
    from harness.store.open import open_store

    store = open_store(None)
    try:
        (thread,) = store.list_threads(str(project.resolve()))
    finally:
        store.close()
    screen = terminal.tmux("capture-pane", "-p", "-J", "-t", "0")  # -J: wrapped lines joined
    assert "EXITED=0" in screen  # a normal quit, even with a decision pending
    assert f"thread {thread.thread_id} saved · cost $" in screen
    assert f"resume it: harness --resume {thread.thread_id}" in screen
    assert "a call is waiting for your approval: Write(later.txt)" in screen
    assert f"harness resume {thread.thread_id} --approve --call" in screen
    assert not (project / "later.txt").exists()


def test_keys_typed_while_harness_starts_are_kept_and_enter_sends_them(
        terminal, project, scripted_server):
    scripted_server.add(text("Heard you early."))
    terminal.start(str(HARNESS))
    early = "Ask anything" not in terminal.screen()
    terminal.keys("typed before the first frame", "Enter")  # harness is still importing
    assert early, "the app drew its first frame before the keys were sent"
    screen = terminal.wait_for("Heard you early.")
    assert "typed before the first frame" in screen
    sent = scripted_server.message_requests[-1].body["messages"]
    assert "typed before the first frame" in json.dumps(sent)
    terminal.keys("C-c")
    terminal.wait_for("Ctrl+C again")
    terminal.keys("C-c")
    terminal.wait_for("EXITED=0")


def test_quit_at_a_dialog_resume_and_approve_draws_the_call_once(
        terminal, project, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "later.txt", "content": "x\n"}),
                        text("Wrote it after the resume."))
    terminal.start(f"{HARNESS}; echo FIRST=$?; read go; {HARNESS} --resume")
    terminal.wait_for("Ask anything")
    terminal.keys("write later", "Enter")
    terminal.wait_for("approve:")
    terminal.keys("C-c")
    terminal.wait_for("Ctrl+C again")
    terminal.keys("C-c")
    terminal.wait_for("FIRST=0")
    terminal.keys("Enter")  # now the second harness, resumed: the same dialog
    terminal.wait_for("approve:")
    terminal.keys("y")
    screen = terminal.wait_for("Wrote it after the resume.")
    assert screen.count("Write later.txt") == 1, screen
    assert screen.count("Write") == 1 and "✓ Write later.txt" in screen, screen
    assert (project / "later.txt").read_text() == "x\n"
    terminal.keys("C-c")
    terminal.wait_for("Ctrl+C again")
    terminal.keys("C-c")
    terminal.wait_for("EXITED=0")
