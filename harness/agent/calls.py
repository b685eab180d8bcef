"""Running one turn's tool calls: permission → (ask) → revalidate → run → record.

Read-only calls that the engine allows run concurrently; anything that asks or changes
state runs alone, in the model's order. Every decision and result is an event, so an ask
left unanswered (quit, `--on-ask interrupt`) resumes from exactly this call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from harness.agent.disclosure import hook_refusal, policy_refusal, rule_refusal
from harness.agent.state import CANCELLED_OUTCOME_UNKNOWN, ThreadState
from harness.agent.storable import storable, storable_text
from harness.permissions.types import Decision, PermissionContext, ToolCall
from harness.protocol.approver import Approver
from harness.protocol.events import (
    Event,
    PermissionDecision,
    PermissionRequest,
    ToolResult,
    ToolStarted,
)
from harness.protocol.outcomes import AwaitingApproval
from harness.protocol.usage import Usage
from harness.tools.base import Tool, ToolContext, ToolError, ToolInput, ToolOutput
from harness.tools.redaction import redact_output

REJECTED = "The user rejected this tool call."
CANCELLED_READ = "Cancelled by the user while running (it only reads: nothing was changed)."
SIDE_EFFECT_FREE = ("read", "meta")


@dataclass
class Planned:
    call_id: str
    tool: Tool
    input: ToolInput
    raw: dict[str, Any]


class CallRunner:
    def __init__(
        self,
        *,
        tools: dict[str, Tool],
        state: ThreadState,
        record: Callable[[Event], int],
        approver: Approver,
        tool_ctx: ToolContext,
        permission_context: Callable[[], PermissionContext],
        decide: Callable[[ToolCall, PermissionContext], Decision],
        grant: Callable[[ToolCall, PermissionContext, str], str | None],
        grant_hint: Callable[[ToolCall, PermissionContext], str | None] = lambda c, x: None,
        hooks: Any = None,
        tracer: Any = None,
        stored: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        from harness.agent.tracing import Tracing

        self.tools, self.state, self.record, self.approver = tools, state, record, approver
        self.ctx, self.permission_context, self.decide = tool_ctx, permission_context, decide
        self.grant, self.grant_hint, self.hooks = grant, grant_hint, hooks
        self.tracer = tracer or Tracing.disabled()
        self.current_call: str | None = None
        self.stored = stored  # awaited before a tool runs: its call is in the store first
        # The run's counters take what a tool spent on model calls (a sub-agent's turns).
        self.on_spend: Callable[[Usage, float], None] | None = None

    async def run_pending(self, calls: list[dict[str, Any]]) -> None:
        batch: list[Planned] = []
        for call in calls:
            call_id = call["id"]
            if call_id in self.state.started:  # started before a crash: never re-run blindly
                from harness.agent.loop import outcome_unknown_result

                await self._flush(batch)
                self.record(outcome_unknown_result(call))
                continue
            pending = self.state.requests.get(call_id)
            if pending is not None:
                await self._flush(batch)
                await self._ask(call, pending)
                continue
            planned = await self._plan(call)
            if planned is None:
                continue
            if isinstance(planned, PermissionRequest):
                await self._flush(batch)
                await self._ask(call, planned)
            elif planned.tool.concurrent_safe:
                batch.append(planned)
            else:
                await self._flush(batch)
                await self._execute(planned)
        await self._flush(batch)

    async def _flush(self, batch: list[Planned]) -> None:
        if len(batch) == 1:
            await self._execute(batch[0])
        elif batch:
            # Every call finishes and records its result before any error unwinds the turn:
            # one failing (or waiting) sub-agent does not lose its siblings' results.
            done = await asyncio.gather(*(self._execute(p) for p in batch),
                                        return_exceptions=True)
            batch.clear()
            for outcome in done:
                if isinstance(outcome, BaseException):
                    raise outcome
        batch.clear()

    # --- deciding ------------------------------------------------------------------------

    async def _plan(self, call: dict[str, Any]) -> Planned | PermissionRequest | None:
        """Decide one call: a Planned run, a recorded PermissionRequest, or None (answered)."""
        call_id, name, raw = call["id"], call["name"], dict(call.get("input") or {})
        tool = self.tools.get(name)
        if tool is None:
            self._error(
                call_id, name, f"Unknown tool {name!r}. Available tools: {', '.join(self.tools)}."
            )
            return None
        try:
            parsed = tool.parse(raw)
        except ToolError as exc:
            self._error(call_id, name, str(exc))
            return None
        pctx = self.permission_context()
        decision = self.decide(ToolCall(name, raw), pctx)
        if self.hooks is not None:
            decision, blocked = await self.hooks.pre_tool_use(name, raw, decision)
            if blocked:
                self.record(
                    PermissionDecision(
                        call_id=call_id, outcome="deny", source="hook", reason=blocked
                    )
                )
                self._error(call_id, name, hook_refusal(blocked))
                return None
        if decision.decision == "deny":
            self.record(
                PermissionDecision(
                    call_id=call_id,
                    outcome="deny",
                    reason=decision.reason,
                    source="rule" if decision.rule else "mode",
                    rule=decision.rule,
                )
            )
            self._error(call_id, name, rule_refusal(decision.reason, decision.rule, pctx.mode))
            return None
        if decision.decision == "ask":
            try:
                preview = await tool.preview(parsed, self.ctx)
            except ToolError as exc:
                preview = f"(no preview: {exc})"
            request = PermissionRequest(
                call_id=call_id,
                tool=name,
                input=raw,
                kind="question" if name == "AskUser" else "permission",
                category=decision.category,
                reason=decision.reason,
                rule=decision.rule,
                grade=decision.grade,
                preview=preview,
                session_scope_allowed=decision.grade != "irreversible",
            )
            self.record(request)
            if self.hooks is not None:
                await self.hooks.notify(request)
            return request
        if decision.category not in SIDE_EFFECT_FREE or decision.rule:
            self.record(
                PermissionDecision(
                    call_id=call_id,
                    outcome="allow",
                    reason=decision.reason,
                    source="rule" if decision.rule else "mode",
                    rule=decision.rule,
                )
            )
        return Planned(call_id, tool, parsed, raw)

    async def _ask(self, call: dict[str, Any], request: PermissionRequest) -> None:
        with self.tracer.span("permission_wait", {
            "harness.tool": request.tool, "harness.call_id": request.call_id,
            "harness.category": request.category,
        }) as span:
            answer = await self.approver.answer(request)
            span.set("harness.answer", answer.kind if answer else "pending")
        if answer is None:
            raise AwaitingApproval(request.call_id)
        call_id, name = request.call_id, request.tool
        tool = self.tools[name]
        raw = dict(request.input)
        if answer.kind == "reject" and answer.by == "on_ask":  # a policy, not a person
            self.record(
                PermissionDecision(
                    call_id=call_id, outcome="deny", source="policy", reason=request.reason,
                    rule=request.rule,
                )
            )
            hint = self.grant_hint(ToolCall(name, raw), self.permission_context())
            self._error(call_id, name,
                        policy_refusal(name, request.reason, request.category, hint))
            return
        if answer.kind == "reject":
            self.record(
                PermissionDecision(
                    call_id=call_id, outcome="deny", source="human", feedback=answer.feedback or ""
                )
            )
            text = REJECTED + (
                f" Their feedback: {answer.feedback}"
                if answer.feedback
                else " Ask them or try a different approach."
            )
            self._error(call_id, name, text)
            return
        edited = answer.kind == "edit" and answer.input is not None
        if answer.kind == "edit" and answer.input is not None:
            raw = storable(dict(answer.input), keep_nul=True)  # what runs, and is disclosed
        try:
            parsed = tool.parse(raw)
        except ToolError as exc:
            self.record(
                PermissionDecision(
                    call_id=call_id,
                    outcome="deny",
                    source="human",
                    reason=f"edited input invalid: {exc}",
                    edited_input=raw if edited else None,
                )
            )
            self._error(call_id, name, str(exc))
            return
        if edited and not await self._edit_allowed(call_id, name, raw):
            return
        rule = None
        scope = answer.scope if answer.kind == "approve" else "once"
        if scope == "session" and not request.session_scope_allowed:
            scope = "once"  # irreversible calls are never granted for a whole session
        if scope in ("session", "project"):
            rule = self.grant(ToolCall(name, raw), self.permission_context(), scope)
        self.record(
            PermissionDecision(
                call_id=call_id,
                outcome="allow",
                source="human",
                scope=scope,
                rule=rule,
                edited_input=raw if edited else None,
                answer=answer.answer if answer.kind == "answer" else None,
            )
        )
        self.ctx.answer = answer.answer if answer.kind == "answer" else None
        await self._execute(Planned(call_id, tool, parsed, raw))

    async def _edit_allowed(self, call_id: str, name: str, raw: dict[str, Any]) -> bool:
        """The edited input is decided anew: a person's approval lifts an ask, never a deny
        rule, the mode's refusal or a hook's block of what would actually run."""
        pctx = self.permission_context()
        decision = self.decide(ToolCall(name, raw), pctx)
        blocked = None
        if self.hooks is not None:
            decision, blocked = await self.hooks.pre_tool_use(name, raw, decision)
        if blocked:
            self.record(PermissionDecision(call_id=call_id, outcome="deny", source="hook",
                                           reason=blocked, edited_input=raw))
            self._error(call_id, name, hook_refusal(blocked))
            return False
        if decision.decision == "deny":
            self.record(PermissionDecision(
                call_id=call_id, outcome="deny", source="rule" if decision.rule else "mode",
                reason=decision.reason, rule=decision.rule, edited_input=raw))
            self._error(call_id, name, rule_refusal(decision.reason, decision.rule, pctx.mode))
            return False
        return True

    # --- running -------------------------------------------------------------------------

    async def _execute(self, p: Planned) -> None:
        from harness.tools.task import CURRENT_CALL_ID

        with self.tracer.span("tool_call", {
            "harness.tool": p.tool.name, "harness.call_id": p.call_id,
            "harness.category": p.tool.category,
        }) as span:
            token = CURRENT_CALL_ID.set(p.call_id)  # the Task tool links its child thread
            try:
                await self._execute_call(p, span)
            finally:
                CURRENT_CALL_ID.reset(token)

    async def _execute_call(self, p: Planned, span: Any) -> None:
        name = p.tool.name
        try:
            await p.tool.revalidate(p.input, self.ctx)
        except ToolError as exc:
            self._error(p.call_id, name, f"Not run: {exc}")
            return
        if p.tool.category not in SIDE_EFFECT_FREE:
            self.record(ToolStarted(call_id=p.call_id, tool=name, input=p.raw))
        if self.stored is not None:
            await self.stored()
        self.current_call = p.call_id
        started = time.perf_counter()
        try:
            output = await p.tool.run(p.input, self.ctx)
        except ToolError as exc:
            output = ToolOutput(str(exc), is_error=True)
        except asyncio.CancelledError:
            # A command stopped half-way may have written already: its outcome is unknown.
            unknown = p.tool.category not in SIDE_EFFECT_FREE
            self.record(
                ToolResult(
                    call_id=p.call_id,
                    tool=name,
                    is_error=True,
                    content=CANCELLED_OUTCOME_UNKNOWN if unknown else CANCELLED_READ,
                    outcome_unknown=unknown,
                    duration_ms=(time.perf_counter() - started) * 1000,
                )
            )
            raise
        except AwaitingApproval:
            raise  # a sub-agent waits for a human: the Task call stays open, resumable
        except Exception as exc:  # a bug in a tool must not kill the session
            output = ToolOutput(
                f"{name} failed unexpectedly: {type(exc).__name__}: {exc}", is_error=True
            )
        finally:
            self.current_call = None
            self.ctx.answer = None
        output = redact_output(output)  # the session's secrets never reach log, UI or model
        duration = (time.perf_counter() - started) * 1000
        if output.usage is not None and self.on_spend is not None:
            self.on_spend(output.usage, output.cost_usd)
        span.set("harness.is_error", output.is_error)
        if self.hooks is not None:
            note = await self.hooks.post_tool_use(name, p.raw, output)
            if note:
                output.content += f"\n\n[post_tool_use hook] {note}"
        self.record(
            ToolResult(
                call_id=p.call_id,
                tool=name,
                # Every tool's output is made encodable here, once: a non-UTF-8 file name or
                # a NUL byte becomes an escape, never an exception while recording.
                content=storable_text(output.content),
                is_error=output.is_error,
                duration_ms=duration,
                metadata=storable(output.metadata),
            )
        )

    def _error(self, call_id: str, tool: str, message: str) -> None:
        self.record(
            ToolResult(call_id=call_id, tool=tool, content=storable_text(message), is_error=True)
        )
