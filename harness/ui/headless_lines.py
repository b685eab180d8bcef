"""Internal events → the public headless lines (headless_schema.py), and what a run's result
reports about itself: the calls it refused and the time it spent waiting on the model.

The mapping is one `match` over the closed event union: an event added to the protocol
fails the type check here until someone decides whether (and how) scripts see it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, assert_never

from harness.protocol.events import (
    AssistantDelta,
    AssistantMessage,
    AssistantText,
    Compaction,
    ErrorEvent,
    Event,
    FileSnapshot,
    GrantRevoked,
    Interrupted,
    ModeChanged,
    ModelChanged,
    PendingShown,
    PermissionDecision,
    PermissionRequest,
    Result,
    Retrying,
    SessionStarted,
    SubagentFinished,
    SubagentStarted,
    ToolCallEvent,
    ToolInputDelta,
    ToolProgress,
    ToolResult,
    ToolStarted,
    TurnCompleted,
    UnknownEvent,
    UserMessage,
    UserShell,
)
from harness.protocol.usage import Usage
from harness.ui import headless_schema as pub


@dataclass
class LineContext:
    """What a line needs besides its event."""

    thread_id: str
    seq: int
    cost_known: bool = True  # False: costs are null, never 0
    include_partial: bool = False  # --include-partial-messages


def public_usage(usage: Usage) -> pub.PublicUsage:
    return pub.PublicUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_creation_input_tokens=usage.cache_creation_input_tokens,
        cache_read_input_tokens=usage.cache_read_input_tokens,
    )


def public_line(event: Event, ctx: LineContext) -> pub.StreamLine | None:
    """The `stream-json` line for `event`, or None when scripts do not see it."""
    base: dict[str, Any] = {"ts": event.ts, "thread_id": ctx.thread_id, "seq": ctx.seq}

    def cost(value: float) -> float | None:
        return round(value, 6) if ctx.cost_known else None

    match event:
        case SessionStarted():
            return pub.SessionStartedLine(**base, project=event.project, model=event.model,
                                          mode=event.mode, front_end=event.front_end,
                                          resumed=event.resumed)
        case UserMessage():
            return pub.UserMessageLine(**base, text=event.text)
        case AssistantText():
            return pub.AssistantTextLine(**base, text=event.text)
        case AssistantDelta():
            if not ctx.include_partial or event.kind != "text":
                return None
            return pub.TextDeltaLine(**base, text=event.text)
        case ToolCallEvent():
            return pub.ToolCallLine(**base, call_id=event.call_id, tool=event.tool,
                                    input=event.input)
        case PermissionRequest():
            return pub.PermissionRequestLine(
                **base, call_id=event.call_id, tool=event.tool, input=event.input,
                kind=event.kind, category=event.category, reason=event.reason, rule=event.rule,
                grade=event.grade, preview=event.preview, agent=event.agent,
                agent_thread_id=event.thread_id, parent_call_id=event.parent_call_id,
            )
        case PermissionDecision():
            return pub.PermissionDecisionLine(
                **base, call_id=event.call_id, outcome=event.outcome, source=event.source,
                scope=event.scope, rule=event.rule, reason=event.reason,
                feedback=event.feedback, edited_input=event.edited_input, answer=event.answer,
            )
        case ToolStarted():
            return pub.ToolStartedLine(**base, call_id=event.call_id, tool=event.tool,
                                       input=event.input)
        case ToolProgress():
            return pub.ToolProgressLine(**base, call_id=event.call_id, text=event.text)
        case ToolResult():
            return pub.ToolResultLine(
                **base, call_id=event.call_id, tool=event.tool, content=event.content,
                is_error=event.is_error, outcome_unknown=event.outcome_unknown,
                duration_ms=round(event.duration_ms, 1),
            )
        case TurnCompleted():
            return pub.TurnCompletedLine(**base, turn=event.turn, usage=public_usage(event.usage),
                                         cost_usd=cost(event.cost_usd),
                                         stop_reason=event.stop_reason)
        case Compaction():
            return pub.CompactionLine(**base, replaced_events=event.replaced_events,
                                      usage=public_usage(event.usage),
                                      cost_usd=cost(event.cost_usd))
        case ModeChanged():
            return pub.ModeChangedLine(**base, mode=event.mode)
        case ModelChanged():
            return pub.ModelChangedLine(**base, model=event.model)
        case Interrupted():
            return pub.InterruptedLine(**base, reason=event.reason)
        case Retrying():
            return pub.RetryingLine(**base, attempt=event.attempt, delay=event.delay,
                                    reason=event.reason)
        case ErrorEvent():
            return pub.ErrorLine(**base, message=event.message, kind=event.kind)
        case SubagentStarted():
            return pub.SubagentStartedLine(**base, call_id=event.call_id, agent=event.agent,
                                           child_thread_id=event.child_thread_id,
                                           resumed=event.resumed)
        case SubagentFinished():
            return pub.SubagentFinishedLine(
                **base, call_id=event.call_id, agent=event.agent,
                child_thread_id=event.child_thread_id, status=event.status,
                usage=public_usage(event.usage), cost_usd=cost(event.cost_usd), error=event.error,
            )
        case AssistantMessage():
            return None  # its blocks are the assistant_text and tool_call lines
        case Result():
            return None  # the run's own result line, with more in it, is written at the end
        case FileSnapshot() | PendingShown() | ToolInputDelta() | UnknownEvent():
            return None  # harness's bookkeeping, or nothing a script can use
        case UserShell():
            return None  # `!cmd` is typed in the TUI or inline prompt, never in a headless run
        case GrantRevoked():
            return None  # written by `harness permissions grants --revoke`, not by a run
        case _:
            assert_never(event)


@dataclass
class RunRecord:
    """What one headless command saw happen: refused calls and model waiting time.

    Model time is measured on the event stream: the wait from the last stored step before
    a model response (or compaction) to its arrival, retries included. Sub-agents' own
    model calls are inside their Task call and are not counted."""

    lookup_call: Callable[[str], tuple[str, dict[str, Any]] | None] = lambda _id: None
    clock: Callable[[], float] = time.monotonic
    started: float = 0.0
    api_seconds: float = 0.0
    denials: list[pub.Denial] = field(default_factory=list)
    _calls: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    _anchor: float | None = None

    def __post_init__(self) -> None:
        self.started = self._anchor = self.clock()

    def see(self, event: Event) -> None:
        now = self.clock()
        if isinstance(event, (AssistantMessage, Compaction)) and self._anchor is not None:
            self.api_seconds += max(0.0, now - self._anchor)
        if isinstance(event, (ToolCallEvent, PermissionRequest)):
            self._calls[event.call_id] = (event.tool, dict(event.input))
        if isinstance(event, PermissionDecision) and event.outcome == "deny":
            self.denials.append(self._denial(event))
        if isinstance(event, SubagentFinished):  # what the sub-agent refused, in its thread
            for d in event.denials:
                input_ = dict(d.get("input") or {})
                self.denials.append(pub.Denial(
                    call_id=str(d.get("call_id", "")), tool=str(d.get("tool", "")),
                    input=input_, reason=str(d.get("reason") or ""), rule=d.get("rule"),
                    source=str(d.get("source", "")), tool_name=str(d.get("tool", "")),
                    tool_use_id=str(d.get("call_id", "")), tool_input=input_,
                    agent=event.agent, agent_thread_id=event.child_thread_id))
        if not event.STREAM_ONLY:
            self._anchor = now

    def _denial(self, event: PermissionDecision) -> pub.Denial:
        tool, input_ = self._calls.get(event.call_id) or self.lookup_call(event.call_id) or (
            "", {})
        reason = event.reason or event.feedback or ""
        return pub.Denial(call_id=event.call_id, tool=tool, input=input_, reason=reason,
                          rule=event.rule, source=event.source, tool_name=tool,
                          tool_use_id=event.call_id, tool_input=input_)

    @property
    def duration_ms(self) -> int:
        return round((self.clock() - self.started) * 1000)

    @property
    def duration_api_ms(self) -> int:
        return round(self.api_seconds * 1000)


# A limit's message (agent/loop.py `_check_limits`) → its subtype; checked by a test per row.
LIMIT_SUBTYPES: tuple[tuple[str, pub.Subtype], ...] = (
    ("turn limit", "error_max_turns"),
    ("cost budget", "error_max_budget"),
    ("token budget", "error_max_budget"),
    ("time limit", "error_max_duration"),
)


def subtype_for(status: pub.Status, error: str | None) -> pub.Subtype:
    match status:
        case "done":
            return "success"
        case "failed":
            return "error_during_execution"
        case "cancelled":
            return "cancelled"
        case "awaiting_approval":
            return "awaiting_approval"
        case "limit":
            text = (error or "").lower()
            return next((sub for prefix, sub in LIMIT_SUBTYPES if text.startswith(prefix)),
                        "error_max_budget")
        case _:
            assert_never(status)
