"""End to end in a real terminal: tmux runs `harness --inline` against the scripted
Messages-API server; keys go in with send-keys, the screen is read with capture-pane.

Covers a write approval, a reject with feedback, quitting at a permission prompt (exit 3)
and `harness --inline --resume` bringing the same prompt back.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from harness.model.script import text, tool

pytestmark = pytest.mark.tmux

HARNESS = Path(sys.executable).parent / "harness"


def _require_tmux() -> None:
    if shutil.which("tmux"):
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("tmux is required on CI for the inline end-to-end test (apt install tmux)")
    pytest.skip("tmux is not installed (CI installs it)")


class Terminal:
    """A private tmux server (own socket, no user config) holding one 100×40 pane (or
    `width` columns)."""

    def __init__(self, env: dict[str, str], cwd: Path, *, width: int = 100) -> None:
        self.socket = f"harness-inline-{uuid.uuid4().hex[:8]}"
        self.env, self.cwd, self.width = env, cwd, width
        self.started = False

    def tmux(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                             capture_output=True, text=True, timeout=10, check=False)
        return out.stdout

    def run(self, *argv: str) -> None:
        """Start argv in a fresh window; its exit code is printed as EXIT=N afterwards."""
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        cmd = (f"cd {shlex.quote(str(self.cwd))} && env {assigns} "
               f"{' '.join(shlex.quote(a) for a in argv)}; echo EXIT=$?; sleep 120")
        if self.started:
            self.tmux("kill-session", "-t", "t")
        self.tmux("new-session", "-d", "-s", "t", "-x", str(self.width), "-y", "40", cmd)
        self.started = True

    def screen(self, *, escapes: bool = False) -> str:
        flags = ["-e"] if escapes else []
        return self.tmux("capture-pane", "-p", "-J", *flags, "-S", "-300", "-t", "t")

    def line_with(self, fragment: str) -> str:
        """The screen line holding `fragment`, with its colour escape codes."""
        return next(ln for ln in self.screen(escapes=True).splitlines() if fragment in ln)

    def wait(self, fragment: str, count: int = 1, timeout: float = 60.0) -> str:
        """Poll the screen under a generous wall-clock bound: a loaded machine is slow."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if screen.count(fragment) >= count:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{fragment!r} (x{count}) never appeared:\n{screen}")
            time.sleep(0.1)

    def keys(self, literal: str, *, enter: bool = False) -> None:
        self.tmux("send-keys", "-t", "t", "-l", literal)
        if enter:
            self.tmux("send-keys", "-t", "t", "Enter")

    def close(self) -> None:
        path = self.tmux("display-message", "-p", "#{socket_path}").strip()
        self.tmux("kill-server")
        if path:  # tmux leaves its socket file behind
            Path(path).unlink(missing_ok=True)


def terminal_env(home: Path, tmp_path: Path, base_url: str) -> dict[str, str]:
    """A clean environment for harness in tmux: its own home, the scripted server, colour."""
    return {
        "HARNESS_HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "test-key-not-real",
        "TERM": "xterm-256color",
        "HOME": str(tmp_path),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "README.md").write_text("# demo\n")
    return root


@pytest.fixture
def terminal(project, scripted_server, _isolated_home, tmp_path):
    _require_tmux()
    term = Terminal(terminal_env(_isolated_home, tmp_path, scripted_server.base_url), project)
    yield term
    term.close()


def test_approve_reject_quit_and_resume_in_a_real_terminal(terminal, project, scripted_server):
    scripted_server.add(
        tool("Write", {"file_path": "notes.txt", "content": "hello\n"}, say="Creating notes."),
        text("Created notes.txt."),
        tool("Bash", {"command": "rm README.md"}),
        text("Understood, keeping the readme."),
        tool("Write", {"file_path": "later.txt", "content": "x\n"}),
        text("Wrote later.txt after the resume."),
    )
    terminal.run(str(HARNESS), "--inline")
    terminal.wait("/help for commands")

    # 1. A write, approved once with `y`.
    terminal.keys("create notes", enter=True)
    screen = terminal.wait("y yes once")
    assert "Write(notes.txt)" in screen and "+hello" in screen
    assert "\x1b[" in terminal.line_with("+hello")  # a colour terminal gets a coloured diff
    terminal.keys("y")
    terminal.wait("Created notes.txt.")
    assert (project / "notes.txt").read_text() == "hello\n"

    # 2. A command, rejected with feedback that goes back to the model.
    terminal.keys("delete the readme", enter=True)
    screen = terminal.wait("y yes once")
    assert "rm README.md" in screen and "irreversible" in screen
    terminal.keys("n")
    terminal.wait("feedback for the model")
    terminal.keys("no, keep it", enter=True)
    terminal.wait("Understood, keeping the readme.")
    assert (project / "README.md").exists()
    assert "no, keep it" in str(scripted_server.message_requests[-1].body["messages"])

    # 3. Quit at a permission prompt: the ask stays pending, exit code 3.
    terminal.keys("write later", enter=True)
    terminal.wait("y yes once")
    terminal.keys("q")
    screen = terminal.wait("EXIT=")
    assert "EXIT=3" in screen and "left pending" in screen
    # leaving says, as the TUI does, which thread, how to come back and how to answer
    assert "resume it: harness --inline --resume " in screen
    assert "a call is waiting for your approval: Write(later.txt)" in screen
    assert "--approve --call " in screen
    assert not (project / "later.txt").exists()
    requests_before = len(scripted_server.message_requests)

    # 4. `--resume` shows the same prompt again; approving finishes the run. With NO_COLOR
    # the transcript carries no colour codes.
    terminal.env["NO_COLOR"] = "1"
    terminal.run(str(HARNESS), "--inline", "--resume")
    screen = terminal.wait("y yes once")
    assert "Write(later.txt)" in screen
    assert "\x1b[" not in terminal.line_with("+x")
    assert "> create notes" in screen  # the thread so far is replayed above
    assert len(scripted_server.message_requests) == requests_before  # no model call to re-ask
    terminal.keys("y")
    terminal.wait("Wrote later.txt after the resume.")
    terminal.keys("/quit", enter=True)
    assert "EXIT=0" in terminal.wait("EXIT=")
    assert (project / "later.txt").read_text() == "x\n"
    assert scripted_server.remaining == 0
