"""The agent loop: query the model, record its message, run its tool calls, repeat.

`AgentLoop.run` fits on a screen: every step is recorded through `record` (append to the
store, fold into state, hand to the front-end) before anything else depends on it, so a
crash at any point leaves a log that `resume` continues exactly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from harness.agent.state import OUTCOME_UNKNOWN, ThreadState
from harness.agent.storable import storable, storable_text
from harness.model.types import (
    ModelError,
    ModelRequest,
    ModelResponse,
    RetryNotice,
    TextDelta,
    ToolInputJsonDelta,
    ToolUseStart,
)
from harness.protocol.events import (
    AssistantDelta,
    AssistantMessage,
    AssistantText,
    ErrorEvent,
    Event,
    Interrupted,
    Result,
    Retrying,
    ToolCallEvent,
    ToolInputDelta,
    ToolResult,
    TurnCompleted,
    Usage,
    UserMessage,
)
from harness.protocol.kinds import RunStatus
from harness.protocol.outcomes import AwaitingApproval, LimitReached, RunFailed, RunResult
from harness.store.base import StoreError

if TYPE_CHECKING:
    from harness.agent.calls import CallRunner
    from harness.config.schema import Settings
    from harness.model.types import ModelClient

MAX_TOKENS_NUDGE = (
    "(Your previous response was cut off by the output token limit. Continue exactly where "
    "you stopped; if you were writing a tool call, issue it again in full.)"
)


@dataclass(frozen=True)
class Step:
    """The next step of a thread: its open tool calls, or a model turn."""

    name: str  # "call ID (TOOL)" or "model turn": how errors and the fork hint name it
    kind: Literal["calls", "turn"]


# Outcomes that unwind the loop on purpose (and store failures, reported by the store).
PASS_THROUGH = (AwaitingApproval, LimitReached, RunFailed, StoreError)


@dataclass
class Limits:
    max_turns: int = 200
    max_cost_usd: float = 0.0  # 0 = none
    max_tokens_total: int = 0
    wall_clock_seconds: float = 0.0

    @classmethod
    def from_settings(cls, settings: Settings, max_turns: int | None = None) -> Limits:
        a = settings.agent
        return cls(
            max_turns or a.max_turns, a.max_cost_usd, a.max_tokens_total, a.wall_clock_seconds
        )


@dataclass
class RunCounters:
    turns: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    started: float = field(default_factory=time.monotonic)


class AgentLoop:
    """One thread's run. The session builds it; front-ends never see it."""

    def __init__(
        self,
        *,
        state: ThreadState,
        record: Callable[[Event], int],
        emit: Callable[[Event], object],  # the session records stored events, returns seq
        model: ModelClient,
        request: Callable[[], ModelRequest],
        calls: CallRunner,
        limits: Limits,
        price: Callable[[str, Usage], float],
        compact: Callable[[], Any] | None = None,
        compact_needed: Callable[[], bool] | None = None,
        tracer: Any = None,
        thread_id: Callable[[], str] | None = None,
        stored: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        from harness.agent.tracing import Tracing

        self.tracer = tracer or Tracing.disabled()
        self.state, self.record, self.emit = state, record, emit
        self.model, self.request, self.calls = model, request, calls
        self.limits, self.price = limits, price
        self.compact, self.compact_needed = compact, compact_needed
        self.counters = RunCounters()
        calls.on_spend = self._add_spend  # a sub-agent's spend comes back in its result
        self.thread_id = thread_id or (lambda: "")
        self.stored = stored or _nothing_queued  # the steps so far are in the store

    # --- the loop ------------------------------------------------------------------------

    async def run(self, prompt: str | None = None) -> RunResult:
        """Run until the model ends its turn, a limit, an unanswered ask, or cancellation."""
        try:
            if prompt is not None:
                self.record(UserMessage(text=prompt))
            while True:
                step = self._next_step()
                if step is None:
                    return self._finish("done", self.state.final_text)
                self._refuse_repeated_failure(step)
                try:
                    await self._take(step)
                except PASS_THROUGH:
                    raise
                except Exception as exc:  # a bug or a poisoned value: stop cleanly, say where
                    raise self._step_failed(step, exc) from exc
        except AwaitingApproval:
            return self._finish("awaiting_approval", "")
        except LimitReached as exc:
            self.record(ErrorEvent(message=str(exc), kind="limit"))
            return self._finish("limit", str(exc), error=str(exc))
        except RunFailed as exc:
            if not exc.recorded:
                self.record(ErrorEvent(message=str(exc), kind="model"))
            return self._finish("failed", str(exc), error=str(exc))
        except asyncio.CancelledError:
            return self.cancelled()

    def cancelled(self) -> RunResult:
        """Record that the run was stopped (signal, Esc) and end it as cancelled."""
        self.record(Interrupted(reason="cancelled"))
        return self._finish("cancelled", "cancelled by the user", error="cancelled")

    def _next_step(self) -> Step | None:
        """What the log says comes next: its open tool calls, a model turn, or nothing."""
        if not self.state.unresolved_calls and self.state.needs_continuation:
            self.record(UserMessage(text=MAX_TOKENS_NUDGE))  # cut by the token limit
        if self.state.unresolved_calls or self.state.needs_model:
            return self._current_step()
        return None

    def _current_step(self) -> Step:
        calls = self.state.unresolved_calls
        if calls:  # the first call without a result is the one running (or failing)
            return Step(f"call {calls[0]['id']} ({calls[0].get('name', '?')})", "calls")
        return Step("model turn", "turn")

    async def _take(self, step: Step) -> None:
        if step.kind == "calls":
            await self.calls.run_pending(self.state.unresolved_calls)
            return
        self._check_limits()
        if self.compact and self.compact_needed and self.compact_needed():
            await self.compact()
        with self.tracer.span("turn", {"harness.turn": self.state.num_turns + 1}):
            await self.step()
            if self.state.unresolved_calls:  # the turn's tool calls are part of it
                await self.calls.run_pending(self.state.unresolved_calls)

    # --- poisoned steps ------------------------------------------------------------------

    def _fork_point(self, step: Step) -> int:
        """The checkpoint before the reply that led to the failing step: forking there asks
        the model anew instead of replaying the poisoned value."""
        if self.state.last_assistant_seq:
            return self.state.last_assistant_seq - 1
        return self.state.last_seq

    def _fork_hint(self, step: Step, fork_at: int) -> str:
        thread = self.thread_id() or "THREAD"
        return (
            f"the step {step.name} failed the same way twice, so resuming would fail again; "
            f"continue in a new thread from before it: harness sessions fork {thread}@{fork_at}"
        )

    def _refuse_repeated_failure(self, step: Step) -> None:
        failures = self.state.failures
        if len(failures) >= 2 and failures[-1] == failures[-2] and failures[-1][0] == step.name:
            message = f"{self._fork_hint(step, self._fork_point(step))} ({failures[-1][1]})"
            self.record(ErrorEvent(message=message, kind="runtime"))
            raise RunFailed(message, recorded=True)

    def _step_failed(self, step: Step, exc: Exception) -> RunFailed:
        step = self._current_step()  # a turn that got as far as its calls fails at a call
        signature = storable_text(f"{type(exc).__name__}: {exc}")[:300]
        fork_at = self._fork_point(step)
        again = bool(self.state.failures) and self.state.failures[-1] == (step.name, signature)
        message = (
            f"{self._fork_hint(step, fork_at)} ({signature})" if again
            else f"the step {step.name} failed unexpectedly ({signature}); the thread is "
            "saved up to it"
        )
        self.record(ErrorEvent(message=message, kind="step", step=step.name,
                               signature=signature, fork_at=fork_at))
        return RunFailed(message, recorded=True)

    async def step(self) -> None:
        """One model turn: stream, record the message, note the turn."""
        request = self.request()
        with self.tracer.span("model_call", {
            "gen_ai.system": "anthropic", "gen_ai.request.model": request.model,
        }) as span:
            response = await self._query(request)
            cost = self.price(response.model, response.usage)
            span.set_usage(response.usage, cost_usd=cost)
            span.set_many({"gen_ai.response.model": response.model,
                           "harness.stop_reason": response.stop_reason or ""})
        self.counters.turns += 1
        self.counters.usage = self.counters.usage + response.usage
        self.counters.cost_usd += cost
        content = storable(list(response.content), keep_nul=True)
        if (
            response.stop_reason == "max_tokens"
            and content
            and content[-1].get("type") == "tool_use"
        ):
            content.pop()  # the block being written when the limit hit is incomplete
        self.record(
            AssistantMessage(
                content=content,
                stop_reason=response.stop_reason,
                model=response.model,
                usage=response.usage,
                cost_usd=cost,
            )
        )
        for block in content:
            if block.get("type") == "text" and block.get("text"):
                self.emit(AssistantText(text=block["text"]))
            elif block.get("type") == "tool_use":
                self.record(
                    ToolCallEvent(
                        call_id=block["id"], tool=block["name"], input=block.get("input") or {}
                    )
                )
        self.record(
            TurnCompleted(
                turn=self.state.num_turns + 1,
                usage=response.usage,
                cost_usd=cost,
                stop_reason=response.stop_reason,
            )
        )
        if response.stop_reason == "refusal":
            raise RunFailed("the model declined to continue (stop_reason: refusal)")
        if response.stop_reason == "max_tokens" and not self.state.unresolved_calls:
            self.record(UserMessage(text=MAX_TOKENS_NUDGE))

    async def _query(self, request: ModelRequest) -> ModelResponse:
        """Stream one response; deltas go to the front-end only, the log gets the whole."""
        partial: list[str] = []
        await self.stored()  # a step the store failed to take stops the run before a request
        try:
            async for item in self.model.stream(request):
                if isinstance(item, TextDelta):
                    if item.kind == "text":
                        partial.append(item.text)
                    self.emit(AssistantDelta(text=item.text, kind=item.kind))
                elif isinstance(item, ToolUseStart):
                    self.emit(ToolInputDelta(tool=item.name))
                elif isinstance(item, ToolInputJsonDelta):
                    self.emit(ToolInputDelta(partial_json=item.partial_json))
                elif isinstance(item, RetryNotice):
                    partial.clear()
                    self.emit(Retrying(attempt=item.attempt, delay=item.delay, reason=item.reason))
                elif isinstance(item, ModelResponse):
                    return item
        except asyncio.CancelledError:
            self._record_cut(partial, request.model, "cancelled")
            raise
        except ModelError as exc:
            self._record_cut(partial, request.model, "stream_cut")  # a dropped stream
            raise RunFailed(exc.message) from None
        raise RunFailed("the model stream ended without a message")

    def _record_cut(self, partial: list[str], model: str, why: str) -> None:
        """Keep what the person saw of a reply that never finished, marked partial: it is
        never the final answer (the fold asks the model again, saying it was cut)."""
        if partial:
            self.record(
                AssistantMessage(
                    content=[{"type": "text", "text": storable_text("".join(partial))}],
                    partial=True,
                    stop_reason=why,
                    model=model,
                )
            )

    def _check_limits(self) -> None:
        c, lim = self.counters, self.limits
        if lim.max_turns and c.turns >= lim.max_turns:
            raise LimitReached(
                f"turn limit reached ({lim.max_turns} turns); resume the thread to continue"
            )
        if lim.max_cost_usd and c.cost_usd >= lim.max_cost_usd:
            raise LimitReached(
                f"cost budget reached (${c.cost_usd:.4f} of ${lim.max_cost_usd:.4f})"
            )
        if lim.max_tokens_total and c.usage.total >= lim.max_tokens_total:
            raise LimitReached(
                f"token budget reached ({c.usage.total} of {lim.max_tokens_total} tokens)"
            )
        if lim.wall_clock_seconds and time.monotonic() - c.started >= lim.wall_clock_seconds:
            raise LimitReached(f"time limit reached ({lim.wall_clock_seconds:.0f}s)")

    def _add_spend(self, usage: Usage, cost_usd: float) -> None:
        self.counters.usage = self.counters.usage + usage
        self.counters.cost_usd += cost_usd

    def _finish(self, status: RunStatus, text: str, error: str | None = None) -> RunResult:
        c = self.counters
        self.record(
            Result(
                status=status,
                result=text,
                is_error=status in ("failed", "limit", "cancelled"),
                num_turns=c.turns,
                usage=c.usage,
                cost_usd=c.cost_usd,
            )
        )
        return RunResult(
            status=status,
            result=text,
            num_turns=c.turns,
            usage=c.usage,
            cost_usd=c.cost_usd,
            error=error,
        )


def outcome_unknown_result(call: dict[str, Any]) -> ToolResult:
    return ToolResult(
        call_id=call["id"],
        tool=call["name"],
        content=OUTCOME_UNKNOWN,
        is_error=True,
        outcome_unknown=True,
    )


async def _nothing_queued() -> None:
    """The default barrier: the step records wrote are stored already."""
