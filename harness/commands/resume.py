"""`harness resume THREAD [--approve|--reject|--edit|--answer]`: answer the pending request
and continue the thread headless, without calling the model again for the waiting step."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from harness import exitcodes


def answer_from_args(args: argparse.Namespace):  # -> ApprovalAnswer | None, or str (error)
    from harness.protocol.approver import ApprovalAnswer

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
    from harness.commands.run import validate_rules
    from harness.ui.headless import HeadlessRequest, missing_key_message, run_headless
    from harness.ui.launch import session_options

    answer = answer_from_args(args)
    if isinstance(answer, str):
        print(f"harness: {answer}", file=sys.stderr)
        return exitcodes.USAGE
    if args.call is not None and answer is None:
        print("harness: --call names the call an answer is for; give it with --approve, "
              "--reject, --edit or --answer", file=sys.stderr)
        return exitcodes.USAGE
    problem = validate_rules(args)
    if problem:
        print(f"harness: {problem}", file=sys.stderr)
        return exitcodes.USAGE
    args.resume, args.fork, args.demo = args.thread, None, False
    # Flags left unset keep the resumed run's own options (recorded in its log).
    opts = session_options(args, "headless")
    if not _is_demo_thread(opts, args.thread):
        missing = missing_key_message()
        if missing:
            print(f"harness: {missing}", file=sys.stderr)
            return exitcodes.USAGE
    else:
        opts.demo = True
    # The answer is checked against the pending call under the thread's lease, before
    # anything is written (see headless.decision_problem).
    from harness import startup_signals

    startup_signals.checkpoint()  # then run_headless takes the signals over
    request = HeadlessRequest(include_partial=args.include_partial_messages,
                              fail_on_denial=args.fail_on_denial)
    return asyncio.run(run_headless(opts, None, args.output_format, answer, args.call, request))


def _is_demo_thread(opts, thread_id: str) -> bool:
    """Read the thread's log without taking its lease: was it started by `--demo`?"""
    from harness.config.loader import load_config
    from harness.store.open import open_store

    try:
        settings = load_config(opts.project_root, flags=opts.flags).settings
        store = open_store(opts.store_url or settings.sessions.store or None)
    except Exception:
        return False
    try:
        for item in store.events(store.resolve_thread(thread_id).thread_id):
            if item.type == "session_started":
                return item.decode().front_end == "demo"  # type: ignore[attr-defined]
        return False
    except Exception:
        return False
    finally:
        store.close()
