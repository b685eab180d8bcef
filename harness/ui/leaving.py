"""What a front-end prints when the person leaves: the thread, how to come back, what it cost,
and, when a call still waits for a decision, what waits and how to answer it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.ui.describe import describe_call

if TYPE_CHECKING:
    from harness.protocol.session import Session


@dataclass(frozen=True, slots=True)
class PendingCall:
    """The call left waiting for a human (from the session's pending request)."""

    tool: str
    input: dict
    call_id: str
    question: bool = False  # AskUser: it wants an answer, not an approval


def resume_command(thread_id: str, front_end: str = "tui") -> str:
    """The command that opens this thread again (ARCHITECTURE: `harness --resume [THREAD]`),
    in the front-end being left."""
    inline = "--inline " if front_end == "inline" else ""
    return f"harness {inline}--resume {thread_id}"


def leaving_message(thread_id: str, cost: str, pending: PendingCall | None = None,
                    front_end: str = "tui") -> str:
    """Lines for the terminal once the app is gone; `cost` is already formatted."""
    if not thread_id:
        return f"harness: nothing to resume — no prompt was sent ({cost})."
    lines = [f"harness: thread {thread_id} saved · {cost}",
             f"  resume it: {resume_command(thread_id, front_end)}"]
    if pending is not None:
        what = "a question waits for your answer" if pending.question else \
            "a call is waiting for your approval"
        lines.append(f"  {what}: {describe_call(pending.tool, pending.input, width=70)}")
        lines.append(f"  `{resume_command(thread_id, front_end)}` shows it again; or answer it "
                     "from the shell:")
        if pending.question:
            lines.append(f"    harness resume {thread_id} --answer TEXT --call {pending.call_id}")
        else:
            lines.append(f"    harness resume {thread_id} --approve --call {pending.call_id}")
            lines.append(f"    harness resume {thread_id} --reject FEEDBACK "
                         f"--call {pending.call_id}")
    return "\n".join(lines)


def session_farewell(session: Session, front_end: str = "tui") -> str:
    """The message for a session being left: its thread, cost and pending request."""
    from harness.model.pricing import cost_text

    request = session.pending
    pending = None if request is None else PendingCall(
        tool=request.tool, input=dict(request.input), call_id=request.call_id,
        question=request.kind == "question")
    cost = "cost " + cost_text(float(session.cost_usd or 0), session.cost_known, 4)
    return leaving_message(session.thread_id, cost, pending, front_end)
