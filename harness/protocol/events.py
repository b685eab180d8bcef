"""Typed events: the unit of storage and of every front-end's stream, as one closed union.

`Event` is a discriminated union on `type`; a consumer dispatches with `match` and ends
with `assert_never`, so an event added here and not handled fails the type check. Models
are strict (an undeclared field is an error when code builds an event). Reading a log is
lenient (`decode`): fields this version does not declare are kept beside the event and
written back by `encode`, and a type it does not know decodes to `UnknownEvent`, so an
older harness never drops what a newer one wrote. `STREAM_ONLY` events go to front-ends
but are never stored (token deltas, retry notices).
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, Union, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from harness.protocol.kinds import (
    Category,
    DecisionOutcome,
    DecisionSource,
    DeltaKind,
    ErrorKind,
    Grade,
    Mode,
    RequestKind,
    RunStatus,
    Scope,
)
from harness.protocol.usage import Usage

SCHEMA_VERSION = 1


class EventBase(BaseModel):
    """Fields every event carries. Subclasses add a `type: Literal[...]` tag."""

    model_config = ConfigDict(extra="forbid")
    STREAM_ONLY: ClassVar[bool] = False

    type: str  # each event narrows it to its own Literal tag (first field in the JSON)
    v: int = SCHEMA_VERSION
    ts: float = Field(default_factory=time.time)
    # Fields a newer writer put in the log that this version does not declare (decode only).
    _unknown: dict[str, Any] = PrivateAttr(default_factory=dict)


# --- stored events -------------------------------------------------------------------


class SessionStarted(EventBase):
    type: Literal["session_started"] = "session_started"
    project: str = ""
    model: str = ""
    mode: Mode = "default"
    front_end: str = ""  # tui | inline | headless | demo
    resumed: bool = False
    # The run's own options (allow/deny rules, mode, model, budget, max_turns, on_ask), so a
    # later resume keeps them unless its command overrides them (see agent/run_options.py).
    options: dict[str, Any] = Field(default_factory=dict)


class Attachment(BaseModel):
    """A file's content attached to a prompt with `@path` (read when the prompt was sent,
    so the thread keeps what the model saw even if the file changes later)."""

    model_config = ConfigDict(extra="forbid")

    path: str  # as the person typed it, relative to the project root
    content: str
    truncated: bool = False  # cut at the attachment size cap
    size: int = 0  # the file's size in bytes


class UserMessage(EventBase):
    type: Literal["user_message"] = "user_message"
    text: str  # what the person typed; attachments are kept beside it, not pasted in
    attachments: list[Attachment] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _drop_no_attachments(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not data.get("attachments"):
            data.pop("attachments", None)  # a plain prompt reads as it always did
        return data


class UserShell(EventBase):
    """`!cmd`: a shell command the person ran themselves (no permission ask; sandboxed).
    Its output reaches the model with the next prompt."""

    type: Literal["user_shell"] = "user_shell"
    command: str
    output: str  # stdout and stderr, capped
    exit_code: int | None = None  # None: it did not run (sandbox refused, timed out)
    is_error: bool = False
    cwd: str = ""
    duration_ms: float = 0.0


class AssistantMessage(EventBase):
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


class ToolCallEvent(EventBase):
    type: Literal["tool_call"] = "tool_call"
    call_id: str
    tool: str
    input: dict[str, Any]


class PermissionRequest(EventBase):
    """An `ask`: the thread waits here for a human (or a hook, or --on-ask)."""

    type: Literal["permission_request"] = "permission_request"
    call_id: str
    tool: str
    input: dict[str, Any]
    kind: RequestKind = "permission"
    category: Category | Literal[""] = ""
    reason: str = ""
    rule: str | None = None
    grade: Grade = "recoverable"
    preview: str = ""  # unified diff, command, or what a push would send
    session_scope_allowed: bool = True  # False for irreversible calls
    # Set when a sub-agent asks through its parent: which agent, its thread, the Task call.
    # Left out of the JSON when unset, so a top-level request reads as it always did.
    agent: str | None = None
    thread_id: str | None = None
    parent_call_id: str | None = None

    @model_serializer(mode="wrap")
    def _drop_unset_tags(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in SUBAGENT_TAGS:
            if data.get(key, "") is None:
                del data[key]
        return data


SUBAGENT_TAGS = ("agent", "thread_id", "parent_call_id")


class PermissionDecision(EventBase):
    type: Literal["permission_decision"] = "permission_decision"
    call_id: str
    outcome: DecisionOutcome
    source: DecisionSource = "engine"
    scope: Scope | None = None
    rule: str | None = None  # the rule that decided, or the rule a session/project grant added
    reason: str = ""
    feedback: str | None = None  # reject-with-feedback text, returned to the model
    edited_input: dict[str, Any] | None = None
    answer: str | None = None  # AskUser answer


class GrantRevoked(EventBase):
    """`harness permissions grants --revoke`: a session approval (the decision at
    `granted_seq`, which added `rule`) no longer applies when the thread resumes."""

    type: Literal["grant_revoked"] = "grant_revoked"
    rule: str
    granted_seq: int = 0


class ToolStarted(EventBase):
    type: Literal["tool_started"] = "tool_started"
    call_id: str
    tool: str
    input: dict[str, Any]


class ToolResult(EventBase):
    type: Literal["tool_result"] = "tool_result"
    call_id: str
    tool: str
    content: str
    is_error: bool = False
    outcome_unknown: bool = False
    duration_ms: float = 0.0
    metadata: dict[str, Any] = Field(default_factory=dict)  # diff, todos, file_reads, exit_code


class TurnCompleted(EventBase):
    type: Literal["turn_completed"] = "turn_completed"
    turn: int
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    stop_reason: str | None = None


class Compaction(EventBase):
    """A model-written summary that replaces every message before this event."""

    type: Literal["compaction"] = "compaction"
    summary: str
    replaced_events: int = 0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0


class ModeChanged(EventBase):
    type: Literal["mode_changed"] = "mode_changed"
    mode: Mode


class ModelChanged(EventBase):
    """`/model NAME`: later turns of this thread use another model."""

    type: Literal["model_changed"] = "model_changed"
    model: str


class FileSnapshot(EventBase):
    """Prior content of a file saved in the shadow repository before a tool changed it."""

    type: Literal["file_snapshot"] = "file_snapshot"
    call_id: str
    path: str
    commit: str  # shadow-repo commit holding the prior content
    existed: bool = True


class Interrupted(EventBase):
    type: Literal["interrupted"] = "interrupted"
    reason: str = "cancelled"


class ErrorEvent(EventBase):
    type: Literal["error"] = "error"
    message: str
    kind: ErrorKind = "runtime"
    retryable: bool = False
    # kind "step": the step that failed unexpectedly ("call ID (TOOL)" or "model turn") and
    # the failure's signature; the same failure twice in a row stops the thread (fork hint).
    step: str | None = None
    signature: str | None = None
    fork_at: int | None = None


class PendingShown(EventBase):
    """A pending request was printed to a person (headless exit 3), so an answer without
    `--call` may bind to it. `by_answering_run`: the run that printed it was itself carrying
    an answer (a retried `resume --approve` would land on this call: never id-less)."""

    type: Literal["pending_shown"] = "pending_shown"
    call_id: str
    by_answering_run: bool = False


class Result(EventBase):
    """End of one run (a prompt or a resume), with the outcome scripts read."""

    type: Literal["result"] = "result"
    status: RunStatus
    result: str = ""
    is_error: bool = False
    num_turns: int = 0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0


class SubagentStarted(EventBase):
    type: Literal["subagent_started"] = "subagent_started"
    call_id: str
    agent: str
    child_thread_id: str
    resumed: bool = False  # the Task call was re-run and continues its existing child thread


class SubagentFinished(EventBase):
    type: Literal["subagent_finished"] = "subagent_finished"
    call_id: str
    agent: str
    child_thread_id: str
    status: str = "done"  # a RunStatus, or "invalid_output" (the reply broke its schema)
    usage: Usage = Field(default_factory=Usage)  # this run of the child (the parent's budget)
    cost_usd: float = 0.0
    error: str | None = None
    # The child thread's whole spend so far (every run, its own sub-agents included); the
    # latest per call_id is what the parent's totals count. Unset (0) in older logs.
    total_usage: Usage = Field(default_factory=Usage)
    total_cost_usd: float = 0.0
    # Calls the child refused in this run ({call_id, tool, input, reason, rule, source}), so
    # the parent's front-end can report them (headless `permission_denials`).
    denials: list[dict[str, Any]] = Field(default_factory=list)


class UnknownEvent(EventBase):
    """A stored event of a type this version does not know (written by a newer harness):
    kept whole in `data`, shown by nobody, folded into nothing."""

    type: Literal["unknown"] = "unknown"
    original_type: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


# --- stream-only events (never stored) ----------------------------------------------


class AssistantDelta(EventBase):
    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["assistant_delta"] = "assistant_delta"
    text: str
    kind: DeltaKind = "text"


class ToolInputDelta(EventBase):
    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["tool_input_delta"] = "tool_input_delta"
    tool: str = ""
    partial_json: str = ""


class Retrying(EventBase):
    """The model call failed and is retried; front-ends drop any partial text shown."""

    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["retrying"] = "retrying"
    attempt: int
    delay: float
    reason: str


class AssistantText(EventBase):
    """A complete text block (stream-json's `assistant_text`), emitted after the message."""

    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["assistant_text"] = "assistant_text"
    text: str


class ToolProgress(EventBase):
    STREAM_ONLY: ClassVar[bool] = True
    type: Literal["tool_progress"] = "tool_progress"
    call_id: str
    text: str


Event: TypeAlias = Annotated[
    Union[  # noqa: UP007  (one member per line reads better than a 400-character `|` chain)
        SessionStarted, UserMessage, UserShell, AssistantMessage, ToolCallEvent, PermissionRequest,
        PermissionDecision, ToolStarted, ToolResult, TurnCompleted, Compaction, ModeChanged,
        ModelChanged, FileSnapshot, Interrupted, ErrorEvent, PendingShown, Result,
        SubagentStarted, SubagentFinished, GrantRevoked, UnknownEvent,
        AssistantDelta, ToolInputDelta, Retrying, AssistantText, ToolProgress,
    ],
    Field(discriminator="type"),
]

EVENT_CLASSES: tuple[type[EventBase], ...] = get_args(get_args(Event)[0])
EVENT_TYPES: dict[str, type[EventBase]] = {
    cls.model_fields["type"].default: cls for cls in EVENT_CLASSES
}


def encode(event: EventBase) -> str:
    """Stable JSON: declared fields in declaration order, then any fields kept from decoding;
    compact separators. An `UnknownEvent` is written back exactly as it was read."""
    if isinstance(event, UnknownEvent):
        return json.dumps(event.data, separators=(",", ":"), ensure_ascii=False)
    if not event._unknown:
        # pydantic's own serializer: the same compact JSON as below, 4x faster (an append's
        # largest cost).
        return event.model_dump_json()
    data = event.model_dump(mode="json")
    for key, value in event._unknown.items():
        data.setdefault(key, value)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode(data: str | bytes | dict[str, Any]) -> Event:
    """Read an event from a log, leniently: undeclared fields are kept aside (see `encode`),
    an unknown `type` becomes an `UnknownEvent` holding the whole object."""
    raw: dict[str, Any] = json.loads(data) if isinstance(data, (str, bytes)) else data
    cls = EVENT_TYPES.get(raw.get("type", ""))
    if cls is None or cls is UnknownEvent:
        return UnknownEvent(original_type=str(raw.get("type", "")), data=raw)
    fields = cls.model_fields
    known = {k: v for k, v in raw.items() if k in fields}
    event = cls.model_validate(known)
    event._unknown = {k: v for k, v in raw.items() if k not in fields}
    return event  # type: ignore[return-value]  # cls is one member of the union
