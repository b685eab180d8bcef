"""An in-process ModelClient that replays script steps: `harness --demo` and fast agent tests.

It yields the same events as AnthropicClient for the same script the HTTP test server
plays: deltas, RetryNotices for transient errors (then the next step), one ModelResponse.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from harness.model.caching import build_body
from harness.model.retry import Failure, final_error, kind_for_status
from harness.model.script import (
    AnyStep,
    ConnectionReset,
    HttpError,
    IdSource,
    Reply,
    StreamCut,
    Text,
    Tokens,
    ToolUse,
    chunks,
    resolve,
    wire_content,
)
from harness.model.types import (
    ModelRequest,
    ModelResponse,
    RetryNotice,
    StreamEvent,
    TextDelta,
    ToolInputJsonDelta,
    ToolUseStart,
)
from harness.protocol.usage import Usage


class ScriptedModelClient:
    """Plays one step per stream() call (retried steps consume further steps)."""

    def __init__(
        self, steps: Iterable[AnyStep], *, pace: float = 0.0, max_retries: int = 6,
        after_end: Callable[[dict[str, Any]], Reply] | None = None,
    ) -> None:
        self._steps: deque[AnyStep] = deque(steps)
        self.pace = pace  # seconds between streamed deltas, so a demo visibly streams
        self.max_retries = max_retries
        # The reply to every request once the script is played out (the demo's "it is
        # over"); None: such a request fails like a 400, which a test wants to see.
        self.after_end = after_end
        self.requests: list[ModelRequest] = []
        self.ids = IdSource("demo")

    @property
    def remaining(self) -> int:
        return len(self._steps)

    def add(self, *steps: AnyStep) -> None:
        self._steps.extend(steps)

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        body = build_body(request)
        attempt = 0
        while True:
            if not self._steps and self.after_end is not None:
                async for event in self._play(self.after_end(body), request.model, None):
                    yield event
                return
            if not self._steps:
                raise final_error(
                    Failure(
                        "bad_request",
                        400,
                        f"the script has no step left for request #{len(self.requests)}",
                    ),
                    0,
                    "scripted model",
                )
            step = resolve(self._steps.popleft(), body)
            if isinstance(step, Reply):
                async for event in self._play(step, request.model, cut_after=None):
                    yield event
                return
            if isinstance(step, StreamCut):
                async for event in self._play(
                    step.reply, request.model, cut_after=step.after_events
                ):
                    yield event
                failure = Failure("connection", None, "the stream was cut mid-message")
            elif isinstance(step, ConnectionReset):
                await asyncio.sleep(step.delay)
                failure = Failure("connection", None, "connection reset by peer")
            else:
                await asyncio.sleep(step.delay)
                failure = _http_failure(step)
            if not failure.retryable or attempt >= self.max_retries:
                raise final_error(failure, attempt, "scripted model")
            attempt += 1
            delay = failure.retry_after or 0.0
            yield RetryNotice(attempt=attempt, delay=delay, reason=failure.reason)
            await asyncio.sleep(delay)

    async def _play(
        self, reply: Reply, model: str, cut_after: int | None
    ) -> AsyncIterator[StreamEvent]:
        """Stream reply's deltas (only the first cut_after of them when cut), then a response."""
        if reply.delay:
            await asyncio.sleep(reply.delay)
        content = wire_content(reply, self.ids)
        sent = 0
        for block in content:
            for event in _block_events(block, reply.chunk_size):
                if cut_after is not None and sent >= cut_after:
                    return
                sent += 1
                if self.pace:
                    await asyncio.sleep(self.pace)
                yield event
        if cut_after is not None:
            return
        yield ModelResponse(
            content=content,
            stop_reason=reply.effective_stop_reason,
            usage=Usage(**reply.usage.as_dict()),
            model=reply.model or model,
            request_id=None,
        )


def _block_events(block: dict[str, Any], size: int) -> list[StreamEvent]:
    kind = block["type"]
    if kind == "text":
        return [TextDelta(c) for c in chunks(block["text"], size)]
    if kind == "thinking":
        return [TextDelta(c, kind="thinking") for c in chunks(block["thinking"], size)]
    out: list[StreamEvent] = [ToolUseStart(id=block["id"], name=block["name"])]
    out += [ToolInputJsonDelta(c) for c in chunks(json.dumps(block["input"]), size)]
    return out


def _http_failure(err: HttpError) -> Failure:
    retry_after = err.retry_after_ms / 1000 if err.retry_after_ms is not None else err.retry_after
    detail = f"{err.type_name}: {err.message}"
    return Failure(kind_for_status(err.status, err.type_name), err.status, detail, retry_after)


# --- the built-in demo ---------------------------------------------------------------------

DEMO_USAGE = Tokens(input_tokens=1200, output_tokens=60)


def _tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the latest user message."""
    messages = body.get("messages") or []
    if not messages or not isinstance(messages[-1].get("content"), list):
        return []
    return [b for b in messages[-1]["content"] if b.get("type") == "tool_result"]


def _result_text(result: dict[str, Any]) -> str:
    content = result.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


def _after_edit(body: dict[str, Any]) -> Reply:
    results = _tool_results(body)
    if results and results[-1].get("is_error"):
        why = _result_text(results[-1]).strip() or "the edit was not applied"
        return Reply(
            (Text(f"Understood — I left hello.py unchanged ({why[:200]})."),), usage=DEMO_USAGE
        )
    return Reply(
        (
            Text("Edited. Let me run it to check the new greeting."),
            ToolUse("Bash", {"command": "python3 hello.py"}),
        ),
        usage=DEMO_USAGE,
    )


def _summary(body: dict[str, Any]) -> Reply:
    results = _tool_results(body)
    output = _result_text(results[-1]).strip() if results else ""
    if results and results[-1].get("is_error"):
        return Reply(
            (Text(f"The run did not go through ({output[:200]}). hello.py is edited."),),
            usage=DEMO_USAGE,
        )
    shown = f" It now prints `{output[:200]}`." if output else ""
    return Reply(
        (
            Text(
                "Done: hello.py greets the harness." + shown + "\n\nThat was the whole loop: "
                "a read ran freely, the edit and the command asked for your approval, and "
                "every step was saved, so this thread can be resumed or forked."
            ),
        ),
        usage=DEMO_USAGE,
    )


DEMO_OVER = (
    "The demo is over: this is harness's built-in scripted model, and it only knows the "
    "one task you just watched, so it cannot answer that.\n\n"
    "To work with a real model:\n\n"
    "1. Quit (`/quit` or Ctrl+D). This thread stays saved.\n"
    "2. Set your key: `export ANTHROPIC_API_KEY=sk-ant-…` (`ANTHROPIC_BASE_URL` points "
    "harness at a proxy or gateway).\n"
    "3. Run `harness` (or `harness --inline`) in your own project; `harness doctor` checks "
    "the set-up.\n\n"
    "`harness --demo` plays the demo again, in a fresh scratch folder."
)


def demo_over(body: dict[str, Any]) -> Reply:
    """Every request after the demo script: say so, and how to use a real model."""
    return Reply((Text(DEMO_OVER),), usage=Tokens(input_tokens=200, output_tokens=80))


def _is_prompt(message: dict[str, Any]) -> bool:
    """A user message the person typed (tool results start with a tool_result block)."""
    content = message.get("content")
    if isinstance(content, str):
        return True
    first = content[0] if isinstance(content, list) and content else None
    return isinstance(first, dict) and first.get("type") == "text"


def demo_reply(body: dict[str, Any]) -> Reply:
    """The demo's next reply, chosen from the conversation itself (so a resumed demo thread,
    in a new process, goes on at the right step): the script for the first prompt, then
    "the demo is over" for any follow-up prompt or once the script is played out."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    prompts = sum(1 for m in messages if m.get("role") == "user" and _is_prompt(m))
    step_no = sum(1 for m in messages if m.get("role") == "assistant")
    steps = demo_script()
    if prompts > 1 or step_no >= len(steps):
        return demo_over(body)
    step = resolve(steps[step_no], body)
    assert isinstance(step, Reply)  # the demo's steps are replies, never injected failures
    return step


def demo_script() -> list[AnyStep]:
    """The built-in demo: read hello.py, edit it (asks), run it with Bash (asks), summarise.

    Tool inputs are relative paths so the demo works in the scratch project the demo
    command creates; callable steps adapt to a rejected edit or a failed run.
    """
    return [
        Reply(
            (
                Text("Let me look at hello.py first."),
                ToolUse("Read", {"file_path": "hello.py"}),
            ),
            usage=DEMO_USAGE,
        ),
        Reply(
            (
                Text("It prints a plain greeting. I'll make it greet the harness."),
                ToolUse(
                    "Edit",
                    {
                        "file_path": "hello.py",
                        "old_string": 'print("hello")',
                        "new_string": 'print("hello, harness")',
                    },
                ),
            ),
            usage=DEMO_USAGE,
        ),
        _after_edit,
        _summary,
    ]
