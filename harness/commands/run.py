"""`harness` / `harness -p TASK`: pick the front-end (TUI, inline, headless) and run."""

from __future__ import annotations

import argparse
import asyncio
import sys

from harness import exitcodes
from harness.ui.launch import cwd_problem, session_options


def validate_rules(args: argparse.Namespace) -> str | None:
    from harness.config.rules import RuleSyntaxError, parse_rule

    for rule in [*(args.allowed_tools or []), *(args.disallowed_tools or [])]:
        try:
            parse_rule(rule)
        except RuleSyntaxError as exc:
            return str(exc)
    return None


def main(args: argparse.Namespace) -> int:
    problem = validate_rules(args) or _empty_task(args)
    if problem:
        print(f"harness: {problem}", file=sys.stderr)
        return exitcodes.USAGE
    if args.demo:
        from harness.commands.demo import prepare_demo

        args = prepare_demo(args)
    bad_cwd = cwd_problem(args)
    if bad_cwd:
        print(f"harness: {bad_cwd[1]}", file=sys.stderr)
        return bad_cwd[0]
    headless = args.prompt is not None or args.ci or not sys.stdin.isatty()
    if headless:
        return run_headless_from_args(args)
    if args.json_schema is not None:
        print("harness: --json-schema applies to headless runs: give the task with -p TASK",
              file=sys.stderr)
        return exitcodes.USAGE
    from harness import startup_signals

    if args.inline:
        from harness.ui.inline.run import run_inline

        startup_signals.raise_from_now_on()  # the interactive front-ends catch it
        return run_inline(args)
    from harness.ui.tui.run import run_tui

    startup_signals.raise_from_now_on()
    return run_tui(args)


def _empty_task(args: argparse.Namespace) -> str | None:
    """`-p ""` or a task of only whitespace: refused before anything starts."""
    from harness.ui.headless_input import EMPTY_TASK

    if args.prompt is not None and not args.prompt.strip():
        return EMPTY_TASK
    return None


def run_headless_from_args(args: argparse.Namespace) -> int:
    from harness import startup_signals
    from harness.ui.headless import HeadlessRequest, missing_key_message, run_headless
    from harness.ui.headless_input import (
        TaskProblem,
        compose_task,
        load_json_schema,
        read_piped,
        stdin_fd,
        stdin_notice,
    )

    prompt = args.prompt
    if prompt is None and args.demo and args.resume is None and args.fork is None:
        prompt = getattr(args, "prompt_default", None)
    continuing = args.resume is not None or args.fork is not None
    try:
        schema = load_json_schema(args.json_schema) if args.json_schema is not None else None
        fd = None if args.demo else stdin_fd(sys.stdin)
        piped = None
        if fd is not None:
            with startup_signals.interruptible():  # a blocking read: a signal ends it at once
                piped = read_piped(fd)
        if prompt is not None or not continuing or (piped and piped.text.strip()):
            # (`echo "next step" | harness -c`: piped text is the continued thread's prompt)
            notice = stdin_notice(prompt, piped)
            prompt = compose_task(prompt, piped)
            if notice:
                print(f"harness: {notice}", file=sys.stderr)
        if schema is not None and prompt is None:
            raise TaskProblem("--json-schema needs a task to send the schema with (-p TASK)")
    except TaskProblem as exc:
        print(f"harness: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    if not args.demo:
        missing = missing_key_message()
        if missing:
            print(f"harness: {missing}", file=sys.stderr)
            return exitcodes.USAGE
    opts = session_options(args, "demo" if args.demo else "headless")
    request = HeadlessRequest(include_partial=args.include_partial_messages,
                              json_schema=schema, fail_on_denial=args.fail_on_denial)
    startup_signals.checkpoint()  # then run_headless takes the signals over
    return asyncio.run(run_headless(opts, prompt, args.output_format, request=request))
