"""Retries against real HTTP failures: what is retried, how long we wait, what the user sees."""

from __future__ import annotations

import time

import pytest

from harness.model.anthropic_client import NO_KEY_MESSAGE, AnthropicClient
from harness.model.script import ConnectionReset, HttpError, Reply, StreamCut, Text, text
from harness.model.types import ModelError, ModelResponse, RetryNotice, TextDelta
from tests.model.conftest import drain, make_request


async def test_429_waits_at_least_retry_after_then_succeeds(client, scripted_server):
    scripted_server.add(HttpError(429, "slow down", retry_after=0.3), text("ok"))
    start = time.monotonic()
    out = await drain(client, make_request())
    [notice] = out.retries
    assert notice.delay == pytest.approx(0.3)
    assert "429" in notice.reason and "rate_limit" in notice.reason
    first, second = scripted_server.requests
    assert second.received_at - first.received_at >= 0.3
    assert out.response.content == [{"type": "text", "text": "ok"}]
    assert time.monotonic() - start >= 0.3


async def test_retry_after_ms_takes_precedence_over_retry_after(client, scripted_server):
    scripted_server.add(HttpError(429, retry_after=30, retry_after_ms=150), text("ok"))
    out = await drain(client, make_request())
    assert out.retries[0].delay == pytest.approx(0.15)
    r = scripted_server.requests
    assert r[1].received_at - r[0].received_at >= 0.15


@pytest.mark.parametrize(
    ("step", "kind"),
    [
        (HttpError(529, "Overloaded"), "overloaded"),
        (HttpError(500, "Internal server error"), "server"),
        (HttpError(503, "unavailable"), "server"),
        (ConnectionReset(), "connection"),
    ],
)
async def test_transient_failure_is_retried_then_succeeds(client, scripted_server, step, kind):
    scripted_server.add(step, text("recovered"))
    out = await drain(client, make_request())
    [notice] = out.retries
    assert kind in notice.reason
    assert notice.attempt == 1
    assert out.response.content == [{"type": "text", "text": "recovered"}]
    assert len(scripted_server.requests) == 2
    # Both attempts sent the same body: a retry repeats the request, it does not change it.
    assert scripted_server.requests[0].raw == scripted_server.requests[1].raw


async def test_stream_cut_halfway_is_retried_without_duplicated_text(client, scripted_server):
    reply = Reply((Text("The quick brown fox jumps over the lazy dog."),), chunk_size=6)
    scripted_server.add(StreamCut(reply, after_events=6), reply)
    out = await drain(client, make_request())
    notice_at = out.events.index(out.retries[0])
    partial = "".join(e.text for e in out.events[:notice_at] if isinstance(e, TextDelta))
    assert partial and partial != "The quick brown fox jumps over the lazy dog."
    assert "cut" in out.retries[0].reason
    assert out.response.content == [
        {"type": "text", "text": "The quick brown fox jumps over the lazy dog."}
    ]
    assert len(out.of(ModelResponse)) == 1


async def test_overloaded_error_event_mid_stream_is_retried(client, scripted_server):
    reply = Reply((Text("partial then error"),), chunk_size=4)
    scripted_server.add(StreamCut(reply, after_events=4, error_type="overloaded_error"), reply)
    out = await drain(client, make_request())
    assert "overloaded" in out.retries[0].reason
    assert out.response.content == [{"type": "text", "text": "partial then error"}]


async def test_timeout_is_retried(scripted_server):
    scripted_server.add(Reply((Text("late"),), delay=1.0), text("on time"))
    c = AnthropicClient(max_retries=2, timeout=0.25, base_delay=0.001, max_delay=0.001)
    try:
        out = await drain(c, make_request())
    finally:
        await c.aclose()
    assert "timeout" in out.retries[0].reason
    assert out.response.content == [{"type": "text", "text": "on time"}]


async def test_exhausted_retries_raise_a_clear_model_error(client, scripted_server):
    scripted_server.add(*[HttpError(500, "boom")] * 4)
    events = []
    with pytest.raises(ModelError) as info:
        async for e in client.stream(make_request()):
            events.append(e)
    err = info.value
    assert err.kind == "server" and err.status == 500
    assert "after 3 retries" in err.message and "resume" in err.message
    assert len(scripted_server.requests) == 4  # 1 try + max_retries
    assert [e.attempt for e in events if isinstance(e, RetryNotice)] == [1, 2, 3]


async def test_exhausted_connection_retries_name_the_endpoint(scripted_server, monkeypatch):
    scripted_server.add(ConnectionReset(), ConnectionReset())
    c = AnthropicClient(max_retries=1, base_delay=0.001, max_delay=0.001)
    try:
        with pytest.raises(ModelError) as info:
            await drain(c, make_request())
    finally:
        await c.aclose()
    assert info.value.kind == "connection"
    assert scripted_server.base_url in info.value.message
    assert "ANTHROPIC_BASE_URL" in info.value.message


@pytest.mark.parametrize(
    ("status", "kind"), [(400, "bad_request"), (401, "auth"), (403, "auth"), (404, "bad_request")]
)
async def test_client_errors_are_not_retried(client, scripted_server, status, kind):
    scripted_server.add(HttpError(status, "nope"), text("never sent"))
    with pytest.raises(ModelError) as info:
        await drain(client, make_request())
    assert info.value.kind == kind and info.value.status == status
    assert "nope" in info.value.message
    assert len(scripted_server.requests) == 1
    assert scripted_server.remaining == 1


async def test_missing_api_key_fails_before_any_request(scripted_server, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    scripted_server.add(text("never"))
    c = AnthropicClient(max_retries=0)
    with pytest.raises(ModelError) as info:
        await drain(c, make_request())
    assert info.value.kind == "auth"
    assert info.value.message == NO_KEY_MESSAGE
    assert "harness --demo" in str(info.value)
    assert scripted_server.requests == []


async def test_jittered_backoff_grows_with_attempts(scripted_server):
    scripted_server.add(*[HttpError(529)] * 3, text("ok"))
    c = AnthropicClient(max_retries=3, base_delay=0.01, max_delay=0.03, rng=lambda: 1.0)
    try:
        out = await drain(c, make_request())
    finally:
        await c.aclose()
    assert [n.delay for n in out.retries] == pytest.approx([0.01, 0.02, 0.03])
