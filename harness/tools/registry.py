"""The tool set in a fixed order: the tool definitions open every request, so a stable
order keeps the model's prompt cache valid across turns and sessions."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from harness.tools.base import Tool

_TOOLS_DIR = Path(__file__).resolve().parent
# The default tools' definitions do not depend on the project, so they may be cached.
DEFAULT_TOOL_NAMES = (
    "Read", "Write", "Edit", "MultiEdit", "Glob", "Grep", "LS", "Bash", "GitStatus", "GitDiff",
    "GitLog", "GitCommit", "GitPush", "TodoWrite", "AskUser",
)


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


def _schema_cache_key() -> str:
    """Changes whenever any tool module (or harness's version) changes."""
    from harness import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(_TOOLS_DIR.glob("*.py")):
        st = path.stat()
        digest.update(f"{path.name}:{st.st_mtime_ns}:{st.st_size};".encode())
    return digest.hexdigest()[:20]


def tool_schemas(tools: list[Tool], cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """The definitions sent to the model, in `tools` order. Building them from the input
    models costs ~2 ms a tool on the start-up path, so the default tools' definitions are
    cached on disk, keyed by the tool modules' sources."""
    cacheable = set(DEFAULT_TOOL_NAMES)
    cached: dict[str, Any] = {}
    path = cache_dir / f"tool-schemas-{_schema_cache_key()}.json" if cache_dir else None
    if path is not None:
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cached = {}
    schemas, dirty = [], False
    for tool in tools:
        schema = cached.get(tool.name) if tool.name in cacheable else None
        if schema is None:
            schema = tool.schema()
            if tool.name in cacheable:
                cached[tool.name], dirty = schema, True
        schemas.append(schema)
    if path is not None and dirty:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cached), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home only costs the rebuild next time
    return schemas
