"""Request body building with prompt-cache breakpoints, byte-stable from turn to turn.

The body keys follow the API's own cache-prefix order (tools, system, messages) after the
fixed scalars, so each request's bytes begin with the previous request's bytes up to the
latest turn. Breakpoints are added on copies: the caller's request is never mutated.
"""

from __future__ import annotations

from typing import Any

from harness.model.types import ModelRequest

EPHEMERAL: dict[str, str] = {"type": "ephemeral"}
MAX_BREAKPOINTS = 4  # the API's limit per request
MIN_THINKING_BUDGET = 1024  # the API rejects smaller budgets
# Blocks the API refuses a cache_control on.
_UNMARKABLE = {"thinking", "redacted_thinking"}


def build_body(request: ModelRequest, *, stream: bool = True) -> dict[str, Any]:
    """The JSON body for POST /v1/messages, with cache breakpoints, in a stable key order."""
    max_tokens = request.max_tokens
    body: dict[str, Any] = {"model": request.model, "max_tokens": max_tokens}
    if request.thinking_budget > 0:
        budget = max(MIN_THINKING_BUDGET, request.thinking_budget)
        # The API requires max_tokens > budget_tokens; leave room for the visible answer.
        body["max_tokens"] = max(max_tokens, budget + 1024)
        body["thinking"] = {"type": "enabled", "budget_tokens": budget}
    if stream:
        body["stream"] = True

    budget_left = MAX_BREAKPOINTS - count_breakpoints(request)
    # String content is sent as one text block, so a message is spelt the same whether or
    # not it carries the breakpoint (it does as the latest turn, not on the next request).
    messages = [
        {**m, "content": [{"type": "text", "text": m["content"]}]}
        if isinstance(m.get("content"), str)
        else m
        for m in request.messages
    ]
    # The latest turn first: it caches the whole prefix; tools/system help after compaction.
    if budget_left > 0 and messages:
        marked = _mark_message(messages[-1])
        if marked is not None:
            messages[-1] = marked
            budget_left -= 1
    system = list(request.system)
    if budget_left > 0 and system and "cache_control" not in system[-1]:
        system[-1] = _with_marker(system[-1])
        budget_left -= 1
    tools = list(request.tools)
    if budget_left > 0 and tools and "cache_control" not in tools[-1]:
        tools[-1] = _with_marker(tools[-1])
        budget_left -= 1

    if tools:
        body["tools"] = tools
    if system:
        body["system"] = system
    body["messages"] = messages
    return body


def count_breakpoints(request: ModelRequest) -> int:
    """cache_control markers the caller already placed (they count toward the limit of 4)."""
    n = sum("cache_control" in b for b in request.system)
    n += sum("cache_control" in t for t in request.tools)
    for m in request.messages:
        content = m.get("content")
        if isinstance(content, list):
            n += sum(isinstance(b, dict) and "cache_control" in b for b in content)
    return n


def _with_marker(block: dict[str, Any]) -> dict[str, Any]:
    # Appended last so every byte before it matches the unmarked block of the next request.
    return {**block, "cache_control": EPHEMERAL}


def _mark_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of message with a breakpoint on its last markable block, or None if none."""
    content = message.get("content")
    if not isinstance(content, list):
        return None
    for i in range(len(content) - 1, -1, -1):
        block = content[i]
        if not isinstance(block, dict) or block.get("type") in _UNMARKABLE:
            continue
        if "cache_control" in block:
            return None  # the caller placed one already
        if block.get("type") == "text" and not block.get("text"):
            continue  # the API rejects cache_control on empty text
        new_content = list(content)
        new_content[i] = _with_marker(block)
        return {**message, "content": new_content}
    return None
