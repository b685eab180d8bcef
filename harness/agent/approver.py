"""The Approver protocol: how a front-end answers a `permission_request`.

The TUI, the inline prompt and headless mode each implement it; the agent loop only
awaits `Approver.answer`. Returning None means "not now": the request stays pending in
the log, the run stops (exit 3 headless), and `resume` shows it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from harness.store.events import PermissionRequest

AnswerKind = Literal["approve", "edit", "reject", "answer"]
Scope = Literal["once", "session", "project"]
AnsweredBy = Literal["human", "on_ask"]  # on_ask: headless `--on-ask deny`, no person involved


@dataclass(frozen=True, slots=True)
class ApprovalAnswer:
    kind: AnswerKind
    scope: Scope = "once"  # for approve (and edit, which approves the edited input once)
    input: dict[str, Any] | None = None  # edit: the new tool input
    feedback: str | None = None  # reject: returned to the model as the tool result
    answer: str | None = None  # answer: the AskUser reply
    by: AnsweredBy = "human"

    @classmethod
    def approve(cls, scope: Scope = "once") -> ApprovalAnswer:
        return cls("approve", scope=scope)

    @classmethod
    def reject(cls, feedback: str = "") -> ApprovalAnswer:
        return cls("reject", feedback=feedback)

    @classmethod
    def edit(cls, new_input: dict[str, Any]) -> ApprovalAnswer:
        return cls("edit", input=new_input)

    @classmethod
    def reply(cls, text: str) -> ApprovalAnswer:
        return cls("answer", answer=text)


class Approver(Protocol):
    async def answer(self, request: PermissionRequest) -> ApprovalAnswer | None: ...


class DenyApprover:
    """Headless `--on-ask deny`: every ask is refused and the model is told why."""

    async def answer(self, request: PermissionRequest) -> ApprovalAnswer | None:
        return ApprovalAnswer(
            "reject",
            feedback=f"Not run: {request.tool} needs a human's approval ({request.reason}) and "
            "this is a non-interactive run with --on-ask deny, so nobody was asked. Try another "
            "way, or stop and explain.",
            by="on_ask",
        )


class InterruptApprover:
    """Headless `--on-ask interrupt`: leave the request pending and stop the run."""

    async def answer(self, request: PermissionRequest) -> ApprovalAnswer | None:
        return None


class QueuedApprover:
    """Answers from a prepared list (used by `harness resume --approve …` and tests).

    With `call_id`, the first answer binds to that call: any other request met before it is
    left pending (None), never answered with a decision meant for another call."""

    def __init__(
        self,
        *answers: ApprovalAnswer | None,
        then: Approver | None = None,
        call_id: str | None = None,
    ) -> None:
        self._answers = list(answers)
        self._then = then
        self._call_id = call_id

    async def answer(self, request: PermissionRequest) -> ApprovalAnswer | None:
        if self._answers:
            if self._call_id is not None and request.call_id != self._call_id:
                return None
            self._call_id = None
            return self._answers.pop(0)
        return await self._then.answer(request) if self._then else None
