"""Turns the agent's event stream into lines in the scrollback: streamed assistant text,
one line per tool call with a result summary, highlighted diffs, todos, errors.

It is the inline front-end's `sink`; it holds only what it needs to lay out lines (the
stream in progress, the tool names by call id), never agent state.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import Any, assert_never

from harness.protocol.events import Event
from harness.ui.describe import describe_call, summarize_result
from harness.ui.inline.render import (
    MarkdownStream,
    Palette,
    highlight_diff,
    render_markdown,
    truncate,
)
from harness.ui.user_input import shell_lines

Write = Callable[[str], None]

_TODO_MARK = {"completed": "☑", "in_progress": "◐", "pending": "☐"}


class Transcript:
    """The event sink. `write` receives finished text (lines ending in newline)."""

    def __init__(
        self,
        write: Write,
        *,
        color: bool,
        width: int | None = 100,
        show_thinking: bool = False,
    ) -> None:
        self.write = write
        self.color = color
        self._width = width  # None: follow the terminal as it is resized
        self.show_thinking = show_thinking
        self.p = Palette(color)
        self._md: MarkdownStream | None = None
        self._thinking_shown = False
        self._tools: dict[str, str] = {}
        self.replaying = False
        self.results_seen = 0  # lets the app tell whether a run's outcome was already shown
        self._last_error = ""  # a failed result repeating it is not printed twice
        # Calls whose diff the permission prompt showed and the human answered: their
        # result needs no second copy of the diff (or of the rejection).
        self.previewed: set[str] = set()

    @property
    def width(self) -> int:
        if self._width is not None:
            return self._width
        return shutil.get_terminal_size((100, 24)).columns

    # --- the sink ---------------------------------------------------------------------

    def __call__(self, event: Event, seq: int = 0) -> None:
        match event.type:
            case "user_message":
                self._on_user_message(event)
            case "user_shell":
                self._on_user_shell(event)
            case "assistant_delta":
                self._on_assistant_delta(event)
            case "retrying":
                self._on_retrying(event)
            case "assistant_message":
                self._on_assistant_message(event)
            case "tool_call":
                self._on_tool_call(event)
            case "permission_decision":
                self._on_permission_decision(event)
            case "tool_progress":
                self._on_tool_progress(event)
            case "tool_result":
                self._on_tool_result(event)
            case "compaction":
                self._on_compaction(event)
            case "mode_changed":
                self._on_mode_changed(event)
            case "error":
                self._on_error(event)
            case "interrupted":
                self._on_interrupted(event)
            case "subagent_started":
                self._on_subagent_started(event)
            case "subagent_finished":
                self._on_subagent_finished(event)
            case "result":
                self._on_result(event)
            case ("session_started" | "permission_request" | "tool_started" | "turn_completed"
                  | "model_changed" | "file_snapshot" | "pending_shown" | "unknown"
                  | "tool_input_delta" | "assistant_text" | "grant_revoked"):
                pass  # bookkeeping the scrollback does not show
            case _:
                assert_never(event.type)

    def replay(self, history: list[tuple[int, Event]], *, limit: int = 400) -> None:
        """Render a stored thread (on open, resume, switch) as the live view would have;
        a long one only from its last `limit` events, so the scrollback stays useful."""
        self.replaying = True
        try:
            if len(history) > limit:
                skipped = len(history) - limit
                history = history[skipped:]
                self.write(self.p(f"… {skipped} earlier events (harness sessions show)", "dim")
                           + "\n")
            for seq, event in history:
                self(event, seq)
        finally:
            self.replaying = False
            self.end_stream()

    def reset(self) -> None:
        """A new conversation (`/clear`): forget the calls of the old one."""
        self.end_stream()
        self._tools.clear()
        self.previewed.clear()

    def end_stream(self) -> None:
        if self._md is not None:
            self._md.finish()
            self._md = None
        self._thinking_shown = False

    def note(self, text: str, *styles: str) -> None:
        self.end_stream()
        self.write(self.p(self._wrapped(text), *styles) + "\n")

    def _wrapped(self, text: str) -> str:
        """Word-wrapped to the terminal (the terminal itself would cut words in two)."""
        width = self.width
        out: list[str] = []
        for line in text.split("\n"):
            if len(line) <= width:
                out.append(line)
                continue
            hang = " " * (len(line) - len(line.lstrip(" ")))
            out += textwrap.wrap(line, width, subsequent_indent=hang, break_long_words=False,
                                 break_on_hyphens=False) or [line]
        return "\n".join(out)

    # --- handlers ---------------------------------------------------------------------

    def _on_user_message(self, e: Any) -> None:
        if self.replaying:  # live, the prompt line itself stays in the scrollback
            self.end_stream()
            first, *rest = e.text.splitlines() or [""]
            self.write(self.p("> " + first, "bold") + "\n")
            for line in rest:
                self.write(self.p("  " + line, "bold") + "\n")
            for a in e.attachments:
                self.write(self.p(f"  📎 {a.path}", "dim") + "\n")

    def _on_user_shell(self, e: Any) -> None:
        self.end_stream()
        if self.replaying:  # live, the `!cmd` prompt line itself stays in the scrollback
            self.write(self.p("! " + e.command, "bold") + "\n")
        style = ("red",) if e.is_error else ("dim",)
        for line in shell_lines(e):
            self.write(self.p("  ⎿ " + truncate(line, self.width - 4), *style) + "\n")
        if not self.replaying:
            self.write(self.p("  (the model sees this with your next prompt)", "dim") + "\n")

    def _on_assistant_delta(self, e: Any) -> None:
        if e.kind == "thinking":
            if self.show_thinking:
                self.write(self.p(e.text, "dim", "italic"))
            elif not self._thinking_shown:
                self._thinking_shown = True
                self.write(self.p("✻ thinking…", "dim") + "\n")
            return
        if self._md is None:
            self._md = MarkdownStream(self.write, color=self.color, width=lambda: self.width)
        self._md.feed(e.text)

    def _on_retrying(self, e: Any) -> None:
        if self._md is not None:
            self._md.discard()
            shown = self._md.started
            self._md = None
        else:
            shown = False
        tail = " (the partial answer above is discarded)" if shown else ""
        self.note(
            f"↻ model call failed ({e.reason}); retry {e.attempt} in {e.delay:.0f}s{tail}", "yellow"
        )

    def _on_assistant_message(self, e: Any) -> None:
        if self.replaying or self._md is None:
            # Nothing streamed (replay, or a client that does not stream): print it whole.
            self._md = None
            for block in e.content:
                if block.get("type") == "text" and block.get("text"):
                    self.write(render_markdown(block["text"], color=self.color,
                                               width=lambda: self.width))
        self.end_stream()

    def _on_tool_call(self, e: Any) -> None:
        self.end_stream()
        self._tools[e.call_id] = e.tool
        line = describe_call(e.tool, e.input, self.width - 2)
        self.write(self.p("● ", "cyan") + self.p(line, "bold") + "\n")

    def _on_permission_decision(self, e: Any) -> None:
        if e.outcome == "deny" and e.source != "human":
            self.write(self.p(f"  ⎿ denied ({e.source}): {truncate(e.reason, 100)}", "red") + "\n")
        elif self.replaying and e.source == "human":
            what = {"allow": f"approved ({e.scope or 'once'})", "deny": "rejected"}[e.outcome]
            if e.feedback:
                what += f": {truncate(e.feedback, 80)}"
            self.write(self.p(f"  ⎿ {what}", "dim") + "\n")

    def _on_tool_progress(self, e: Any) -> None:
        self.write(self.p("  │ " + truncate(e.text.rstrip("\n"), self.width - 4), "dim") + "\n")

    def _on_tool_result(self, e: Any) -> None:
        self.end_stream()
        seen = e.call_id in self.previewed
        if seen and e.is_error and not e.outcome_unknown:
            return  # rejected by the human: "rejected: feedback" was already printed
        summary = summarize_result(e.tool, e.content, e.metadata, e.is_error)
        if e.outcome_unknown:
            summary = "outcome unknown (the process stopped while it ran)"
        secs = f" · {e.duration_ms / 1000:.1f}s" if e.duration_ms >= 1000 else ""
        style = ("red",) if e.is_error or e.outcome_unknown else ("dim",)
        self.write(self.p(f"  ⎿ {summary}{secs}", *style) + "\n")
        if "exit_code" in e.metadata and e.content.strip():
            self.write(self._output_preview(e.content))
        diff = e.metadata.get("diff")
        if diff and not e.is_error and not seen:
            self.write(_indent(highlight_diff(diff.rstrip("\n"), color=self.color)) + "\n")
        todos = e.metadata.get("todos")
        if todos:
            self.write(render_todos(todos, self.p))

    def _output_preview(self, content: str, keep: int = 3) -> str:
        """A command's first lines, dimmed; the model sees all of it, you see the gist."""
        lines = content.rstrip("\n").splitlines()
        shown = [self.p("    " + truncate(ln, self.width - 6), "dim") for ln in lines[:keep]]
        if len(lines) > keep:
            shown.append(self.p(f"    … +{len(lines) - keep} lines", "dim"))
        return "\n".join(shown) + "\n"

    def _on_compaction(self, e: Any) -> None:
        self.note(f"≡ compacted: a summary replaces {e.replaced_events} earlier events", "dim")

    def _on_mode_changed(self, e: Any) -> None:
        self.note(f"mode: {e.mode}", "magenta")

    def _on_error(self, e: Any) -> None:
        self._last_error = e.message
        self.note(f"✗ {e.kind} error: {e.message}", "red")

    def _on_interrupted(self, e: Any) -> None:
        self.note(f"⏹ interrupted ({e.reason}); the thread is saved", "yellow")

    def _on_subagent_started(self, e: Any) -> None:
        self.note(f"↳ subagent {e.agent} started ({e.child_thread_id})", "blue")

    def _on_subagent_finished(self, e: Any) -> None:
        self.note(f"↳ subagent {e.agent} {e.status} · ${e.cost_usd:.4f}", "blue")

    def _on_result(self, e: Any) -> None:
        self.end_stream()
        if self.replaying:
            return
        self.results_seen += 1
        repeated, self._last_error = bool(e.result) and e.result == self._last_error, ""
        if e.status == "limit":
            self.note(f"■ stopped: a limit was reached. {e.result}".rstrip(), "yellow")
        elif e.status == "failed" and repeated:
            pass  # the error line just above says it already
        elif e.status == "failed":
            self.note(f"■ failed: {e.result}".rstrip(": "), "red")
        elif e.status == "awaiting_approval":
            self.note("■ waiting for your decision (saved)", "yellow")


def render_todos(todos: list[dict[str, Any]], p: Palette) -> str:
    out = []
    for item in todos:
        status = item.get("status", "pending")
        text = item.get("activeForm") if status == "in_progress" else None
        text = text or item.get("content", "")
        style = ("dim",) if status == "completed" else ("bold",) if status == "in_progress" else ()
        out.append(f"    {_TODO_MARK.get(status, '☐')} " + p(text, *style) + "\n")
    return "".join(out)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.split("\n"))
