"""The public headless contract, version 1: every `stream-json` line and the `json` result.

These models are what scripts read; they are not the internal events (headless_lines.py
maps one to the other). The JSON Schema files shipped in `harness/ui/schemas/` are generated
from them (`python -m harness.ui.headless_schema --write`) and a test keeps them equal.
Changing a field here is a contract change: an added field is said in the README and the
files regenerated; removing or retyping one means a v2 with its own files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from harness.protocol.kinds import Category, DecisionOutcome, Grade, RequestKind, RunStatus

SCHEMA_VERSION = 1
SCHEMA_DIR = Path(__file__).parent / "schemas"

# How a headless run ended, in the names scripts written for Claude Code's `claude -p` read
# (`subtype`), next to harness's own `status`. Spelled here once; `subtype_for` picks one.
Subtype = Literal[
    "success",
    "error_max_turns",
    "error_max_budget",  # cost or token budget
    "error_max_duration",  # wall-clock limit
    "error_during_execution",
    "error_max_structured_output_retries",  # --json-schema: the answer broke it twice
    "awaiting_approval",
    "cancelled",
]
# harness's own status; `failed` also when the answer broke --json-schema after the retry.
Status: TypeAlias = RunStatus


class _Model(BaseModel):
    # Every field is always written, so the schema marks every field required.
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class PublicUsage(_Model):
    """Token counts (summed over the run's model calls)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class _Line(_Model):
    """Fields every line carries."""

    type: str  # each line narrows it to its own Literal tag (first field in the JSON)
    v: Literal[1] = Field(1, description="schema version of this line")
    ts: float = Field(description="Unix time the event happened")
    thread_id: str = Field(description="the thread (harness's session); resume it by this id")
    seq: int = Field(description="position in the thread's log; 0 for lines never stored")


class SessionStartedLine(_Line):
    type: Literal["session_started"] = "session_started"
    project: str
    model: str
    mode: str
    front_end: str
    resumed: bool


class UserMessageLine(_Line):
    type: Literal["user_message"] = "user_message"
    text: str


class AssistantTextLine(_Line):
    """A complete text block of the model's reply."""

    type: Literal["assistant_text"] = "assistant_text"
    text: str


class TextDeltaLine(_Line):
    """A piece of the reply as it streams (only with --include-partial-messages)."""

    type: Literal["text_delta"] = "text_delta"
    text: str


class ToolCallLine(_Line):
    type: Literal["tool_call"] = "tool_call"
    call_id: str
    tool: str
    input: dict[str, Any]


class PermissionRequestLine(_Line):
    type: Literal["permission_request"] = "permission_request"
    call_id: str
    tool: str
    input: dict[str, Any]
    kind: RequestKind
    category: Category | Literal[""]
    reason: str
    rule: str | None
    grade: Grade
    preview: str
    agent: str | None = Field(None, description="the sub-agent asking, if any")
    agent_thread_id: str | None = Field(None, description="that sub-agent's thread")
    parent_call_id: str | None = Field(None, description="the Task call that started it")


class PermissionDecisionLine(_Line):
    type: Literal["permission_decision"] = "permission_decision"
    call_id: str
    outcome: DecisionOutcome
    source: str = Field(description="who decided: rule, mode, human, hook, session, policy…")
    scope: str | None
    rule: str | None
    reason: str
    feedback: str | None
    edited_input: dict[str, Any] | None
    answer: str | None


class ToolStartedLine(_Line):
    type: Literal["tool_started"] = "tool_started"
    call_id: str
    tool: str
    input: dict[str, Any]


class ToolProgressLine(_Line):
    type: Literal["tool_progress"] = "tool_progress"
    call_id: str
    text: str


class ToolResultLine(_Line):
    type: Literal["tool_result"] = "tool_result"
    call_id: str
    tool: str
    content: str
    is_error: bool
    outcome_unknown: bool
    duration_ms: float


class TurnCompletedLine(_Line):
    type: Literal["turn_completed"] = "turn_completed"
    turn: int
    usage: PublicUsage
    cost_usd: float | None = Field(description="null when the model has no configured price")
    stop_reason: str | None


class CompactionLine(_Line):
    type: Literal["compaction"] = "compaction"
    replaced_events: int
    usage: PublicUsage
    cost_usd: float | None


class ModeChangedLine(_Line):
    type: Literal["mode_changed"] = "mode_changed"
    mode: str


class ModelChangedLine(_Line):
    type: Literal["model_changed"] = "model_changed"
    model: str


class InterruptedLine(_Line):
    type: Literal["interrupted"] = "interrupted"
    reason: str


class RetryingLine(_Line):
    type: Literal["retrying"] = "retrying"
    attempt: int
    delay: float
    reason: str


class ErrorLine(_Line):
    type: Literal["error"] = "error"
    message: str
    kind: str


class SubagentStartedLine(_Line):
    type: Literal["subagent_started"] = "subagent_started"
    call_id: str
    agent: str
    child_thread_id: str
    resumed: bool


class SubagentFinishedLine(_Line):
    type: Literal["subagent_finished"] = "subagent_finished"
    call_id: str
    agent: str
    child_thread_id: str
    status: str
    usage: PublicUsage
    cost_usd: float | None
    error: str | None


class NoticeLine(_Line):
    """Said once at start: a call of an earlier run whose outcome is unknown."""

    type: Literal["notice"] = "notice"
    kind: Literal["outcome_unknown"]
    call_id: str
    tool: str
    input: dict[str, Any]
    text: str


class Denial(_Model):
    """One tool call refused in this run (by a rule, the mode, a hook, a person or policy)."""

    call_id: str
    tool: str
    input: dict[str, Any]
    reason: str
    rule: str | None
    source: str = Field(description="who refused: rule, mode, hook, human, policy…")
    # The same values under the names Claude Code's `permission_denials` uses.
    tool_name: str
    tool_use_id: str
    tool_input: dict[str, Any]
    # Set when a sub-agent refused it: which agent, and its thread (`sessions show`).
    agent: str | None = None
    agent_thread_id: str | None = None


class Pending(_Model):
    """The request the thread waits on (status awaiting_approval, exit 3)."""

    call_id: str
    tool: str
    input: dict[str, Any]
    reason: str
    rule: str | None
    kind: RequestKind
    grade: Grade


class ResultLine(_Line):
    """The outcome of the run: the only line of `json`, the last line of `stream-json`."""

    type: Literal["result"] = "result"
    subtype: Subtype
    status: Status
    is_error: bool
    result: str = Field(description="the final answer (or what stopped the run)")
    structured_output: Any = Field(
        None, description="with --json-schema: the answer as JSON, valid against the schema"
    )
    error: str | None = Field(description="what went wrong, when is_error")
    num_turns: int
    usage: PublicUsage
    cost_usd: float | None = Field(description="USD; null when a model has no price")
    total_cost_usd: float | None = Field(description="the same as cost_usd (Claude Code's name)")
    duration_ms: int = Field(description="wall time of the whole command")
    duration_api_ms: int = Field(description="time spent waiting on model responses")
    permission_denials: list[Denial]
    session_id: str = Field(description="the same as thread_id (Claude Code's name)")
    pending: Pending | None = Field(description="set when status is awaiting_approval")


StreamLine: TypeAlias = Annotated[
    Union[  # noqa: UP007  (one member per line reads better)
        SessionStartedLine, UserMessageLine, AssistantTextLine, TextDeltaLine, ToolCallLine,
        PermissionRequestLine, PermissionDecisionLine, ToolStartedLine, ToolProgressLine,
        ToolResultLine, TurnCompletedLine, CompactionLine, ModeChangedLine, ModelChangedLine,
        InterruptedLine, RetryingLine, ErrorLine, SubagentStartedLine, SubagentFinishedLine,
        NoticeLine, ResultLine,
    ],
    Field(discriminator="type"),
]

Which = Literal["stream-json", "result"]
SCHEMA_FILES: dict[str, Which] = {
    "stream-json.v1.schema.json": "stream-json",
    "result.v1.schema.json": "result",
}


def json_schema(which: Which) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one `stream-json` line, or of the `json` result."""
    if which == "stream-json":
        # Built here, not at import: `harness -p` start-up never pays for it.
        body = TypeAdapter(StreamLine).json_schema(mode="serialization")
        title = "harness stream-json line, v1"
        about = ("One line of `harness -p … --output-format stream-json`; the last line is a "
                 "`result`.")
    else:
        body = ResultLine.model_json_schema(mode="serialization")
        title = "harness headless result, v1"
        about = "The output of `harness -p … --output-format json`."
    name = next(f for f, w in SCHEMA_FILES.items() if w == which)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:harness:schema:{name}",
        "title": title,
        "description": about,
        **{k: v for k, v in body.items() if k not in ("title", "description")},
    }


def schema_text(which: Which) -> str:
    return json.dumps(json_schema(which), indent=2, ensure_ascii=False) + "\n"


def write_schema_files(folder: Path = SCHEMA_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, which in SCHEMA_FILES.items():
        path = folder / name
        path.write_text(schema_text(which))
        written.append(path)
    return written


if __name__ == "__main__":  # python -m harness.ui.headless_schema --write
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m harness.ui.headless_schema --write")
    for path in write_schema_files():
        print(path)
