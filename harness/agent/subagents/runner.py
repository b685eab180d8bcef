"""Sub-agents: the runner behind the `Task` tool.

Each run is a child thread in the store (linked to the parent's Task call), driven by its
own `AgentSession` on its own context: the handoff only, unless the definition asks for a
summary or the full parent transcript. Its tools are the definition's list cut down to the
parent's; its permission context is the parent's (same mode, rules and grants, so a
sub-agent never has more permission), and its asks go to the parent's approver, one at a
time. A re-run of the same Task call (resume after a crash or a pending ask) continues the
existing child thread instead of starting over.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from harness.agent.session import AgentSession
from harness.agent.subagents.child_session import ChildSession, transcript_text
from harness.agent.subagents.definitions import AgentDefinition, load_definitions
from harness.agent.subagents.handoff import Handoff, HandoffError, result_for_parent
from harness.agent.tracing import Tracing
from harness.protocol.events import (
    PermissionRequest,
    SubagentFinished,
    SubagentStarted,
    Usage,
)
from harness.protocol.outcomes import AwaitingApproval, RunResult
from harness.store.base import Checkpoint
from harness.tools.base import ToolOutput

SUMMARY_CHARS, FULL_CHARS = 8_000, 100_000


@dataclass
class Shared:
    """What every runner in one delegation tree shares."""

    definitions: dict[str, AgentDefinition]
    tracer: Tracing
    ask_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def install(session: AgentSession, *, depth: int = 0,
            stack: tuple[tuple[str, str], ...] = (), shared: Shared | None = None) -> None:
    """Give `session` the Task tool and a runner, or take them away at the depth cap."""
    tools: dict[str, Any] = session._tools
    if depth >= session.settings.agent.max_depth:
        tools.pop("Task", None)
        session.tool_ctx.subagent_runner = None
        return
    from harness.tools.task import TaskTool

    if shared is None:
        shared = Shared(
            definitions=load_definitions(session.project_root, known_tools=[*tools, "Task"]),
            tracer=getattr(session, "tracer", None) or Tracing.disabled(),
        )
    tools["Task"] = TaskTool([(d.name, d.description) for d in shared.definitions.values()])
    session.tool_ctx.subagent_runner = SubagentRunner(session, depth, stack, shared)


def goal_key(goal: str) -> str:
    """Goals compared for loop detection: case, spacing and end punctuation do not count."""
    return re.sub(r"\s+", " ", goal).strip().strip(".!?").lower()


class SubagentRunner:
    """`await runner(agent, handoff, call_id) -> ToolOutput` for one delegating session."""

    def __init__(self, session: AgentSession, depth: int,
                 stack: tuple[tuple[str, str], ...], shared: Shared) -> None:
        self.session, self.depth, self.stack, self.shared = session, depth, stack, shared
        self.claimed: set[str] = set()

    async def __call__(self, agent: str, raw_handoff: dict[str, Any], call_id: str) -> ToolOutput:
        definition = self.shared.definitions.get(agent)
        if definition is None:
            return ToolOutput(f"Unknown agent {agent!r}. Available agents: "
                              f"{', '.join(self.shared.definitions)}.", is_error=True)
        try:
            handoff = Handoff.parse(raw_handoff)
        except HandoffError as exc:
            return ToolOutput(str(exc), is_error=True)
        max_depth = self.session.settings.agent.max_depth
        if self.depth >= max_depth:
            return ToolOutput(f"Delegation depth limit reached (agent.max_depth = {max_depth}); "
                              "do this work yourself.", is_error=True)
        call_id = call_id or self._resolve_call_id(agent, raw_handoff)
        key = (agent, goal_key(handoff.goal))
        if key in self.stack:
            chain = " → ".join(a for a, _ in self.stack)
            return ToolOutput(
                f"Delegation loop stopped: agent {agent!r} is already working on this same goal "
                f"further up the delegation chain ({chain} → {agent}). Handing it back would "
                "repeat forever; do the work yourself or report what blocks it.", is_error=True)
        with self.shared.tracer.span("subagent", {
            "harness.agent": agent, "harness.call_id": call_id, "harness.depth": self.depth + 1,
            "harness.parent_thread_id": self.session.thread_id,
        }) as span:
            output = await self._delegate(definition, handoff, call_id, key, span)
            span.set("harness.status", output.metadata.get("status", ""))
            if output.is_error:
                span.record_error(output.content.splitlines()[0])
            return output

    async def _delegate(self, definition: AgentDefinition, handoff: Handoff, call_id: str,
                        key: tuple[str, str], span: Any) -> ToolOutput:
        parent, store = self.session, self.session.store
        at = parent.state.last_seq  # the child starts here: a step that is in the store
        await parent._stored()
        thread = await asyncio.to_thread(self._child_thread, definition, handoff, call_id, at)
        span.set("harness.thread_id", thread.thread_id)
        parent.record(SubagentStarted(call_id=call_id, agent=definition.name,
                                      child_thread_id=thread.thread_id,
                                      resumed=thread.last_seq > 0))
        schema = handoff.output_schema(definition.output_schema)
        started = time.monotonic()
        child = ChildSession(parent, definition, call_id, self.depth + 1,
                             (*self.stack, key), self.shared)
        status, text, error = "failed", "", None
        result: RunResult | None = None
        try:
            await asyncio.to_thread(child._attach, thread.thread_id)
            result = await self._run_child(child, definition, handoff, schema)
            status, text, error = result.status, result.result, result.error
        except (AwaitingApproval, asyncio.CancelledError):
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        finally:
            with contextlib.suppress(Exception):
                await child.close()
        usage = result.usage if result else Usage()
        cost = result.cost_usd if result else 0.0
        span.set_usage(usage, cost_usd=cost)
        output = result_for_parent(
            agent=definition.name, child_thread_id=thread.thread_id, status=status, text=text,
            schema=schema, error=error,
            metadata={"usage": usage.model_dump(), "cost_usd": cost,
                      "num_turns": result.num_turns if result else 0,
                      "duration_ms": round((time.monotonic() - started) * 1000, 1)},
        )
        output.usage, output.cost_usd = usage, cost  # the parent's run adds it to its own
        if status == "done" and output.is_error:
            status = "invalid_output"
        output.metadata["status"] = status
        whole = child.state.spend  # every run of the child thread, its sub-agents included
        parent.record(SubagentFinished(call_id=call_id, agent=definition.name,
                                       child_thread_id=thread.thread_id, status=status,
                                       usage=usage, cost_usd=cost, error=error,
                                       total_usage=whole.usage, total_cost_usd=whole.cost_usd,
                                       denials=list(child.denials)))
        await asyncio.to_thread(store.update_thread, thread.thread_id,
                                meta={"status": status, "depth": self.depth + 1})
        return output

    def _resolve_call_id(self, agent: str, handoff: dict[str, Any]) -> str:
        """The Task call being run, when the loop did not say: the first open Task call of
        the parent's last message with this input that no concurrent run has claimed."""
        from harness.tools.task import TaskInput

        for call_id, block in self.session.state.open_calls.items():
            if block.get("name") != "Task" or call_id in self.claimed:
                continue
            try:
                parsed = TaskInput.model_validate(block.get("input") or {})
            except ValueError:
                continue
            if parsed.agent == agent and parsed.handoff.model_dump(mode="json") == handoff:
                self.claimed.add(call_id)
                return call_id
        return ""

    def _child_thread(self, definition: AgentDefinition, handoff: Handoff, call_id: str,
                      at: int) -> Any:
        """The thread of this Task call: the existing one when the call is re-run."""
        parent, store = self.session, self.session.store
        parent._ensure_thread()
        if call_id:
            for thread in store.children(parent.thread_id):
                if thread.parent_call_id == call_id:
                    return thread
        title = " ".join(f"{definition.name}: {handoff.goal}".split())[:80]
        return store.create_thread(
            str(parent.project_root), title=title,
            parent=Checkpoint(parent.thread_id, at),
            model=definition.model or parent.model_name, agent=definition.name,
            parent_call_id=call_id or None,
        )

    async def _run_child(self, child: ChildSession, definition: AgentDefinition,
                         handoff: Handoff, schema: dict[str, Any] | None) -> RunResult:
        state = child.state
        if state.last_result is not None and not state.open_calls and not state.needs_model:
            last = state.last_result  # finished before a crash: reuse, never re-run
            if last.status != "awaiting_approval":
                return RunResult(status=last.status, result=last.result,
                                 num_turns=last.num_turns, usage=last.usage,
                                 cost_usd=last.cost_usd,
                                 error=last.result if last.is_error else None)
        timed_out = False

        def stop() -> None:
            nonlocal timed_out
            timed_out = True
            child.cancel()

        timer = asyncio.get_running_loop().call_later(definition.time_limit_seconds, stop)
        try:
            if not state.messages:
                prompt = self._first_message(definition, handoff, schema)
                result = await child.run_prompt(prompt)
            else:
                result = await child.continue_pending()
        finally:
            timer.cancel()
        if result.status == "awaiting_approval":
            raise AwaitingApproval(f"sub-agent {definition.name} waits for approval")
        if result.status == "cancelled":
            task = asyncio.current_task()
            if not timed_out or (task is not None and task.cancelling()):
                raise asyncio.CancelledError  # the person stopped the whole run
            limit = definition.time_limit_seconds
            result.status, result.error = "limit", f"time limit reached ({limit:g}s)"
        return result

    def _first_message(self, definition: AgentDefinition, handoff: Handoff,
                       schema: dict[str, Any] | None) -> str:
        text = handoff.render(schema=schema, output_hint=definition.output)
        if definition.context == "none":
            return text
        messages = self.session.state.messages
        if definition.context == "summary":
            context = transcript_text(messages, tools=False, limit=SUMMARY_CHARS)
            title = "Summary of the delegating agent's conversation (its messages, no tool I/O)"
        else:
            context = transcript_text(messages, tools=True, limit=FULL_CHARS)
            title = "Transcript of the delegating agent's conversation"
        return f"# {title}\n{context}\n\n{text}" if context else text


def pending_in_children(store: Any, thread_id: str, state: Any) -> PermissionRequest | None:
    """The ask a sub-agent of one of `state`'s open Task calls waits on, tagged with the
    agent and its thread; None when no sub-agent waits. Lets the parent show it and
    `harness resume PARENT --approve` answer it."""
    from harness.agent.state import ThreadState

    open_tasks = {cid for cid, b in state.open_calls.items() if b.get("name") == "Task"}
    if not open_tasks:
        return None
    for child in store.children(thread_id):
        if child.parent_call_id not in open_tasks or child.state != "awaiting_approval":
            continue
        child_state = ThreadState()
        for item in store.events(child.thread_id):
            child_state.apply(item.seq, item.decode())
        request = child_state.pending
        if request is not None:
            return request.model_copy(update={
                "agent": child.agent, "thread_id": child.thread_id,
                "parent_call_id": child.parent_call_id,
            })
        found = pending_in_children(store, child.thread_id, child_state)
        if found is not None:
            return found
    return None


def waiting_children_spend(store: Any, thread_id: str,
                           state: Any) -> dict[str, tuple[Usage, float]]:
    """What the sub-agents of `state`'s open Task calls have spent so far (a child waiting
    for a person has no `subagent_finished` yet), by Task call id, their own waiting
    sub-agents included; so the parent's figures count them during the wait."""
    from harness.agent.state import ThreadState

    open_tasks = {cid for cid, b in state.open_calls.items()
                  if b.get("name") == "Task" and cid not in state.subagent_spend}
    if not open_tasks:
        return {}
    found: dict[str, tuple[Usage, float]] = {}
    for child in store.children(thread_id):
        if child.parent_call_id not in open_tasks:
            continue
        child_state = ThreadState()
        for item in store.events(child.thread_id):
            child_state.apply(item.seq, item.decode())
        spend = child_state.spend_with(
            waiting_children_spend(store, child.thread_id, child_state))
        found[child.parent_call_id] = (spend.usage, spend.cost_usd)
    return found
