"""`harness --inline`: open the agent session for this project and drive it from the inline
prompt. Called by `harness/commands/run.py`; returns the process exit code."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from harness.exitcodes import FAILURE, USAGE


def _has_key() -> bool:
    return bool(os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN"))


async def run_inline_async(args: argparse.Namespace, *, write: Any = None) -> int:
    from harness.agent.errors import OPEN_ERRORS, open_exit_code
    from harness.agent.session import open_session
    from harness.ui.inline.app import InlineApp
    from harness.ui.inline.approver import InlineApprover
    from harness.ui.inline.output import ScrollbackWriter
    from harness.ui.inline.render import color_enabled
    from harness.ui.inline.transcript import Transcript
    from harness.ui.launch import cwd_problem, session_options

    bad_cwd = cwd_problem(args)
    if bad_cwd:
        print(f"harness: {bad_cwd[1]}", file=sys.stderr)
        return bad_cwd[0]
    # The real stdout, captured before patch_stdout swaps sys.stdout for its proxy (which
    # stays in place only for stray prints from libraries).
    writer = ScrollbackWriter(sys.stdout)
    transcript = Transcript(
        write or writer.write,
        color=color_enabled(sys.stdout),
        width=None,
    )
    approver = InlineApprover(transcript, vi_mode=bool(getattr(args, "vi", False)))
    opts = session_options(args, "inline")
    try:
        session = await open_session(opts, approver=approver, sink=transcript)
    except OPEN_ERRORS as exc:  # the same codes as every front-end (agent/errors.py)
        print(f"harness: {exc}", file=sys.stderr)
        return open_exit_code(exc) or FAILURE
    try:
        vi_mode = bool(getattr(args, "vi", False)) or session.ui.vi_mode
        approver.vi_mode = vi_mode
        transcript.show_thinking = session.ui.show_thinking
        notices = [] if opts.demo or _has_key() else [
            "ANTHROPIC_API_KEY is not set: the model cannot be reached. Export your key "
            "(ANTHROPIC_BASE_URL points harness at a proxy), or try `harness --inline "
            "--demo` offline."
        ]
        app = InlineApp(session, transcript, approver, vi_mode=vi_mode,
                        initial_text=getattr(args, "prompt_default", None) or "",
                        notices=notices)
        code = await app.run()
        from harness.ui.leaving import session_farewell

        farewell = session_farewell(session, "inline")  # the same words as the TUI's
    finally:
        await session.close()
    (write or writer.write)(farewell + "\n")
    return code


def run_inline(args: argparse.Namespace) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print(
            "harness: --inline needs a terminal on stdin and stdout; "
            "for scripts use `harness -p TASK` (headless)",
            file=sys.stderr,
        )
        return USAGE
    return asyncio.run(run_inline_async(args))
