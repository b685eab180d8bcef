"""Script steps for scripted models: what a fake Messages API answers, one step per request.

Shared by the HTTP test server (tests/support/scripted_server.py) and the in-process
ScriptedModelClient (harness --demo), so one script drives both. Stdlib only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

StopReason = Literal["end_turn", "tool_use", "max_tokens", "refusal", "stop_sequence", "pause_turn"]


# --- content blocks -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Thinking:
    thinking: str
    signature: str = "sig-scripted"


@dataclass(frozen=True, slots=True)
class ToolUse:
    name: str
    input: dict[str, Any]
    id: str | None = None  # None: the player assigns toolu_scripted_<n>


Block = Text | Thinking | ToolUse


@dataclass(frozen=True, slots=True)
class Tokens:
    input_tokens: int = 10
    output_tokens: int = 5
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
        }


# --- steps ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful response. stop_reason None means tool_use if a ToolUse is present."""

    content: tuple[Block, ...] | list[Block]
    stop_reason: StopReason | None = None
    usage: Tokens = field(default_factory=Tokens)
    model: str | None = None  # None: echo the request's model
    delay: float = 0.0  # seconds before the first byte
    chunk_size: int = 12  # characters per text/thinking/input_json delta

    @property
    def effective_stop_reason(self) -> str:
        if self.stop_reason is not None:
            return self.stop_reason
        return "tool_use" if any(isinstance(b, ToolUse) for b in self.content) else "end_turn"


@dataclass(frozen=True, slots=True)
class HttpError:
    """An HTTP error in Anthropic's JSON error shape; error_type None picks it from status."""

    status: int
    message: str = "scripted error"
    error_type: str | None = None
    retry_after: float | None = None  # seconds, sent as `retry-after`
    retry_after_ms: float | None = None  # sent as `retry-after-ms`
    delay: float = 0.0

    @property
    def type_name(self) -> str:
        if self.error_type:
            return self.error_type
        return ERROR_TYPES.get(self.status, "api_error")


ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass(frozen=True, slots=True)
class ConnectionReset:
    """The server reads the request, then resets the connection before sending any byte."""

    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class StreamCut:
    """Stream `reply` but stop after `after_events` SSE events.

    With error_type None the socket is closed mid-body; otherwise an SSE `error` event of
    that type (e.g. "overloaded_error") is sent first, as the real API does mid-stream.
    """

    reply: Reply
    after_events: int = 3
    error_type: str | None = None


Step = Reply | HttpError | ConnectionReset | StreamCut
# A callable step sees the request body (parsed JSON) and returns the step to play.
StepFn = Callable[[dict[str, Any]], Step]
AnyStep = Step | StepFn


def resolve(step: AnyStep, body: dict[str, Any]) -> Step:
    """Turn a callable step into a concrete one (callables may return callables)."""
    while callable(step) and not isinstance(step, Step):
        step = step(body)
    return step


def text(s: str, **kw: Any) -> Reply:
    """Shorthand: a reply holding one text block."""
    return Reply((Text(s),), **kw)


def tool(name: str, input: dict[str, Any], *, say: str = "", **kw: Any) -> Reply:
    """Shorthand: a reply calling one tool, optionally preceded by text."""
    blocks: list[Block] = [Text(say)] if say else []
    blocks.append(ToolUse(name, input))
    return Reply(tuple(blocks), **kw)


class IdSource:
    """Deterministic ids for messages and tool calls, so scripted runs are reproducible."""

    def __init__(self, prefix: str = "scripted") -> None:
        self._prefix = prefix
        self._msg = itertools.count(1)
        self._tool = itertools.count(1)

    def message_id(self) -> str:
        return f"msg_{self._prefix}_{next(self._msg):04d}"

    def tool_id(self) -> str:
        return f"toolu_{self._prefix}_{next(self._tool):04d}"


def wire_content(reply: Reply, ids: IdSource) -> list[dict[str, Any]]:
    """The reply's blocks in Messages-API wire format, with tool ids assigned."""
    out: list[dict[str, Any]] = []
    for b in reply.content:
        if isinstance(b, Text):
            out.append({"type": "text", "text": b.text})
        elif isinstance(b, Thinking):
            out.append({"type": "thinking", "thinking": b.thinking, "signature": b.signature})
        else:
            out.append(
                {"type": "tool_use", "id": b.id or ids.tool_id(), "name": b.name, "input": b.input}
            )
    return out


def chunks(s: str, size: int) -> list[str]:
    """Split s into pieces of at most `size` characters (at least one piece)."""
    size = max(1, size)
    return [s[i : i + size] for i in range(0, len(s), size)] or [""]
