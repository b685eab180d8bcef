"""Rendering: colour policy (NO_COLOR, dumb terminals, pipes), streamed Markdown, diffs,
and the one-line tool calls of the transcript."""

from __future__ import annotations

import io
import re

from harness.protocol.events import (
    AssistantDelta,
    AssistantMessage,
    ErrorEvent,
    PermissionDecision,
    Result,
    Retrying,
    ToolCallEvent,
    ToolResult,
    UserMessage,
)
from harness.ui.describe import describe_call
from harness.ui.inline.render import (
    MarkdownStream,
    color_enabled,
    highlight_diff,
    render_markdown,
)
from harness.ui.inline.transcript import Transcript

DIFF = "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-x = 1\n+x = 2\n y = 3\n"
MARKDOWN = "# Plan\n\n- read `app.py`\n- **fix** it\n\n```python\ndef f():\n    return 1\n```\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _session_events():
    return [
        UserMessage(text="fix it"),
        AssistantDelta(text=MARKDOWN[:17]),
        AssistantDelta(text=MARKDOWN[17:]),
        AssistantMessage(content=[{"type": "text", "text": MARKDOWN}]),
        ToolCallEvent(call_id="c1", tool="Edit", input={"file_path": "app.py"}),
        PermissionDecision(call_id="c1", outcome="allow", source="human", scope="once"),
        ToolResult(call_id="c1", tool="Edit", content="edited", metadata={"diff": DIFF}),
        ToolCallEvent(call_id="c2", tool="Bash", input={"command": "pytest -q"}),
        ToolResult(call_id="c2", tool="Bash", content="1 passed\n", metadata={"exit_code": 0}),
        ErrorEvent(message="overloaded", kind="model"),
        Result(status="failed", result="model unreachable"),
    ]


def test_no_color_env_wins_over_a_terminal_and_force_color():
    assert not color_enabled(_Tty(), {"NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "xterm"})


def test_dumb_terminal_and_pipes_get_no_color():
    assert not color_enabled(_Tty(), {"TERM": "dumb"})
    assert not color_enabled(io.StringIO(), {"TERM": "xterm-256color"})
    assert color_enabled(_Tty(), {"TERM": "xterm-256color"})


def test_transcript_without_color_has_no_escape_codes():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    for e in _session_events():
        t(e, 1)
    t.replay([(i, e) for i, e in enumerate(_session_events(), 1)])
    text = "".join(out)
    assert "\x1b" not in text
    assert "+x = 2" in text and "def f():" in text and "● Edit(app.py)" in text


def test_transcript_with_color_highlights_diff_and_code():
    out: list[str] = []
    t = Transcript(out.append, color=True)
    for e in _session_events():
        t(e, 1)
    text = "".join(out)
    assert "\x1b[" in text
    assert "\x1b[" in highlight_diff(DIFF, color=True)
    assert highlight_diff(DIFF, color=False) == DIFF
    # The Python block was highlighted as a whole: `def` carries its own colour.
    colored = render_markdown(MARKDOWN, color=True)
    assert "def" in colored and colored.count("\x1b[") > 4


def test_stream_emits_complete_lines_only():
    out: list[str] = []
    md = MarkdownStream(out.append, color=False)
    md.feed("Hel")
    assert out == []
    md.feed("lo\nwor")
    assert out == ["Hello\n"]
    md.finish()
    assert out == ["Hello\n", "wor\n"]


def test_code_fence_is_held_until_it_closes():
    out: list[str] = []
    md = MarkdownStream(out.append, color=True)
    md.feed("```python\nx = 1\n")
    assert out == []
    md.feed("```\n")
    assert any("x" in line for line in out)


def test_streamed_text_is_not_printed_twice():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    t(AssistantDelta(text="Hello there\n"), 1)
    t(AssistantMessage(content=[{"type": "text", "text": "Hello there\n"}]), 2)
    assert "".join(out).count("Hello there") == 1


def test_retry_discards_partial_text_and_says_so():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    t(AssistantDelta(text="first line\nhalf a li"), 1)
    t(Retrying(attempt=1, delay=2.0, reason="529 overloaded"), 1)
    t(AssistantDelta(text="Fresh answer"), 1)
    t(AssistantMessage(content=[{"type": "text", "text": "Fresh answer"}]), 2)
    text = "".join(out)
    assert "half a li" not in text
    assert "retry 1" in text and "discarded" in text and "Fresh answer" in text


def test_tool_calls_are_one_line_with_a_result_summary():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    t(ToolCallEvent(call_id="c", tool="Bash", input={"command": "ls -la\nmore"}), 1)
    t(ToolResult(call_id="c", tool="Bash", content="a\nb\nc\nd\n", metadata={"exit_code": 2}), 2)
    assert out == [
        "● Bash(ls -la more)\n",
        "  ⎿ exit 2 · 4 lines of output\n",
        "    a\n    b\n    c\n    … +1 lines\n",  # the gist of the output, not all of it
    ]
    out.clear()
    t(ToolResult(call_id="r", tool="Read", content="x = 1", metadata={}), 3)
    assert out == ["  ⎿ 1 line\n"]


def test_describe_call_truncates_long_inputs():
    line = describe_call("Bash", {"command": "x" * 500}, width=40)
    assert len(line) <= 40 and line.endswith("…)")
    assert describe_call("TodoWrite", {"todos": [{}, {}]}) == "TodoWrite(2 items)"


def test_todos_render_with_status_marks():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    todos = [
        {"content": "read", "status": "completed"},
        {"content": "fix", "status": "in_progress", "activeForm": "fixing"},
        {"content": "test", "status": "pending"},
    ]
    t(ToolResult(call_id="c", tool="TodoWrite", content="ok", metadata={"todos": todos}), 1)
    assert "☑ read" in "".join(out) and "◐ fixing" in "".join(out) and "☐ test" in "".join(out)


def test_thinking_is_one_line_unless_asked_for():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    t(AssistantDelta(text="let me see", kind="thinking"), 1)
    t(AssistantDelta(text=" more", kind="thinking"), 1)
    t(AssistantDelta(text="Answer.\n"), 1)
    assert out == ["✻ thinking…\n", "Answer.\n"]
    shown: list[str] = []
    t2 = Transcript(shown.append, color=False, show_thinking=True)
    t2(AssistantDelta(text="let me see", kind="thinking"), 1)
    assert "let me see" in "".join(shown)


def test_replay_of_a_long_thread_starts_at_its_last_events():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    history = [(i, UserMessage(text=f"prompt {i}")) for i in range(1, 11)]
    t.replay(history, limit=3)
    text = "".join(out)
    assert "7 earlier events" in text
    assert "prompt 8" in text and "prompt 10" in text and "prompt 7" not in text


def test_errors_and_denials_by_rule_are_shown():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    t(PermissionDecision(call_id="c", outcome="deny", source="rule", reason="Bash(curl:*) denied"),
      1)
    t(ErrorEvent(message="model unreachable after 6 retries", kind="model"), 2)
    text = "".join(out)
    assert "denied (rule): Bash(curl:*) denied" in text
    assert "✗ model error: model unreachable after 6 retries" in text


TABLE = "| Tool | Kind |\n|---|---:|\n| `Read` | read |\n| **Bash** | shell |\n"


def test_a_table_is_drawn_as_a_grid_that_fits_the_width():
    for color in (False, True):
        out = render_markdown("Before.\n\n" + TABLE + "\nAfter.", color=color,
                              width=lambda: 40)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
        lines = plain.splitlines()
        grid = [ln for ln in lines if ln and ln[0] in "┌│├└"]
        assert len(grid) == 6 and all(len(ln) <= 40 for ln in grid)
        assert "Tool" in grid[1] and "Read" in grid[3] and "Bash" in grid[4]
        assert "`" not in plain and "**" not in plain and "---" not in plain
        assert lines[0] == "Before." and lines[-1] == "After."
        assert ("\x1b[" in out) is color


def test_a_table_streamed_in_pieces_is_drawn_once_it_ends():
    out: list[str] = []
    md = MarkdownStream(out.append, color=False, width=lambda: 60)
    for piece in [TABLE[:9], TABLE[9:30], TABLE[30:]]:
        md.feed(piece)
    assert out == []  # the rows are held: a table's column widths need every row
    md.feed("done\n")
    assert out[0].startswith("┌") and out[-1] == "done\n"


def test_pipes_that_are_not_a_table_stay_text():
    out = render_markdown("| just a line with pipes |\nnext", color=False, width=lambda: 80)
    assert out == "| just a line with pipes |\nnext\n"


def test_prose_wraps_at_words_and_list_items_hang():
    long = "word " * 30
    out = render_markdown(f"{long}\n- {long}\n12. {long}\n    code stays {long}",
                          color=False, width=lambda: 50)
    lines = out.splitlines()
    assert all(len(ln) <= 50 for ln in lines if not ln.startswith("    code"))
    assert all(set(ln.split()) <= {"word", "-", "12.", "code", "stays"} for ln in lines)
    bullet = lines.index(next(ln for ln in lines if ln.startswith("- ")))
    assert lines[bullet + 1].startswith("  word")
    numbered = lines.index(next(ln for ln in lines if ln.startswith("12. ")))
    assert lines[numbered + 1].startswith("    word")
    assert lines[-1].startswith("    code stays") and len(lines[-1]) > 50  # code: not wrapped


def test_transcript_streams_wrapped_to_its_width_and_notes_wrap_too():
    out: list[str] = []
    t = Transcript(out.append, color=False, width=30)
    t(AssistantDelta(text="alpha beta gamma delta epsilon zeta eta theta\n"))
    t.note("one two three four five six seven eight nine ten")
    assert all(len(ln) <= 30 for ln in "".join(out).splitlines())
    words = "alpha beta gamma delta epsilon zeta eta theta one two three four five six seven"
    assert "".join(out).split() == [*words.split(), "eight", "nine", "ten"]


def test_a_shell_command_and_attachments_replay_in_the_transcript():
    from harness.protocol.events import Attachment, UserShell

    out: list[str] = []
    t = Transcript(out.append, color=False)
    t.replay([
        (1, UserShell(command="git status", output="clean\n\nExit code 1", exit_code=1,
                      is_error=True)),
        (2, UserMessage(text="fix it", attachments=[Attachment(path="a.py", content="x")])),
    ])
    text = "".join(out)
    assert "! git status\n  ⎿ clean\n" in text and "Exit code 1" in text
    assert "> fix it\n  📎 a.py\n" in text
    assert "(the model sees this" not in text  # said live only


def test_a_failed_result_does_not_repeat_the_error_line_above_it():
    out: list[str] = []
    t = Transcript(out.append, color=False)
    message = "ANTHROPIC_API_KEY is not set; export it, or try `harness --demo`"
    t(ErrorEvent(message=message, kind="model"), 3)
    t(Result(status="failed", result=message, is_error=True), 4)
    t(Result(status="failed", result="another failure", is_error=True), 5)
    text = "".join(out)
    assert text.count("ANTHROPIC_API_KEY is not set") == 1
    assert "■ failed: another failure" in text
