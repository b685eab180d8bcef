"""`harness` on a terminal: build the session options from the flags and run the TUI.

Only what the first frame needs is imported here; the agent session (and with it the
SDK) is imported and opened in a worker once the screen is up.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from pathlib import Path
from typing import Any

from harness.config.home import find_project_root as project_root

PREIMPORT = (
    "harness.config.loader", "harness.store.open", "harness.store.sqlite",
    "harness.tools.registry", "harness.agent.loop", "harness.agent.calls",
    "harness.permissions.engine", "harness.model.preload",
)


def _preimport() -> Any:
    for name in PREIMPORT:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # optional piece missing: open_session reports what matters
    return importlib.import_module("harness.agent.session")


def make_connect(args: argparse.Namespace, root: Path) -> Any:
    async def connect(approver: Any, sink: Any) -> Any:
        # Imported off the event loop, so key presses keep flowing while ~0.3 s of agent,
        # config, store and tool modules load; open_session then finds them imported.
        module = await asyncio.to_thread(_preimport)
        from harness.ui.launch import session_options

        options = session_options(args, "tui", project_root=root)
        return await module.open_session(options, approver=approver, sink=sink)

    return connect


def build_app(args: argparse.Namespace) -> Any:
    from harness.ui.history import PromptHistory, history_path
    from harness.ui.tui.app import HarnessApp

    root = project_root(Path(getattr(args, "cwd", None) or Path.cwd()).expanduser())
    return HarnessApp(
        make_connect(args, root),
        root,
        initial_prompt=getattr(args, "prompt", None),
        history=PromptHistory(history_path(root)),
        demo=bool(getattr(args, "demo", False)),
        initial_text=getattr(args, "prompt_default", None) or "",
    )


def run_tui(args: argparse.Namespace) -> int:
    from harness.ui.launch import cwd_problem

    bad_cwd = cwd_problem(args)
    if bad_cwd:
        import sys

        print(f"harness: {bad_cwd[1]}", file=sys.stderr)
        return bad_cwd[0]
    from harness.config.errors import ConfigError

    try:
        app = build_app(args)
    except ConfigError as exc:  # a shipped file (the stylesheet) is missing: a broken install
        import sys

        from harness.exitcodes import USAGE

        print(f"harness: {exc}", file=sys.stderr)
        return USAGE
    code = app.run()
    if app.farewell:  # after the app: the terminal's own screen, so it stays in scrollback
        print(app.farewell)
    return int(code or 0)
