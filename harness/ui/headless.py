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
from typing import Any, TextIO

from harness import exitcodes
from harness.agent.approver import ApprovalAnswer, Approver, DenyApprover, InterruptApprover
from harness.agent.outcomes import RunResult
from harness.store.events import Event, PermissionRequest

EXIT_FOR_STATUS = {
    "done": exitcodes.DONE,
    "failed": exitcodes.FAILURE,
    "cancelled": exitcodes.CANCELLED,
    "limit": exitcodes.LIMIT,
    "awaiting_approval": exitcodes.AWAITING,
}
# Deltas are for live rendering; stream-json carries whole blocks (`assistant_text`).
NOT_STREAMED = frozenset({"assistant_delta", "tool_input_delta"})


class HeadlessOutput:
    """The sink: writes events as the chosen format asks."""

    def __init__(self, fmt: str, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.fmt, self.out, self.err = fmt, out or sys.stdout, err or sys.stderr
        self.thread_id = ""
        self.pending: PermissionRequest | None = None
        self.cost_known = True  # False: a model has no price, so costs are null, never 0

    def __call__(self, event: Event, seq: int) -> None:
        if event.type == "permission_request":
            self.pending = event  # type: ignore[assignment]
        elif event.type == "permission_decision":
            self.pending = None
        if self.fmt == "stream-json":
            if event.type not in NOT_STREAMED:
                fields = event.model_dump(mode="json", exclude={"type"})
                if event.type == "result" and not self.cost_known:
                    fields["cost_usd"] = None
                self.write_line(event.type, seq, fields)
        elif self.fmt == "text":
            if event.type == "error":
                print(f"harness: {event.message}", file=self.err)  # type: ignore[attr-defined]
            elif event.type == "retrying":
                print(f"harness: retrying ({event.reason})", file=self.err)  # type: ignore[attr-defined]

    def write_line(self, type_: str, seq: int, fields: dict[str, Any]) -> None:
        line = {"type": type_, "thread_id": self.thread_id, "seq": seq, **fields}
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
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
            self.out.write(json.dumps({"type": "result", **payload}, ensure_ascii=False) + "\n")
        elif self.fmt == "stream-json":
            pass  # the stored `result` event was already streamed
        elif pending is not None:
            print(format_pending(pending, self.thread_id), file=self.out)
        elif result.status == "done":
            print(result.result, file=self.out)
        else:
            print(f"harness: {result.status}: {result.error or result.result}", file=self.err)
        self.out.flush()


def format_pending(request: PermissionRequest, thread_id: str) -> str:
    what = "question" if request.kind == "question" else "approval"
    lines = [
        f"awaiting {what}: {request.tool} {json.dumps(request.input, ensure_ascii=False)}",
        f"reason: {request.reason}" + (f" (rule {request.rule})" if request.rule else ""),
        f"grade: {request.grade}",
        f"thread: {thread_id}",
    ]
    if request.kind == "question":
        lines.append(f"answer with: harness resume {thread_id} --answer TEXT")
    else:
        lines.append(
            f"continue with: harness resume {thread_id} --approve [--scope once|session"
            f"|project] | --reject FEEDBACK | --edit JSON"
        )
    return "\n".join(lines)


def abandoned_note(threads: list) -> str:
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


def approver_for(on_ask: str, answer: ApprovalAnswer | None = None) -> Approver:
    from harness.agent.approver import QueuedApprover

    fallback: Approver = InterruptApprover() if on_ask == "interrupt" else DenyApprover()
    return QueuedApprover(answer, then=fallback) if answer is not None else fallback


async def run_headless(opts: Any, prompt: str | None, fmt: str, approver: Approver) -> int:
    """Open the session, run `prompt` (or continue the log), print, return the exit code."""
    from harness.agent.session import SessionError, open_session
    from harness.config.loader import ConfigError
    from harness.store.base import StoreError

    output = HeadlessOutput(fmt)
    try:
        session = await open_session(opts, approver=approver, sink=output)
    except (ConfigError, SessionError) as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    except StoreError as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return exitcodes.FAILURE
    output.thread_id = session.thread_id
    output.cost_known = session.cost_known
    for notice in session.notices:
        print(f"harness: {notice}", file=sys.stderr)
    if session.abandoned and fmt == "text":
        print(abandoned_note(session.abandoned), file=sys.stderr)
    original_sink = session.sink

    def sink(event: Event, seq: int) -> None:
        output.thread_id = session.thread_id or output.thread_id
        original_sink(event, seq)

    session.sink = sink
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, session.cancel)
        loop.add_signal_handler(signal.SIGTERM, session.cancel)
    except (NotImplementedError, RuntimeError):
        pass
    try:
        if prompt is None:
            result = await session.continue_pending()
        else:
            result = await session.run_prompt(prompt)
        pending = session.pending
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):
                pass
        await session.close()
    output.thread_id = session.thread_id
    output.finish(result, pending)
    return EXIT_FOR_STATUS[result.status]
