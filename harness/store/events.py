"""Typed events: the unit of storage. A session is an append-only log of these.

Encoding is stable JSON (`encode`/`decode`). Every event carries `type` and the schema
version `v`; fields this version does not know are kept (extra="allow") so an older
harness never drops what a newer one wrote. Events marked `STREAM_ONLY` are emitted to
front-ends but never stored (token deltas, retry notices).
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

ThreadStateName = Literal[
    "running", "awaiting_approval", "done", "failed", "cancelled", "abandoned"
]
THREAD_STATES: tuple[str, ...] = (
    "running", "awaiting_approval", "done", "failed", "cancelled", "abandoned",
)


class Usage(BaseModel):
    """Token counts of one model response (or a sum of several)."""

    model_config = ConfigDict(extra="allow")
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens
            + other.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
        )

    @property
    def total(self) -> int:
        return (
            self.input_tokens + self.output_tokens
            + self.cache_creation_input_tokens + self.cache_read_input_tokens
        )

    @property
    def context_tokens(self) -> int:
        """Tokens the model saw as input for this response (what fills the window)."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


class Event(BaseModel):
    """Base of every event. `type` selects the class; unknown types decode to Event itself."""

    model_config = ConfigDict(extra="allow")
    STREAM_ONLY: ClassVar[bool] = False

    type: str
    v: int = SCHEMA_VERSION
    ts: float = Field(default_factory=time.time)


# --- stored events -------------------------------------------------------------------


class SessionStarted(Event):
    type: Literal["session_started"] = "session_started"
    project: str = ""
    model: str = ""
    mode: str = "default"
    front_end: str = ""  # tui | inline | headless | demo
    resumed: bool = False
    # The run's own options (allow/deny rules, mode, model, budget, max_turns, on_ask), so a
    # later resume keeps them unless its command overrides them (see agent/run_options.py).
    options: dict[str, Any] = Field(default_factory=dict)


class UserMessage(Event):
    type: Literal["user_message"] = "user_message"
    text: str


class AssistantMessage(Event):
    """One complete model response: Anthropic content blocks as sent on the wire."""

    type: Literal["assistant_message"] = "assistant_message"
    content: list[dict[str, Any]]  # {"type": "text"|"thinking"|"tool_use", ...}
    stop_reason: str | None = None
    model: str = ""
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    # Cut by a signal, a crash or a dropped stream: kept for the record, never the model's
    # final answer; the fold asks the model again with a note that its reply was cut.
    partial: bool = False


class ToolCallEvent(Event):
    type: Literal["tool_call"] = "tool_call"
    call_id: str
    tool: str
    input: dict[str, Any]


class PermissionRequest(Event):
    """An `ask`: the thread waits here for a human (or a hook, or --on-ask)."""

    type: Literal["permission_request"] = "permission_request"
    call_id: str
    tool: str
    input: dict[str, Any]
    kind: Literal["permission", "question"] = "permission"  # question = AskUser
    category: str = ""
    reason: str = ""
    rule: str | None = None
    grade: str = "recoverable"  # reversible | recoverable | irreversible
    preview: str = ""  # unified diff, command, or what a push would send
    session_scope_allowed: bool = True  # False for irreversible calls


class PermissionDecision(Event):
    type: Literal["permission_decision"] = "permission_decision"
    call_id: str
    outcome: Literal["allow", "deny"]
    source: Literal["rule", "mode", "human", "hook", "session", "on_ask", "engine"] = "engine"
    scope: Literal["once", "session", "project"] | None = None
    rule: str | None = None  # the rule that decided, or the rule a session/project grant added
    reason: str = ""
    feedback: str | None = None  # reject-with-feedback text, returned to the model
    edited_input: dict[str, Any] | None = None
    answer: str | None = None  # AskUser answer


class ToolStarted(Event):
    type: Literal["tool_started"] = "tool_started"
    call_id: str
    tool: str
    input: dict[str, Any]


class ToolResult(Event):
    type: Literal["tool_result"] = "tool_result"
    call_id: str
    tool: str
    content: str
    is_error: bool = False
    outcome_unknown: bool = False
    duration_ms: float = 0.0
    metadata: dict[str, Any] = Field(default_factory=dict)  # diff, todos, file_reads, exit_code


class TurnCompleted(Event):
    type: Literal["turn_completed"] = "turn_completed"
    turn: int
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    stop_reason: str | None = None


class Compaction(Event):
    """A model-written summary that replaces every message before this event."""

    type: Literal["compaction"] = "compaction"
    summary: str
    replaced_events: int = 0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0


class ModeChanged(Event):
    type: Literal["mode_changed"] = "mode_changed"
    mode: str


class ModelChanged(Event):
    """`/model NAME`: later turns of this thread use another model."""

    type: Literal["model_changed"] = "model_changed"
    model: str


class FileSnapshot(Event):
    """Prior content of a file saved in the shadow repository before a tool changed it."""

    type: Literal["file_snapshot"] = "file_snapshot"
    call_id: str
    path: str
    commit: str  # shadow-repo commit holding the prior content
    existed: bool = True


class Interrupted(Event):
    type: Literal["interrupted"] = "interrupted"
    reason: str = "cancelled"


class ErrorEvent(Event):
    type: Literal["error"] = "error"
    message: str
    kind: str = "runtime"  # model | config | limit | runtime | tool | hook | step
    retryable: bool = False
    # kind "step": the step that failed unexpectedly ("call ID (TOOL)" or "model turn") and
    # the failure's signature; the same failure twice in a row stops the thread (fork hint).
    step: str | None = None
    signature: str | None = None
    fork_at: int | None = None


class PendingShown(Event):
    """A pending request was printed to a person (headless exit 3), so an answer without
    `--call` may bind to it. `by_answering_run`: the run that printed it was itself carrying
    an answer (a retried `resume --approve` would land on this call: never id-less)."""

    type: Literal["pending_shown"] = "pending_shown"
    call_id: str
    by_answering_run: bool = False


class Result(Event):
    """End of one run (a prompt or a resume), with the outcome scripts read."""

    type: Literal["result"] = "result"
    status: Literal["done", "failed", "cancelled", "limit", "awaiting_approval"]
    result: str = ""
    is_error: bool = False
    num_turns: int = 0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0


class SubagentStarted(Event):
    type: Literal["subagent_started"] = "subagent_started"
    call_id: str
    agent: str
    child_thread_id: str


class SubagentFinished(Event):
    type: Literal["subagent_finished"] = "subagent_finished"
    call_id: str
    agent: str
    child_thread_id: str
    status: str = "done"
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0


# --- stream-only events (never stored) ----------------------------------------------


class AssistantDelta(Event):
    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["assistant_delta"] = "assistant_delta"
    text: str
    kind: Literal["text", "thinking"] = "text"


class ToolInputDelta(Event):
    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["tool_input_delta"] = "tool_input_delta"
    tool: str = ""
    partial_json: str = ""


class Retrying(Event):
    """The model call failed and is retried; front-ends drop any partial text shown."""

    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["retrying"] = "retrying"
    attempt: int
    delay: float
    reason: str


class AssistantText(Event):
    """A complete text block (stream-json's `assistant_text`), emitted after the message."""

    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["assistant_text"] = "assistant_text"
    text: str


class ToolProgress(Event):
    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["tool_progress"] = "tool_progress"
    call_id: str
    text: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        SessionStarted, UserMessage, AssistantMessage, ToolCallEvent, PermissionRequest,
        PermissionDecision, ToolStarted, ToolResult, TurnCompleted, Compaction, ModeChanged,
        ModelChanged, FileSnapshot, Interrupted, ErrorEvent, PendingShown, Result,
        SubagentStarted,
        SubagentFinished,
        AssistantDelta, ToolInputDelta, Retrying, AssistantText, ToolProgress,
    )
}


def encode(event: Event) -> str:
    """Stable JSON: declared fields in declaration order, then extras; compact separators."""
    return json.dumps(event.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)


def decode(data: str | bytes | dict[str, Any]) -> Event:
    """Inverse of `encode`; an unknown `type` decodes to a plain Event with all its fields."""
    raw = json.loads(data) if isinstance(data, (str, bytes)) else data
    cls = EVENT_TYPES.get(raw.get("type", ""), Event)
    return cls.model_validate(raw)
