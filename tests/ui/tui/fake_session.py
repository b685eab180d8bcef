"""A small stand-in for AgentSession with the documented API, for widget and snapshot tests.

It emits real events (harness.protocol.events) through the sink and awaits the real
Approver; what the model "says" is a list of scripted steps per prompt. The main Pilot
tests run against the real session and the scripted HTTP server instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.agent.state import ThreadState
from harness.config.schema import UiSettings
from harness.protocol import events as ev
from harness.protocol.outcomes import RunResult
from harness.protocol.session import Session
from harness.protocol.usage import Spend
from harness.store.base import Thread

MODES = ["default", "acceptEdits", "plan"]


@dataclass
class Ask:
    """A tool call that asks; `then` is the text after the answer."""

    tool: str
    input: dict[str, Any]
    preview: str = ""
    kind: str = "permission"
    grade: str = "recoverable"
    session_scope_allowed: bool = True


class FakeSession:
    def __init__(self, project_root: Path, approver: Any, sink: Any,
                 thread_id: str = "th-0001", steps: dict[str, list[Any]] | None = None,
                 threads: list[Thread] | None = None) -> None:
        self.project_root = project_root
        self.approver = approver
        self.sink = sink
        self.thread_id = thread_id
        self.mode = "default"
        self.model_name = "claude-sonnet-4-5"
        self.usage = ev.Usage(input_tokens=1200, output_tokens=340)
        self.cost_usd = 0.0123
        self.unpriced_models: list[str] = []
        self.context_tokens = 24_000
        self.context_window = 200_000
        self.num_turns = 0
        self.todos: list[dict[str, Any]] = []
        self.pending: ev.PermissionRequest | None = None
        self.busy = False
        self.closed = False
        self.answers: list[Any] = []
        self.steps = steps or {}
        self.log: list[tuple[int, ev.Event]] = []
        self.ui = UiSettings()
        self.state = ThreadState()
        self.on_ask: str | None = None
        self.notices: list[str] = []
        self.thread_notices: list[str] = []
        self.abandoned: list[Thread] = []
        self.threads = threads or []
        self.new_threads = 0
        self._cancel = asyncio.Event()
        self.delay = 0.0

    # --- the API ------------------------------------------------------------------------

    @property
    def cost_known(self) -> bool:
        return not self.unpriced_models

    @property
    def spend(self) -> Spend:
        return Spend(self.usage, self.cost_usd)  # no sub-agents in the fake

    def _emit(self, event: ev.Event) -> None:
        if not event.STREAM_ONLY:
            self.log.append((len(self.log) + 1, event))
        self.sink(event, len(self.log))

    def history(self) -> list[tuple[int, ev.Event]]:
        return list(self.log)

    def list_threads(self) -> list[Thread]:
        return list(self.threads)

    def record(self, event: ev.Event) -> int:
        self._emit(event)
        return len(self.log)

    def stop_next_run(self) -> None:
        self._cancel.set()

    def set_model(self, name: str) -> None:
        self.model_name = name
        self._emit(ev.ModelChanged(model=name))

    async def new_thread(self) -> None:
        self.new_threads += 1
        self.thread_id = f"th-new-{self.new_threads}"
        self.log = []

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._emit(ev.ModeChanged(mode=mode))

    def cycle_mode(self) -> str:
        self.set_mode(MODES[(MODES.index(self.mode) + 1) % len(MODES)])
        return self.mode

    def cancel(self) -> None:
        self._cancel.set()

    async def close(self) -> None:
        self.closed = True

    async def run_shell(self, command: str) -> ev.UserShell:
        event = ev.UserShell(command=command, output=f"ran {command}", exit_code=0)
        self._emit(event)
        return event

    def check_read(self, path: str) -> str | None:
        return "secret path" if path.endswith(".env") else None

    async def run_prompt(
        self, text: str, *, max_turns: int | None = None,
        attachments: Sequence[ev.Attachment] = (),
    ) -> RunResult:
        self.busy = True
        self._cancel.clear()
        try:
            self._emit(ev.UserMessage(text=text, attachments=list(attachments)))
            for step in self.steps.get(text, [f"You said: {text}"]):
                if isinstance(step, Ask):
                    answer = await self._ask(step)
                    if answer is None:
                        return RunResult("awaiting_approval")
                    continue
                for word in str(step).split(" "):
                    if self._cancel.is_set():
                        self._emit(ev.Interrupted())
                        return RunResult("cancelled")
                    self._emit(ev.AssistantDelta(text=word + " "))
                    await asyncio.sleep(self.delay)
                self._emit(ev.AssistantMessage(content=[{"type": "text", "text": str(step)}]))
            self.num_turns += 1
            return RunResult("done", result="ok")
        finally:
            self.busy = False

    async def _ask(self, step: Ask) -> Any:
        call_id = f"call-{len(self.log)}"
        self._emit(ev.ToolCallEvent(call_id=call_id, tool=step.tool, input=step.input))
        request = ev.PermissionRequest(
            call_id=call_id, tool=step.tool, input=step.input, kind=step.kind,
            reason=f"{step.tool} changes things", grade=step.grade, preview=step.preview,
            session_scope_allowed=step.session_scope_allowed, rule=None,
        )
        self._emit(request)
        self.pending = request
        answer = await self.approver.answer(request)
        self.answers.append(answer)
        if answer is None:
            return None
        self.pending = None
        allow = answer.kind != "reject"
        self._emit(ev.PermissionDecision(call_id=call_id, outcome="allow" if allow else "deny",
                                         source="human", feedback=answer.feedback))
        self._emit(ev.ToolResult(call_id=call_id, tool=step.tool, content="ok",
                                 duration_ms=12, is_error=not allow))
        return answer

    async def continue_pending(self, *, max_turns: int | None = None) -> RunResult:
        assert self.pending is not None
        req = self.pending
        answer = await self.approver.answer(req)
        self.answers.append(answer)
        if answer is None:
            return RunResult("awaiting_approval")
        self.pending = None
        return RunResult("done")

    async def switch_to(self, thread_id: str) -> None:
        self.thread_id = thread_id
        self.log = []

    async def fork(self, seq: int | None = None, *, restore_files: bool = False) -> str:
        self.log = [(s, e) for s, e in self.log if seq is None or s <= seq]
        self.thread_id = f"{self.thread_id}-fork"
        return self.thread_id

    async def rewind(self, seq: int) -> list[str]:
        return ["a.py"]

    async def compact(self) -> None:
        self._emit(ev.Compaction(summary="older turns summarised", replaced_events=3))


def threads(now: float) -> list[Thread]:
    """Fixed threads for picker tests and snapshots."""
    return [
        Thread("th-0001", "/p", title="Fix the login bug", state="running",
               updated_at=now - 30),
        Thread("th-0002", "/p", title="Add dark mode", state="awaiting_approval",
               updated_at=now - 3 * 3600),
        Thread("th-0003", "/p", title="Refactor the store", state="done",
               updated_at=now - 2 * 86400),
        Thread("th-0004", "/p", title="Old experiment", state="abandoned",
               updated_at=now - 12 * 86400),
    ]


def _type_checked(fake: FakeSession) -> Session:
    return fake  # mypy: the fake implements the whole Session protocol
