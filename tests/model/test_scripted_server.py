"""The scripted Messages-API server itself, through the real SDK (non-streaming paths too)."""

from __future__ import annotations

import anthropic
import pytest

from harness.model.script import HttpError, Reply, Text, ToolUse, text


@pytest.fixture
async def sdk(scripted_server):
    c = anthropic.AsyncAnthropic(max_retries=0)
    yield c
    await c.close()


async def test_non_streaming_reply_is_a_full_message(sdk, scripted_server):
    scripted_server.add(Reply((Text("hi"), ToolUse("LS", {"path": "."}))))
    msg = await sdk.messages.create(
        model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}]
    )
    assert msg.stop_reason == "tool_use"
    assert msg.content[1].input == {"path": "."}
    assert msg.model == "claude-haiku-4-5"
    assert scripted_server.requests[0].streaming is False


async def test_callable_step_answers_from_the_request_body(sdk, scripted_server):
    scripted_server.add(lambda body: text(f"you said {body['messages'][-1]['content']}"))
    msg = await sdk.messages.create(
        model="m", max_tokens=10, messages=[{"role": "user", "content": "ping"}]
    )
    assert msg.content[0].text == "you said ping"


async def test_error_step_uses_anthropics_error_shape_and_headers(sdk, scripted_server):
    scripted_server.add(HttpError(429, "too many", retry_after=7))
    with pytest.raises(anthropic.RateLimitError) as info:
        await sdk.messages.create(model="m", max_tokens=10, messages=[])
    assert info.value.body["error"] == {"type": "rate_limit_error", "message": "too many"}
    assert info.value.response.headers["retry-after"] == "7"
    assert info.value.response.headers["request-id"] == "req_scripted_0001"


async def test_exhausted_script_answers_400_naming_the_request(sdk, scripted_server):
    with pytest.raises(anthropic.BadRequestError) as info:
        await sdk.messages.create(model="m", max_tokens=10, messages=[])
    assert "no step left for request #1" in str(info.value)


async def test_default_step_is_played_when_the_script_is_empty(sdk, scripted_server):
    scripted_server.default = text("again")
    for _ in range(2):
        msg = await sdk.messages.create(model="m", max_tokens=10, messages=[])
        assert msg.content[0].text == "again"


async def test_unknown_path_is_404(sdk, scripted_server):
    with pytest.raises(anthropic.NotFoundError):
        await sdk.models.list()
