"""The tool set in a fixed order: the tool definitions open every request, so a stable
order keeps the model's prompt cache valid across turns and sessions."""

from __future__ import annotations

from harness.tools.base import Tool


def default_tools() -> list[Tool]:
    from harness.tools.ask_user import AskUser
    from harness.tools.bash import Bash
    from harness.tools.edit import Edit
    from harness.tools.git_commit import GitCommit
    from harness.tools.git_diff import GitDiff
    from harness.tools.git_log import GitLog
    from harness.tools.git_push import GitPush
    from harness.tools.git_status import GitStatus
    from harness.tools.glob import Glob
    from harness.tools.grep import Grep
    from harness.tools.ls import LS
    from harness.tools.multiedit import MultiEdit
    from harness.tools.read import Read
    from harness.tools.todo import TodoWrite
    from harness.tools.write import Write

    # Append new tools at the end; reordering invalidates every cached prompt prefix.
    return [
        Read(), Write(), Edit(), MultiEdit(), Glob(), Grep(), LS(), Bash(),
        GitStatus(), GitDiff(), GitLog(), GitCommit(), GitPush(), TodoWrite(), AskUser(),
    ]


def tool_by_name(name: str, tools: list[Tool] | None = None) -> Tool | None:
    """The tool called `name` among `tools` (default: the default set), or None."""
    for tool in tools if tools is not None else default_tools():
        if tool.name == name:
            return tool
    return None
