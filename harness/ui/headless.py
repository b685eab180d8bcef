"""Headless front-end (`-p`, `--ci`, no TTY): no prompt is ever shown.

Renders the event stream as text, `json` (only the final result) or `stream-json` (one
object per line with `type`, `thread_id`, `seq`), answers asks by `--on-ask`, and maps the
outcome to the exit codes of the contract.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, TextIO, assert_never

from harness import exitcodes
from harness.protocol.approver import ApprovalAnswer, Approver, DenyApprover, InterruptApprover
from harness.protocol.events import (
    AssistantDelta,
    AssistantMessage,
    AssistantText,
    Compaction,
    ErrorEvent,
    Event,
    FileSnapshot,
    GrantRevoked,
    Interrupted,
    ModeChanged,
    ModelChanged,
    PendingShown,
    PermissionDecision,
    PermissionRequest,
    Result,
    Retrying,
    SessionStarted,
    SubagentFinished,
    SubagentStarted,
    ToolCallEvent,
    ToolInputDelta,
    ToolProgress,
    ToolResult,
    ToolStarted,
    TurnCompleted,
    UnknownEvent,
    UserMessage,
)
from harness.protocol.outcomes import RunResult
from harness.protocol.session import Session
from harness.store.secrets import scrub

EXIT_FOR_STATUS = {
    "done": exitcodes.DONE,
    "failed": exitcodes.FAILURE,
    "cancelled": exitcodes.CANCELLED,
    "limit": exitcodes.LIMIT,
    "awaiting_approval": exitcodes.AWAITING,
}


class HeadlessOutput:
    """The sink: writes events as the chosen format asks."""

    def __init__(self, fmt: str, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.fmt, self.out, self.err = fmt, out or sys.stdout, err or sys.stderr
        self.thread_id = ""
        self.pending: PermissionRequest | None = None
        self.cost_known = True  # False: a model has no price, so costs are null, never 0

    def __call__(self, event: Event, seq: int) -> None:
        match event:
            case PermissionRequest():
                self.pending = event
            case PermissionDecision():
                self.pending = None
            case ErrorEvent():
                self._note(f"harness: {event.message}")
            case Retrying():
                self._note(f"harness: retrying ({event.reason})")
            case AssistantDelta() | ToolInputDelta() | PendingShown() | UnknownEvent():
                # Deltas are for live rendering (stream-json carries whole blocks,
                # `assistant_text`); `pending_shown` is harness's own note that the exit-3
                # output was printed.
                return
            case (SessionStarted() | UserMessage() | AssistantMessage() | ToolCallEvent()
                  | ToolStarted() | ToolResult() | TurnCompleted() | Compaction()
                  | ModeChanged() | ModelChanged() | FileSnapshot() | Interrupted() | Result()
                  | SubagentStarted() | SubagentFinished() | AssistantText() | ToolProgress()
                  | GrantRevoked()):
                pass
            case _:
                assert_never(event)
        if self.fmt == "stream-json":
            fields = event.model_dump(mode="json", exclude={"type"})
            if event.type == "result" and not self.cost_known:
                fields["cost_usd"] = None
            self.write_line(event.type, seq, fields)

    def _note(self, text: str) -> None:
        if self.fmt == "text":
            print(text, file=self.err)

    def write_line(self, type_: str, seq: int, fields: dict[str, Any]) -> None:
        line = {"type": type_, "thread_id": self.thread_id, "seq": seq, **fields}
        # The store's redaction, applied to what scripts and CI logs see as well.
        self.out.write(scrub(json.dumps(line, ensure_ascii=False)) + "\n")
        self.out.flush()

    def finish(self, result: RunResult, pending: PermissionRequest | None = None) -> None:
        cost = round(result.cost_usd, 6) if self.cost_known else None
        payload: dict[str, Any] = {
            "thread_id": self.thread_id,
            "result": result.result,
            "is_error": result.is_error,
            "num_turns": result.num_turns,
            "usage": result.usage.model_dump(mode="json"),
            "cost_usd": cost,
            "total_cost_usd": cost,  # the name scripts written for Claude Code read
            "status": result.status,
        }
        pending = (pending or self.pending) if result.status == "awaiting_approval" else None
        if pending is not None:
            payload["pending"] = {
                "call_id": pending.call_id,
                "tool": pending.tool,
                "input": pending.input,
                "reason": pending.reason,
                "kind": pending.kind,
                "grade": pending.grade,
            }
        if self.fmt == "json":
            line = json.dumps({"type": "result", **payload}, ensure_ascii=False)
            self.out.write(scrub(line) + "\n")
        elif self.fmt == "stream-json":
            pass  # the stored `result` event was already streamed
        elif pending is not None:
            print(scrub(format_pending(pending, self.thread_id)), file=self.out)
        elif result.status == "done":
            print(scrub(result.result), file=self.out)
        else:
            print(scrub(f"harness: {result.status}: {result.error or result.result}"),
                  file=self.err)
        self.out.flush()


def format_pending(request: PermissionRequest, thread_id: str) -> str:
    what = "question" if request.kind == "question" else "approval"
    lines = [
        f"awaiting {what}: {request.tool} {json.dumps(request.input, ensure_ascii=False)}",
        f"reason: {request.reason}" + (f" (rule {request.rule})" if request.rule else ""),
        f"grade: {request.grade}",
        f"thread: {thread_id}",
        f"call: {request.call_id}",
    ]
    bound = f"--call {request.call_id}"
    if request.kind == "question":
        lines.append(f"answer with: harness resume {thread_id} --answer TEXT {bound}")
    else:
        lines.append(
            f"continue with: harness resume {thread_id} --approve [--scope once|session"
            f"|project] | --reject FEEDBACK | --edit JSON  {bound}"
        )
    return "\n".join(lines)


def abandoned_note(threads: Sequence[Any]) -> str:
    """One line per thread a human left waiting, with how to pick it up again."""
    lines = [f"harness: {len(threads)} thread(s) in this project wait for a decision:"]
    for t in threads[:5]:
        lines.append(f"  {t.thread_id}  {t.state}  {t.title or '(untitled)'}"
                     f"  → harness resume {t.thread_id} --approve | --reject FEEDBACK")
    if len(threads) > 5:
        lines.append(f"  … and {len(threads) - 5} more: harness sessions list")
    return "\n".join(lines)


def missing_key_message() -> str | None:
    if os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN"):
        return None
    return (
        "ANTHROPIC_API_KEY is not set. Export your key (export ANTHROPIC_API_KEY=sk-ant-…; "
        "ANTHROPIC_BASE_URL points harness at a proxy or a local server), or run "
        "`harness --demo` to try harness offline with a built-in scripted model."
    )


def approver_for(
    on_ask: str | None, answer: ApprovalAnswer | None = None, call_id: str | None = None
) -> Approver:
    """`--on-ask` (default deny) behind the command's own answer, which binds to `call_id`."""
    from harness.protocol.approver import QueuedApprover

    fallback: Approver = InterruptApprover() if on_ask == "interrupt" else DenyApprover()
    if answer is None:
        return fallback
    return QueuedApprover(answer, then=fallback, call_id=call_id)


def decision_problem(session: Session, answer: ApprovalAnswer, call_id: str | None) -> str | None:
    """Why `answer` may not be applied to the thread's pending request, or None.

    Read under the thread's lease, before anything is written: a refused decision changes
    nothing. The rule without `--call` is in the README (headless mode)."""
    thread, pending = session.thread_id, session.pending
    if pending is None:
        return (f"thread {thread} has no pending request to answer; run it without an answer "
                "flag")
    what = f"{pending.tool} {json.dumps(pending.input, ensure_ascii=False)[:200]}"
    name = f"--call {pending.call_id}"
    if call_id is not None and call_id != pending.call_id:
        return (f"call {call_id} is not the pending one, so nothing was changed: thread "
                f"{thread} now waits on call {pending.call_id} ({what}); once you have seen it, "
                f"answer with {name}")
    if answer.kind == "answer" and pending.kind != "question":
        return (
            f"the pending request is a {pending.tool} permission: use --approve, --reject or --edit"
        )
    if answer.kind != "answer" and answer.kind != "reject" and pending.kind == "question":
        return "the pending request is a question: use --answer TEXT (or --reject)"
    if call_id is not None:
        return None
    state = session.state
    waiting = [c for c in state.open_calls if c in state.requests]
    shown = state.last_shown
    if len(waiting) > 1:
        return (f"thread {thread} has {len(waiting)} pending calls ({', '.join(waiting)}); "
                f"name the one you answer with --call")
    if shown is None or shown.call_id != pending.call_id:
        return (f"the pending call {pending.call_id} ({what}) is not the one last shown for "
                f"thread {thread}; look at it (`harness resume {thread} --on-ask interrupt` "
                f"shows it) and answer with {name}")
    if shown.by_answering_run:
        return (f"the pending call {pending.call_id} ({what}) was shown by a run that was itself "
                "answering an earlier call, so an answer without --call may be a retried "
                f"command meant for that call; answer it with {name}")
    return None


class _Stop:
    """SIGINT/SIGTERM in a headless run, honoured at every point: while opening (the run
    then saves its prompt and stops), while the thread is created, mid-run (exit 130)."""

    def __init__(self) -> None:
        self.requested = False
        self.session: Session | None = None

    def __call__(self) -> None:
        self.requested = True
        if self.session is not None:
            self.session.cancel()

    def install(self, loop: asyncio.AbstractEventLoop) -> list[tuple[signal.Signals, Any]]:
        from harness import startup_signals

        if startup_signals.pending() is not None:  # came between the checkpoint and now
            self.requested = True
        saved = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                previous = signal.getsignal(sig)
                loop.add_signal_handler(sig, self)
                saved.append((sig, previous))
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        return saved

    @staticmethod
    def uninstall(loop: asyncio.AbstractEventLoop, saved: list[tuple[signal.Signals, Any]]) -> None:
        for sig, previous in saved:
            try:
                loop.remove_signal_handler(sig)
                if previous is not None:
                    signal.signal(sig, previous)  # e.g. the CLI's SIGTERM → exit 130
            except (NotImplementedError, RuntimeError, ValueError, TypeError):
                pass


async def run_headless(
    opts: Any,
    prompt: str | None,
    fmt: str,
    answer: ApprovalAnswer | None = None,
    call_id: str | None = None,
) -> int:
    """Open the session, run `prompt` (or continue the log), print, return the exit code.

    `answer` (from `harness resume --approve …`) applies to the pending call only, and to
    `call_id` when given; `opts.on_ask` None means the resumed run's own choice, else deny."""
    from harness.agent.errors import OPEN_ERRORS, open_exit_code
    from harness.agent.session import open_session

    output = HeadlessOutput(fmt)
    loop = asyncio.get_running_loop()
    stop = _Stop()
    saved = stop.install(loop)  # before anything opens: no signal is ever dropped
    try:
        try:
            session = await open_session(opts, approver=DenyApprover(), sink=output)
        except OPEN_ERRORS as exc:
            print(f"harness: {exc}", file=sys.stderr)
            return open_exit_code(exc) or exitcodes.FAILURE
        stop.session = session
        try:
            return await _run(session, output, prompt, fmt, answer, call_id, stop)
        finally:
            await session.close()
    finally:
        stop.uninstall(loop, saved)


async def _run(session: Session, output: HeadlessOutput, prompt: str | None, fmt: str,
               answer: ApprovalAnswer | None, call_id: str | None, stop: _Stop) -> int:
    from harness.agent.session import SessionError

    output.thread_id = session.thread_id
    output.cost_known = session.cost_known
    if answer is not None:
        problem = decision_problem(session, answer, call_id)
        if problem:
            print(f"harness: {problem}", file=sys.stderr)
            return exitcodes.USAGE
        pending = session.pending
        assert pending is not None  # decision_problem refuses an answer with nothing pending
        call_id = pending.call_id
    session.approver = approver_for(session.on_ask, answer, call_id)
    unknown = list(session.state.unknown_outcome_calls)  # before the run reports them
    told = False

    def tell() -> None:
        """Start-up notices, once the prompt is safely in the log: any first line a script
        reacts to (even by killing harness) comes after the task was saved."""
        nonlocal told
        if told:
            return
        told = True
        for notice in session.notices:  # incl. calls with an unknown outcome, with inputs
            print(scrub(f"harness: {notice}"), file=sys.stderr)
        if fmt == "stream-json":
            from harness.agent.opening import unknown_outcome_notices

            for call in unknown:
                output.write_line("notice", session.state.last_seq, {
                    "kind": "outcome_unknown", "call_id": call["call_id"],
                    "tool": call["tool"], "input": call["input"],
                    "text": unknown_outcome_notices([call])[0],
                })
        if session.abandoned and fmt == "text":
            print(abandoned_note(session.abandoned), file=sys.stderr)

    original_sink = session.sink

    def sink(event: Event, seq: int) -> None:
        output.thread_id = session.thread_id or output.thread_id
        original_sink(event, seq)
        if event.type == "session_started":
            tell()

    session.sink = sink
    if stop.requested:  # a signal came while the session was opening
        session.stop_next_run()
    try:
        if prompt is None:
            result = await session.continue_pending()
        else:
            result = await session.run_prompt(prompt)
    except SessionError as exc:
        tell()
        print(f"harness: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    tell()  # a run that never started (a hook blocked the prompt) still says them
    pending = session.pending
    output.thread_id = session.thread_id
    output.finish(result, pending)
    if result.status == "awaiting_approval" and pending is not None:
        # Printed, then noted: a crash in between leaves no note, and then only `--call`
        # answers it (never a call nobody saw).
        session.record(PendingShown(call_id=pending.call_id, by_answering_run=answer is not None))
    return EXIT_FOR_STATUS[result.status]
