"""Helpers for sub-agent tests: routing scripted replies by which agent is asking."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness.agent.session import AgentSession, SessionOptions, open_session
from harness.protocol.approver import DenyApprover
from harness.protocol.events import Event

_AGENT = re.compile(r"You are the sub-agent '([a-z0-9_-]+)'")
_GOAL = re.compile(r"# Goal\n(.*?)(?:\n\n# |\Z)", re.DOTALL)


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system") or []
    return system if isinstance(system, str) else "".join(b.get("text", "") for b in system)


def agent_of(body: dict[str, Any]) -> str:
    """'parent' for the top-level agent, else the sub-agent's name from its system prompt."""
    found = _AGENT.search(system_text(body))
    return found.group(1) if found else "parent"


def first_user_text(body: dict[str, Any]) -> str:
    content = body["messages"][0]["content"]
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if b.get("type") == "text")


def goal_of(body: dict[str, Any]) -> str:
    found = _GOAL.search(first_user_text(body))
    return found.group(1).strip() if found else ""


def turn_of(body: dict[str, Any]) -> int:
    """How many assistant turns this agent already had (0 = its first request)."""
    return sum(1 for m in body["messages"] if m["role"] == "assistant")


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["name"] for t in body.get("tools", [])]


def last_tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """tool_result blocks of the request's last user message, in the order of the calls
    (scripted tool ids count up; concurrent calls finish in any order)."""
    content = body["messages"][-1]["content"]
    found = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
    return sorted(found, key=lambda b: b["tool_use_id"])


def block_text(block: dict[str, Any]) -> str:
    content = block["content"]
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


class Recorder:
    """A sink that keeps every event the front-end would see."""

    def __init__(self) -> None:
        self.events: list[tuple[int, Event]] = []

    def __call__(self, event: Event, seq: int) -> None:
        self.events.append((seq, event))

    def of_type(self, kind: str) -> list[Event]:
        return [e for _, e in self.events if e.type == kind]


async def open_parent(project: Path, *, approver: Any = None, flags: dict | None = None,
                      resume: str | None = None) -> tuple[AgentSession, Recorder]:
    sink = Recorder()
    session = await open_session(
        SessionOptions(project_root=project, front_end="headless", flags=flags or {},
                       resume=resume),
        approver=approver or DenyApprover(), sink=sink,
    )
    return session, sink


def write_agent(project: Path, name: str, front_matter: str, body: str = "Do the task.") -> None:
    folder = project / ".harness" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(f"---\nname: {name}\n{front_matter}---\n{body}\n")
