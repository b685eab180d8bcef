"""A tool call as a collapsible card: tool, key input, status, duration; output on demand.
A Task call's card names its sub-agent and goal and follows its steps as they happen.

The card's body is built only when first expanded, so a long thread of cards costs one
line each until someone looks inside.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.markup import escape
from textual.widgets import Collapsible, Static

from harness.ui.describe import key_input

MAX_OUTPUT_LINES = 400
STATUS_MARK = {
    "pending": "○", "asking": "?", "approved": "○", "running": "…", "done": "✓",
    "error": "✗", "rejected": "⊘", "unknown": "⚠",
}
STATUS_WORD = {
    "pending": "", "asking": "waiting for you", "approved": "approved", "running": "running",
    "done": "", "error": "error", "rejected": "rejected", "unknown": "outcome unknown",
}
EDIT_TOOLS = {"Edit", "MultiEdit", "Write"}


@dataclass
class ToolInfo:
    call_id: str
    tool: str
    input: dict[str, Any]
    status: str = "pending"
    duration_ms: float = 0.0
    output: str = ""
    diff: str = ""
    feedback: str = ""
    progress: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    subagent: SubagentInfo | None = None  # a Task call: who works on what, step by step


@dataclass
class SubagentInfo:
    """What a Task card shows of its sub-agent: name, goal, the steps seen so far (live
    progress is stream-only, so a replayed card has only its outcome)."""

    agent: str
    goal: str
    steps: list[str] = field(default_factory=list)
    child_thread_id: str = ""
    outcome: str = ""  # the sub-agent's own status once finished (done, failed, …)
    cost_usd: float = 0.0


def diff_renderable(diff: str) -> RenderableType:
    from rich.syntax import Syntax

    return Syntax(diff, "diff", theme="ansi_dark", word_wrap=True, background_color="default")


def looks_like_diff(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith(("--- ", "diff ", "@@ ", "+++ "))


class ToolCard(Collapsible):
    def __init__(self, info: ToolInfo) -> None:
        self.info = info
        self._body = Static("", classes="tool-body")
        super().__init__(self._body, title=self._make_title(), collapsed=True, classes="tool-card")
        self._filled = False

    def _make_title(self) -> str:
        info = self.info
        if info.subagent is not None:
            return _subagent_title(info, info.subagent)
        mark = STATUS_MARK.get(info.status, "·")
        arg = key_input(info.tool, info.input)
        if len(arg) > 70:
            arg = arg[:69] + "…"
        parts = [f"{mark} [b]{escape(info.tool)}[/b] {escape(arg)}"]
        word = STATUS_WORD.get(info.status, info.status)
        if info.status == "running" and info.progress:
            word = info.progress.splitlines()[-1][:40] if info.progress.strip() else word
        if word:
            parts.append(f"[i]{escape(word)}[/i]")
        if info.duration_ms:
            parts.append(f"[dim]{_duration(info.duration_ms)}[/dim]")
        return " · ".join(parts)

    def refresh_info(self) -> None:
        self.title = self._make_title()
        self.set_class(self.info.status in ("error", "rejected", "unknown"), "-failed")
        if self._filled:
            self._fill()

    def _watch_collapsed(self, collapsed: bool) -> None:
        super()._watch_collapsed(collapsed)
        if not collapsed and not self._filled:
            self._filled = True
            self._fill()

    def _fill(self) -> None:
        self._body.update(body_renderable(self.info))


def _subagent_title(info: ToolInfo, sub: SubagentInfo) -> str:
    """`… ↳ explore · find the config loader · 3 steps · Grep load_config`."""
    mark = STATUS_MARK.get(info.status, "·")
    goal = sub.goal if len(sub.goal) <= 50 else sub.goal[:49] + "…"
    parts = [f"{mark} [b]↳ {escape(sub.agent)}[/b] {escape(goal)}"]
    if sub.steps:
        parts.append(f"{len(sub.steps)} step" + ("" if len(sub.steps) == 1 else "s"))
    if info.status in ("running", "approved", "pending", "asking") and sub.steps:
        parts.append(f"[i]{escape(sub.steps[-1][:40])}[/i]")
    elif info.status == "asking":
        parts.append("[i]waiting for you[/i]")
    else:
        word = sub.outcome if sub.outcome and sub.outcome != "done" else \
            STATUS_WORD.get(info.status, info.status)
        if word:
            parts.append(f"[i]{escape(word)}[/i]")
    if sub.cost_usd:
        parts.append(f"[dim]${sub.cost_usd:.3f}[/dim]")
    if info.duration_ms:
        parts.append(f"[dim]{_duration(info.duration_ms)}[/dim]")
    return " · ".join(parts)


def _subagent_body(info: ToolInfo, sub: SubagentInfo) -> RenderableType:
    from rich.console import Group

    parts: list[RenderableType] = [Text.assemble(("goal: ", "bold"), sub.goal)]
    if sub.child_thread_id:
        parts.append(Text(f"thread {sub.child_thread_id}", style="dim"))
    parts.extend(Text(f"  {i}. {step}") for i, step in enumerate(sub.steps, 1))
    if info.feedback:
        parts.append(Text(f"feedback: {info.feedback}", style="italic"))
    if info.output:
        parts.append(Text(_clip(info.output, MAX_OUTPUT_LINES),
                          style="red" if info.status == "error" else ""))
    return Group(*parts)


def body_renderable(info: ToolInfo) -> RenderableType:
    from rich.console import Group

    if info.subagent is not None:
        return _subagent_body(info, info.subagent)
    parts: list[RenderableType] = []
    shown = json.dumps(info.input, indent=2, ensure_ascii=False)
    if info.tool not in EDIT_TOOLS or not info.diff:
        parts.append(Text(_clip(shown, 40), style="dim"))
    if info.diff:
        parts.append(diff_renderable(info.diff))
    if info.feedback:
        parts.append(Text(f"feedback: {info.feedback}", style="italic"))
    if info.output and not (info.diff and info.tool in EDIT_TOOLS):
        style = "red" if info.status == "error" else ""
        parts.append(Text(_clip(info.output, MAX_OUTPUT_LINES), style=style))
    if not parts:
        parts.append(Text("(no output)", style="dim"))
    return Group(*parts)


def _clip(text: str, max_lines: int) -> str:
    lines = text.splitlines()
    if len(lines) <= max_lines:
        return text
    return "\n".join(lines[:max_lines]) + f"\n… {len(lines) - max_lines} more lines"


def _duration(ms: float) -> str:
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms / 60_000:.0f} min"
