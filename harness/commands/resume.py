"""`harness resume THREAD [--approve|--reject|--edit|--answer]`: answer the pending request
and continue the thread headless, without calling the model again for the waiting step."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from harness import exitcodes


def answer_from_args(args: argparse.Namespace):  # -> ApprovalAnswer | None, or str (error)
    from harness.agent.approver import ApprovalAnswer

    if args.approve:
        return ApprovalAnswer.approve(args.scope)
    if args.reject is not None:
        return ApprovalAnswer.reject(args.reject)
    if args.edit is not None:
        try:
            data = json.loads(args.edit)
        except json.JSONDecodeError as exc:
            return f"--edit needs the new tool input as a JSON object: {exc}"
        if not isinstance(data, dict):
            return '--edit needs a JSON object, e.g. \'{"command": "ls"}\''
        return ApprovalAnswer.edit(data)
    if args.answer is not None:
        return ApprovalAnswer.reply(args.answer)
    return None


def main(args: argparse.Namespace) -> int:
    from harness.commands.run import session_options
    from harness.ui.headless import approver_for, missing_key_message, run_headless

    answer = answer_from_args(args)
    if isinstance(answer, str):
        print(f"harness: {answer}", file=sys.stderr)
        return exitcodes.USAGE
    args.resume, args.fork, args.demo = args.thread, None, False
    args.allowed_tools, args.disallowed_tools = [], []
    opts = session_options(args, "headless")
    if answer is not None:
        problem = _check_pending(opts, args.thread, answer)
        if problem:
            print(f"harness: {problem}", file=sys.stderr)
            return exitcodes.USAGE
    if not _is_demo_thread(opts, args.thread):
        missing = missing_key_message()
        if missing:
            print(f"harness: {missing}", file=sys.stderr)
            return exitcodes.USAGE
    else:
        opts.demo = True
    return asyncio.run(
        run_headless(opts, None, args.output_format, approver_for(args.on_ask, answer))
    )


def _peek(opts, thread_id: str):
    """Read the thread's log without taking its lease: (pending request, front_end)."""
    from harness.agent.state import ThreadState
    from harness.config.loader import load_config
    from harness.store.open import open_store

    settings = load_config(opts.project_root, flags=opts.flags).settings
    store = open_store(opts.store_url or settings.sessions.store or None)
    try:
        state, front = ThreadState(), ""
        for item in store.events(thread_id):
            event = item.decode()
            state.apply(item.seq, event)
            if event.type == "session_started":
                front = event.front_end  # type: ignore[attr-defined]
        if state.pending is None:  # the ask may be a sub-agent's, in a child thread
            from harness.agent.subagents import pending_in_children

            return pending_in_children(store, thread_id, state), front
        return state.pending, front
    finally:
        store.close()


def _check_pending(opts, thread_id: str, answer) -> str | None:
    from harness.config.loader import ConfigError
    from harness.store.base import StoreError

    try:
        pending, _ = _peek(opts, thread_id)
    except (StoreError, ConfigError) as exc:
        return str(exc)
    if pending is None:
        return f"thread {thread_id} has no pending request to answer; run it without an answer flag"
    if answer.kind == "answer" and pending.kind != "question":
        return (
            f"the pending request is a {pending.tool} permission: use --approve, --reject or --edit"
        )
    if answer.kind != "answer" and answer.kind != "reject" and pending.kind == "question":
        return "the pending request is a question: use --answer TEXT (or --reject)"
    return None


def _is_demo_thread(opts, thread_id: str) -> bool:
    try:
        return _peek(opts, thread_id)[1] == "demo"
    except Exception:
        return False
