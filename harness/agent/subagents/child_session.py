"""A sub-agent's session: its own thread, context, tools and limits; the parent's store,
model client, permission mode and rules, and (one ask at a time) the human's approver.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import TYPE_CHECKING, Any

from harness.agent.session import AgentSession, SessionOptions
from harness.agent.subagents.definitions import AgentDefinition
from harness.protocol.events import (
    AssistantText,
    Event,
    PermissionDecision,
    PermissionRequest,
    ToolCallEvent,
    ToolProgress,
)

if TYPE_CHECKING:
    from harness.agent.subagents.runner import Shared

ROLE = (
    "You are the sub-agent {name!r}, started by another agent to do one delegated task. You "
    "see only what it handed you, not its conversation. Work with the tools you have; when "
    "done, reply with your result as your final message (it is all the delegating agent "
    "gets back). If the task cannot be done, say why instead of guessing."
)


class ChildSession(AgentSession):
    """A sub-agent's session: the parent's store, model client, permissions and approver;
    its own thread, context, tools and limits."""

    def __init__(self, parent: AgentSession, definition: AgentDefinition, call_id: str,
                 depth: int, stack: tuple[tuple[str, str], ...], shared: Shared) -> None:
        self.parent, self.definition, self.call_id = parent, definition, call_id
        self.denials: list[dict[str, Any]] = []  # refused in this run (see _forward)
        self._call_inputs: dict[str, tuple[str, dict[str, Any]]] = {}
        settings = _child_settings(parent, definition)
        opts = SessionOptions(project_root=parent.project_root, front_end=parent.opts.front_end,
                              model_client=parent.model, store=parent.store,
                              demo=parent.opts.demo, tracer=shared.tracer)
        root = parent.approver  # the human's approver, not a middle agent's wrapper (one lock)
        root = root.inner if isinstance(root, _ChildApprover) else root
        approver = _ChildApprover(root, shared.ask_lock, self)
        super().__init__(parent.project_root, settings, parent.store, approver, self._forward,
                         opts)
        allowed = definition.allowed_tools(parent._tools)
        self._tools = {name: parent._tools[name] for name in allowed}
        if "Task" in self._tools:
            from harness.agent.subagents.runner import install

            install(self, depth=depth, stack=stack, shared=shared)

    def _install_subagents(self) -> None:
        pass  # done in __init__, one level deeper, once the tools are cut down

    def _adopt_run_options(self) -> None:
        pass  # a sub-agent runs on its parent's options, never on flags of its own

    # The parent decides: same mode, rules and grants (plus this thread's own grants).
    def permission_context(self) -> Any:
        base = self.parent.permission_context()
        return dataclasses.replace(
            base, cwd=self.tool_ctx.cwd,
            session_allow=tuple(base.session_allow) + tuple(self.state.session_rules),
        )

    @property
    def mode(self) -> str:
        return self.parent.mode

    def set_mode(self, mode: str) -> None:
        raise ValueError("a sub-agent runs in its parent's permission mode")

    @property
    def system(self) -> list[dict]:
        if self._system is None:
            from harness.agent.prompt import system_blocks

            extra = ROLE.format(name=self.definition.name)
            if self.definition.instructions:
                extra += "\n\n" + self.definition.instructions
            self._system = system_blocks(self.project_root,
                                         self.settings.agent.instructions_files, extra=extra)
        return self._system

    def _forward(self, event: Event, seq: int) -> None:
        """Show the sub-agent's progress on the parent's Task call (stream-only events), and
        note the calls it refused (they go back in its SubagentFinished)."""
        if isinstance(event, (ToolCallEvent, PermissionRequest)):
            self._call_inputs[event.call_id] = (event.tool, dict(event.input))
        elif isinstance(event, PermissionDecision) and event.outcome == "deny":
            tool, input_ = self._call_inputs.get(event.call_id, ("", {}))
            self.denials.append({"call_id": event.call_id, "tool": tool, "input": input_,
                                 "reason": event.reason or event.feedback or "",
                                 "rule": event.rule, "source": event.source})
        line = progress_line(event)
        if line:
            self.parent.record(ToolProgress(call_id=self.call_id,
                                            text=f"{self.definition.name}: {line}"))


class _ChildApprover:
    """Asks from a sub-agent go to the parent's approver, tagged, one at a time."""

    def __init__(self, inner: Any, lock: asyncio.Lock, child: ChildSession) -> None:
        self.inner, self.lock, self.child = inner, lock, child

    async def answer(self, request: PermissionRequest) -> Any:
        tagged = request.model_copy(update={
            "agent": self.child.definition.name, "thread_id": self.child.thread_id,
            "parent_call_id": self.child.call_id,
        })
        async with self.lock:
            return await self.inner.answer(tagged)


def _child_settings(parent: AgentSession, definition: AgentDefinition) -> Any:
    settings = parent.settings.model_copy(deep=True)
    if definition.model:
        settings.model.name = definition.model
    agent = settings.agent
    budget = definition.max_cost_usd
    limit = parent.settings.agent.max_cost_usd
    if limit:  # never more than what the parent's run has left
        spent = parent._loop.counters.cost_usd if parent._loop is not None else 0.0
        left = max(limit - spent, 1e-9)
        budget = min(budget, left) if budget else left
    agent.max_turns, agent.max_cost_usd = definition.max_turns, budget
    agent.wall_clock_seconds = definition.time_limit_seconds
    return settings


def progress_line(event: Event) -> str:
    if isinstance(event, ToolCallEvent):
        return f"{event.tool} {_brief(event.input)}".rstrip()
    if isinstance(event, ToolProgress):
        return event.text
    if isinstance(event, PermissionRequest):
        return f"waiting for approval of {event.tool}"
    if isinstance(event, AssistantText):
        first = event.text.strip().splitlines()[0] if event.text.strip() else ""
        return first[:120]
    return ""


def _brief(data: dict[str, Any]) -> str:
    for key in ("file_path", "pattern", "command", "path", "agent"):
        if key in data:
            return str(data[key])[:100]
    return ""


def transcript_text(messages: list[dict[str, Any]], *, tools: bool, limit: int) -> str:
    """The parent's conversation as plain text (no model call): user and assistant text,
    with tool calls and results when `tools`. Keeps the most recent `limit` characters."""
    lines: list[str] = []
    for message in messages:
        role, content = message["role"], message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for block in blocks:
            kind = block.get("type")
            if kind == "text" and block.get("text", "").strip():
                lines.append(f"[{role}] {block['text'].strip()}")
            elif tools and kind == "tool_use":
                lines.append(f"[tool call] {block['name']} {json.dumps(block.get('input'))[:500]}")
            elif tools and kind == "tool_result":
                body = block.get("content")
                body = body if isinstance(body, str) else json.dumps(body)
                lines.append(f"[tool result] {body[:2000]}")
    text = "\n".join(lines)
    if len(text) > limit:
        text = "[... earlier conversation cut ...]\n" + text[-limit:]
    return text
