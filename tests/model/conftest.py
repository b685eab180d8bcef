"""Helpers for model tests: a fast-retrying client and a way to drain its stream."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from harness.model.anthropic_client import AnthropicClient
from harness.model.types import ModelRequest, ModelResponse, RetryNotice


@dataclass
class Drained:
    events: list = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # monotonic time of each event

    @property
    def response(self) -> ModelResponse:
        last = self.events[-1]
        assert isinstance(last, ModelResponse), last
        return last

    @property
    def retries(self) -> list[RetryNotice]:
        return [e for e in self.events if isinstance(e, RetryNotice)]

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


async def drain(client, request: ModelRequest) -> Drained:
    out = Drained()
    async for event in client.stream(request):
        out.events.append(event)
        out.times.append(time.monotonic())
    return out


def make_request(**kw) -> ModelRequest:
    base = dict(
        model="claude-sonnet-4-5",
        system=[{"type": "text", "text": "You are a test."}],
        tools=[],
        messages=[{"role": "user", "content": "hi"}],
        max_tokens=1000,
    )
    base.update(kw)
    return ModelRequest(**base)


@pytest.fixture
async def client(scripted_server):
    c = AnthropicClient(max_retries=3, timeout=5.0, base_delay=0.001, max_delay=0.005)
    yield c
    await c.aclose()
