"""What the agent sends to a model and what comes back, independent of any SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.protocol.kinds import DeltaKind
from harness.protocol.usage import Usage


@dataclass(slots=True)
class ModelRequest:
    """One Messages-API call. `system`, `tools` and `messages` are wire-format (JSON-able)."""

    model: str
    system: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    max_tokens: int = 8192
    thinking_budget: int = 0  # 0 = off


# --- streamed events ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str
    kind: DeltaKind = "text"


@dataclass(frozen=True, slots=True)
class ToolUseStart:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ToolInputJsonDelta:
    partial_json: str


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """A failed attempt that will be retried; anything streamed so far is void."""

    attempt: int
    delay: float
    reason: str


@dataclass(slots=True)
class ModelResponse:
    content: list[dict[str, Any]]  # text / thinking / tool_use blocks, wire format
    stop_reason: str | None
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    request_id: str | None = None


StreamEvent = TextDelta | ToolUseStart | ToolInputJsonDelta | RetryNotice | ModelResponse


class ModelError(Exception):
    """A model call that failed for good (after retries where retrying makes sense)."""

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        # kind: auth | rate_limit | overloaded | server | connection | bad_request | timeout
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


class ModelClient(Protocol):
    def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        """Yield deltas and retry notices, then exactly one ModelResponse; or raise ModelError."""
