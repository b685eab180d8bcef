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
    problem = validate_rules(args)
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
    from harness import startup_signals

    if args.inline:
        from harness.ui.inline.run import run_inline

        startup_signals.raise_from_now_on()  # the interactive front-ends catch it
        return run_inline(args)
    from harness.ui.tui.run import run_tui

    startup_signals.raise_from_now_on()
    return run_tui(args)


def run_headless_from_args(args: argparse.Namespace) -> int:
    from harness import startup_signals
    from harness.ui.headless import missing_key_message, run_headless

    prompt = args.prompt
    if prompt is None and args.demo and args.resume is None and args.fork is None:
        prompt = getattr(args, "prompt_default", None)
    if prompt is None and args.resume is None and args.fork is None:
        with startup_signals.interruptible():
            prompt = "" if sys.stdin.isatty() else sys.stdin.read().strip()
        if not prompt:
            print(
                'harness: no task given; use `harness -p "TASK"`, pipe the task on stdin, '
                "or run `harness` in a terminal for the interactive UI",
                file=sys.stderr,
            )
            return exitcodes.USAGE
    if not args.demo:
        missing = missing_key_message()
        if missing:
            print(f"harness: {missing}", file=sys.stderr)
            return exitcodes.USAGE
    opts = session_options(args, "demo" if args.demo else "headless")
    startup_signals.checkpoint()  # then run_headless takes the signals over
    return asyncio.run(run_headless(opts, prompt, args.output_format))
