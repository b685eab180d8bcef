"""Inline rendering in a real 80-column terminal (tmux, the scripted Messages-API server):
Markdown tables drawn as grids, prose word-wrapped to the width, `!cmd` and `@path` at the
prompt, and `/clear` starting a new conversation as the TUI does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.model.script import text
from tests.ui.inline.test_tmux_e2e import HARNESS, Terminal, _require_tmux, terminal_env

pytestmark = pytest.mark.tmux

WIDTH = 80
PARAGRAPH = (
    "The harness keeps every step of a session in an append-only log, so a quit, crashed "
    "or interrupted session resumes exactly where it stopped, and any earlier step can be "
    "forked into a new thread without copying the history before it."
)
ANSWER = f"""{PARAGRAPH}

- a bullet that is long enough to need a second line when the terminal is eighty columns wide

| Mode | Reads | Writes in project | Shell |
|------|:-----:|-------------------|------:|
| default | allow | ask for each file change, with the diff shown first | ask |
| `plan` | allow | deny | deny |

After the table."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def terminal(project, scripted_server, _isolated_home, tmp_path):
    _require_tmux()
    env = terminal_env(_isolated_home, tmp_path, scripted_server.base_url)
    term = Terminal(env, project, width=WIDTH)
    yield term
    term.close()


def _answer_lines(screen: str) -> list[str]:
    lines = screen.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("The harness keeps"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("After the table."))
    return lines[start:end + 1]


def test_tables_and_wrapped_prose_at_80_columns(terminal, project, scripted_server):
    scripted_server.add(text(ANSWER))
    terminal.run(str(HARNESS), "--inline")
    terminal.wait("/help for commands")
    terminal.keys("explain the modes", enter=True)
    screen = terminal.wait("After the table.")
    lines = _answer_lines(screen)  # -J joins what the terminal wrapped itself
    assert all(len(ln) <= WIDTH for ln in lines), "\n".join(ln for ln in lines if len(ln) > 80)
    # Word-wrapped: every word of the paragraph whole, in order, across the lines.
    prose = lines[: next(i for i, ln in enumerate(lines) if not ln.strip())]
    assert len(prose) >= 3 and " ".join(prose).split() == PARAGRAPH.split()
    bullet = next(i for i, ln in enumerate(lines) if ln.startswith("• a bullet"))
    assert lines[bullet + 1].startswith("  ") and lines[bullet + 1].strip()  # hanging indent
    # The table is a grid with its header, both rows and the cell text wrapped inside it.
    grid = [ln for ln in lines if ln and ln[0] in "┌│├└"]
    assert grid[0].startswith("┌") and grid[-1].startswith("└") and len(grid) >= 7
    assert "Mode" in grid[1] and "Writes in project" in grid[1] and "Shell" in grid[1]
    assert any("default" in ln and "ask for each" in ln for ln in grid)
    assert any("plan" in ln and "deny" in ln for ln in grid)
    assert "`plan`" not in screen and "|------|" not in screen  # Markdown markers are gone
    assert len({len(ln) for ln in grid}) == 1  # every row of the grid lines up


def test_bang_at_path_and_clear_in_a_real_terminal(terminal, project, scripted_server):
    (project / "notes.txt").write_text("remember the milk\n")
    scripted_server.add(text("Noted."), text("Fresh start."))
    terminal.run(str(HARNESS), "--inline")
    terminal.wait("/help for commands")
    terminal.keys("!echo from-the-shell", enter=True)
    terminal.wait("(the model sees this with your next prompt)")
    terminal.keys("read @notes.txt please", enter=True)
    screen = terminal.wait("Noted.")
    assert "📎 attached notes.txt" in screen
    sent = str(scripted_server.message_requests[-1].body["messages"])
    assert "from-the-shell" in sent and "remember the milk" in sent
    terminal.keys("/clear", enter=True)
    terminal.wait("new conversation; the previous thread")
    visible = terminal.tmux("capture-pane", "-p", "-J", "-t", "t")  # the pane, no scrollback
    assert "new conversation; the previous thread" in visible
    assert "from-the-shell" not in visible  # the view is emptied, as in the TUI
    terminal.keys("hello again", enter=True)
    terminal.wait("Fresh start.")
    sent = str(scripted_server.message_requests[-1].body["messages"])
    assert "remember the milk" not in sent and "from-the-shell" not in sent
    terminal.keys("/quit", enter=True)
    assert "EXIT=0" in terminal.wait("EXIT=")
