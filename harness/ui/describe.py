"""How every front-end names a tool call and sums up its result, in one line."""

from __future__ import annotations

import json
from typing import Any

# The input field that best names what a tool call does, per tool.
KEY_FIELD = {
    "Bash": "command", "Read": "file_path", "Write": "file_path", "Edit": "file_path",
    "MultiEdit": "file_path", "Glob": "pattern", "Grep": "pattern", "LS": "path",
    "AskUser": "question", "Task": "agent", "GitCommit": "message",
}


def truncate(text: str, width: int) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def key_input(tool: str, data: dict[str, Any], *, first_line: bool = True) -> str:
    """The one input a person wants to see beside the tool's name (a card title shows its
    first line; a scrollback line shows it all, folded onto one line)."""
    if tool == "TodoWrite":
        return f"{len(data.get('todos') or [])} items"
    if tool == "GitPush":
        return " ".join(str(data[k]) for k in ("remote", "branch") if data.get(k))
    names = [KEY_FIELD[tool]] if tool in KEY_FIELD else []
    names += ["command", "file_path", "pattern", "path", "question", "message", "agent"]
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value:
            if not first_line:
                return value
            return value.splitlines()[0] if value.strip() else value
    for value in data.values():
        if isinstance(value, str) and value:
            return value.splitlines()[0]
    return ""


def task_goal(tool_input: dict[str, Any]) -> str:
    """A Task call's goal as text (the handoff is a dict; a person wants its `goal`)."""
    handoff = tool_input.get("handoff")
    if isinstance(handoff, dict):
        goal = handoff.get("goal")
        if isinstance(goal, str):
            return goal
        return json.dumps(handoff, ensure_ascii=False, separators=(",", ":"))
    return str(handoff or "")


def describe_call(tool: str, tool_input: dict[str, Any], width: int = 90) -> str:
    """`Bash(ls -la)`, `Edit(src/app.py)`, `TodoWrite(3 items)`: one short line."""
    if tool == "Task":
        arg = f"{tool_input.get('agent', '')}: {task_goal(tool_input)}"
    else:
        arg = key_input(tool, tool_input, first_line=False)
        if not arg and tool_input and tool not in ("TodoWrite", "GitPush"):
            arg = json.dumps(tool_input, ensure_ascii=False, separators=(",", ":"))
    return f"{tool}({truncate(arg, max(10, width - len(tool) - 2))})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summarize_result(tool: str, content: str, metadata: dict[str, Any], is_error: bool) -> str:
    lines = content.splitlines()
    first = truncate(lines[0], 100) if lines else ""
    if is_error:
        return f"error: {first}" if first else "error"
    diff = metadata.get("diff")
    if diff:
        lines_ = diff.splitlines()
        added = sum(1 for ln in lines_ if ln.startswith("+") and not ln.startswith("+++"))
        removed = sum(1 for ln in lines_ if ln.startswith("-") and not ln.startswith("---"))
        return f"+{added} −{removed} " + ("line" if added + removed == 1 else "lines")
    if "exit_code" in metadata:
        return f"exit {metadata['exit_code']} · {_count(len(lines), 'line')} of output"
    if tool in ("Read", "Grep", "Glob", "LS"):
        return _count(len(lines), "line")
    if len(lines) > 1:
        return f"{first} (+{len(lines) - 1} lines)"
    return first or "done"
