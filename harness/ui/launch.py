"""One launch path for every front-end: command-line arguments → session options, and the
checks made before anything opens, with the same message and exit code everywhere
(opening errors map in `harness.agent.errors`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.exitcodes import USAGE

if TYPE_CHECKING:  # the agent loads after the TUI's first frame
    from harness.agent.opening import SessionOptions


def cwd_problem(args: argparse.Namespace) -> tuple[int, str] | None:
    """`--cwd` naming no folder: (exit code, message), else None."""
    cwd = getattr(args, "cwd", None)
    if cwd and not Path(cwd).expanduser().is_dir():
        return USAGE, f"--cwd {cwd}: no such folder"
    return None


def session_options(args: argparse.Namespace, front_end: str, *,
                    project_root: Path | None = None, **extra: Any) -> SessionOptions:
    """The session options every front-end builds from the same flags."""
    from harness.agent.opening import SessionOptions
    from harness.config.flags import flags_from_args

    if project_root is None and getattr(args, "cwd", None):
        project_root = Path(args.cwd).expanduser().resolve()
    demo = bool(getattr(args, "demo", False))
    return SessionOptions(
        project_root=project_root,
        front_end="demo" if demo and front_end != "inline" else front_end,
        resume=getattr(args, "resume", None),
        fork=getattr(args, "fork", None),
        flags=flags_from_args(args),
        store_url=getattr(args, "store", None),
        demo=demo,
        max_turns=getattr(args, "max_turns", None),
        # only a headless run has no person to ask
        on_ask=getattr(args, "on_ask", None) if front_end not in ("tui", "inline") else None,
        **extra,
    )
