"""A small stand-in for `AgentSession` (docs: /work/notes/AGENT_API.md) used by the tests
that exercise the front-end's own behaviour (keys, cancel, pending) in isolation.

Each prompt plays a script: text to stream, then optionally one tool call that asks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.config.schema import Settings
from harness.store.events import (
    AssistantDelta,
    AssistantMessage,
    Event,
    ModeChanged,
    PermissionDecision,
    PermissionRequest,
    Result,
    SessionStarted,
    ToolCallEvent,
    ToolResult,
    Usage,
    UserMessage,
)


@dataclass
class FakeRunResult:
    status: str
    result: str = ""
    num_turns: int = 1
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    error: str | None = None


@dataclass
class Step:
    text: str = "Done."
    ask: PermissionRequest | None = None
    hang: bool = False  # wait until cancel()


class FakeSession:
    def __init__(self, root: Path, approver: Any, sink: Any, steps: list[Step]) -> None:
        self.project_root = root
        self.approver, self.sink = approver, sink
        self.steps = list(steps)
        self.thread_id = "t-fake"
        self.settings = Settings()
        self.mode = "default"
        self.model_name = "claude-test"
        self.usage = Usage(input_tokens=1200, output_tokens=300)
        self.cost_usd = 0.0123
        self.context_tokens = 20_000
        self.context_window = 200_000
        self.num_turns = 0
        self.todos: list[dict] = []
        self.pending: PermissionRequest | None = None
        self.busy = False
        self.cancelled = asyncio.Event()
        self.prompts: list[str] = []
        self.answers: list[Any] = []
        self._log: list[tuple[int, Event]] = [(1, SessionStarted(front_end="inline"))]

    def _emit(self, event: Event) -> None:
        if not event.STREAM_ONLY:
            self._log.append((len(self._log) + 1, event))
        self.sink(event, len(self._log))

    def history(self) -> list[tuple[int, Event]]:
        return list(self._log)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._emit(ModeChanged(mode=mode))

    def cycle_mode(self) -> str:
        order = ["default", "acceptEdits", "plan"]
        self.set_mode(order[(order.index(self.mode) + 1) % len(order)])
        return self.mode

    def cancel(self) -> None:
        self.cancelled.set()

    async def run_prompt(self, text: str) -> FakeRunResult:
        self.prompts.append(text)
        self._emit(UserMessage(text=text))
        step = self.steps.pop(0) if self.steps else Step()
        if step.hang:
            await self.cancelled.wait()
            return self._finish("cancelled")
        for chunk in (step.text[: len(step.text) // 2], step.text[len(step.text) // 2 :]):
            self._emit(AssistantDelta(text=chunk))
        self._emit(AssistantMessage(content=[{"type": "text", "text": step.text}]))
        if step.ask is not None:
            self._emit(ToolCallEvent(call_id=step.ask.call_id, tool=step.ask.tool,
                                     input=step.ask.input))
            self._emit(step.ask)
            return await self._ask(step.ask)
        return self._finish("done")

    async def continue_pending(self) -> FakeRunResult:
        assert self.pending is not None
        return await self._ask(self.pending)

    async def _ask(self, request: PermissionRequest) -> FakeRunResult:
        answer = await self.approver.answer(request)
        self.answers.append(answer)
        if answer is None:
            self.pending = request
            return self._finish("awaiting_approval")
        self.pending = None
        allow = answer.kind in ("approve", "edit", "answer")
        self._emit(PermissionDecision(call_id=request.call_id,
                                      outcome="allow" if allow else "deny", source="human",
                                      scope=answer.scope, feedback=answer.feedback))
        self._emit(ToolResult(call_id=request.call_id, tool=request.tool,
                              content="ok" if allow else (answer.feedback or "rejected"),
                              is_error=not allow))
        return self._finish("done")

    def _finish(self, status: str) -> FakeRunResult:
        self.num_turns += 1
        self._emit(Result(status=status, num_turns=self.num_turns))  # type: ignore[arg-type]
        return FakeRunResult(status=status)

    async def compact(self) -> None: ...

    async def switch_to(self, thread_id: str) -> None:
        self.thread_id = thread_id

    async def fork(self, seq: int | None) -> str:
        self.thread_id = f"t-fork-{seq}"
        return self.thread_id

    async def rewind(self, seq: int) -> list[str]:
        return []

    async def close(self) -> None: ...
