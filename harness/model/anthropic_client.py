"""ModelClient on Anthropic's official SDK: streaming, cache breakpoints, retries we control.

The SDK's own retries are off (max_retries=0) so that every retry is visible as a
RetryNotice and nothing of a failed attempt (partial text of a cut stream) is returned.
The endpoint and key come from the SDK's environment (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from harness.model import preload
from harness.model.caching import build_body
from harness.model.retry import Failure, backoff_delay, final_error, kind_for_status
from harness.model.retry import retry_after_seconds as _retry_after
from harness.model.types import (
    ModelError,
    ModelRequest,
    ModelResponse,
    RetryNotice,
    StreamEvent,
    TextDelta,
    ToolInputJsonDelta,
    ToolUseStart,
)
from harness.protocol.usage import Usage

if TYPE_CHECKING:
    from harness.config.schema import ModelSettings

NO_KEY_MESSAGE = "ANTHROPIC_API_KEY is not set; export it, or try `harness --demo`"
_USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


class _IncompleteStream(Exception):
    """The stream ended without message_stop: the connection was cut mid-message."""


class AnthropicClient:
    """Streams one Messages-API call per `stream()`, retrying transient failures itself."""

    def __init__(
        self,
        settings: ModelSettings | None = None,
        *,
        max_retries: int | None = None,
        timeout: float | None = None,
        base_delay: float = 0.5,
        max_delay: float = 32.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.max_retries = (
            max_retries if max_retries is not None else (settings.max_retries if settings else 6)
        )
        self.timeout = (
            timeout if timeout is not None else (settings.request_timeout if settings else 600.0)
        )
        self.base_delay, self.max_delay, self._rng = base_delay, max_delay, rng
        self._sdk: Any = None
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transport_errors: tuple[type[BaseException], ...] = ()

    # --- setup ----------------------------------------------------------------------------

    async def _ensure_client(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._client is not None and self._loop is loop:
            return self._client
        # A new event loop (another asyncio.run) cannot reuse the old loop's connections.
        self._client = None
        if not (os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN")):
            raise ModelError("auth", NO_KEY_MESSAGE)
        if preload.sdk_ready():
            sdk = preload.wait_for_sdk()
        else:  # don't stall the event loop while the background import finishes
            preload.start_background_import()
            try:
                sdk = await asyncio.to_thread(preload.wait_for_sdk)
            except TimeoutError as exc:
                raise ModelError("timeout", f"{exc}; nothing was sent to the model") from exc
        self._sdk = sdk
        self._transport_errors = _transport_error_types()
        # Our own httpx client: the SDK's default one schedules its close on whatever loop
        # runs when it is collected, which fails noisily once its own loop has closed.
        # (Timeouts are set per request by the SDK client, so a pre-built one fits.)
        http = preload.take_http_client() or sdk.DefaultAsyncHttpxClient()
        self._client = sdk.AsyncAnthropic(max_retries=0, timeout=self.timeout, http_client=http)
        self._loop = loop
        return self._client

    @property
    def base_url(self) -> str:
        if self._client is not None:
            return str(self._client.base_url)
        return os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com"

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # --- the call -------------------------------------------------------------------------

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        client = await self._ensure_client()
        body = build_body(request)
        attempt = 0
        while True:
            try:
                response: ModelResponse | None = None
                async for event in self._attempt(client, body):
                    if isinstance(event, ModelResponse):
                        response = event
                    else:
                        yield event
                assert response is not None
                yield response
                return
            except ModelError:
                raise
            except Exception as exc:
                failure = self._classify(exc)
                if failure is None:
                    raise
            if not failure.retryable or attempt >= self.max_retries:
                raise final_error(failure, attempt, self.base_url)
            attempt += 1
            delay = backoff_delay(
                attempt, failure, base=self.base_delay, cap=self.max_delay, rng=self._rng
            )
            yield RetryNotice(attempt=attempt, delay=delay, reason=failure.reason)
            await asyncio.sleep(delay)

    async def _attempt(self, client: Any, body: dict[str, Any]) -> AsyncIterator[StreamEvent]:
        """One HTTP request; raises on any failure, including a stream cut short."""
        sdk = self._sdk
        # client.post keeps our key order (tools, system, messages: the cache-prefix order);
        # messages.create would put messages before system and tools.
        stream = await client.post(
            "/v1/messages",
            body=body,
            cast_to=sdk.types.Message,
            stream=True,
            stream_cls=sdk.AsyncStream[sdk.types.RawMessageStreamEvent],
        )
        blocks: list[dict[str, Any]] = []
        parts: dict[int, list[str]] = {}  # index → streamed pieces, joined at block stop
        usage: dict[str, int] = {}
        stop_reason: str | None = None
        model = str(body.get("model", ""))
        finished = False
        async with stream:
            async for ev in stream:
                t = ev.type
                if t == "content_block_delta":
                    d = ev.delta
                    dt = d.type
                    if dt == "text_delta":
                        parts[ev.index].append(d.text)
                        yield TextDelta(d.text)
                    elif dt == "input_json_delta":
                        if d.partial_json:
                            parts[ev.index].append(d.partial_json)
                            yield ToolInputJsonDelta(d.partial_json)
                    elif dt == "thinking_delta":
                        parts[ev.index].append(d.thinking)
                        yield TextDelta(d.thinking, kind="thinking")
                    elif dt == "signature_delta":
                        blocks[ev.index]["signature"] += d.signature
                elif t == "content_block_start":
                    block = _start_block(ev.content_block)
                    while len(blocks) <= ev.index:
                        blocks.append({})
                    blocks[ev.index] = block
                    parts[ev.index] = []
                    if block["type"] == "tool_use":
                        yield ToolUseStart(id=block["id"], name=block["name"])
                elif t == "content_block_stop":
                    _finish_block(blocks[ev.index], parts.pop(ev.index, None))
                elif t == "message_start":
                    msg = ev.message
                    model = msg.model or model
                    _merge_usage(usage, msg.usage)
                elif t == "message_delta":
                    stop_reason = ev.delta.stop_reason or stop_reason
                    _merge_usage(usage, ev.usage)
                elif t == "message_stop":
                    finished = True
            request_id = stream.response.headers.get("request-id")
        if not finished:
            raise _IncompleteStream("stream ended before message_stop")
        for index, rest in parts.items():  # a block never closed (should not happen)
            _finish_block(blocks[index], rest)
        yield ModelResponse(
            content=[b for b in blocks if b],
            stop_reason=stop_reason,
            usage=Usage(**usage),
            model=model,
            request_id=request_id,
        )

    # --- failures -------------------------------------------------------------------------

    def _classify(self, exc: Exception) -> Failure | None:
        """A Failure for SDK/transport errors; None for bugs, which propagate unchanged."""
        sdk = self._sdk
        if isinstance(exc, _IncompleteStream):
            return Failure("connection", None, "the stream was cut mid-message")
        if isinstance(exc, sdk.APITimeoutError):
            return Failure("timeout", None, "no answer in time")
        if isinstance(exc, sdk.APIConnectionError):
            return Failure("connection", None, _describe(exc))
        if isinstance(exc, sdk.APIStatusError):
            body = exc.body if isinstance(exc.body, dict) else {}
            err: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
            error_type = err.get("type")
            message = err.get("message") or str(exc)
            status = exc.status_code
            kind = kind_for_status(status, error_type)
            detail = f"{error_type}: {message}" if error_type else message
            if status == 200:  # an SSE error event; report the status it stands for
                status = {"rate_limit": 429, "overloaded": 529}.get(kind, 500)
            return Failure(kind, status, detail, _retry_after(exc.response.headers))
        if isinstance(exc, self._transport_errors):
            # The SDK wraps errors before the response; raw ones escape only mid-stream.
            kind = "timeout" if "Timeout" in type(exc).__name__ else "connection"
            return Failure(kind, None, f"the stream was cut mid-message ({_describe(exc)})")
        return None


def _transport_error_types() -> tuple[type[BaseException], ...]:
    """httpx-family transport errors the SDK lets escape while iterating a stream."""
    import sys

    # Only the ones the SDK has loaded: importing the other family would cost ~30 ms.
    found = [sys.modules[name].TransportError for name in ("httpx2", "httpx")
             if name in sys.modules]
    return tuple(found)


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(cause or exc) or type(cause or exc).__name__
    return text.splitlines()[0][:200]


def _start_block(cb: Any) -> dict[str, Any]:
    t = cb.type
    if t == "text":
        return {"type": "text", "text": cb.text or ""}
    if t == "thinking":
        return {"type": "thinking", "thinking": cb.thinking or "", "signature": cb.signature or ""}
    if t == "tool_use":
        return {"type": "tool_use", "id": cb.id, "name": cb.name, "input": {}}
    # redacted_thinking, server tool blocks, ...: kept verbatim so they can be sent back.
    return cb.model_dump(exclude_none=True)


def _finish_block(block: dict[str, Any], pieces: list[str] | None) -> None:
    if not pieces:
        return  # tool_use keeps the {} input it started with
    kind = block.get("type")
    if kind == "text":
        block["text"] += "".join(pieces)
    elif kind == "thinking":
        block["thinking"] += "".join(pieces)
    elif "input" in block:
        block["input"] = _parse_input(pieces)


def _parse_input(parts: list[str]) -> dict[str, Any]:
    raw = "".join(parts)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        # Only when the response hit max_tokens mid-call; the tool's validation reports it.
        return {}
    return value if isinstance(value, dict) else {}


def _merge_usage(into: dict[str, int], usage: Any) -> None:
    if usage is None:
        return
    for name in _USAGE_FIELDS:
        value = getattr(usage, name, None)
        if value is not None:
            into[name] = value
