"""`harness permissions check`: ask the engine about a tool call ("why did it ask me?"), one
call from flags or a whole corpus with `--batch` (one JSON object per line in and out).
`replay` and `grants` (history and standing approvals) live in their own modules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.exitcodes import DONE, USAGE

MODES = ("default", "acceptEdits", "plan", "bypassPermissions")


def _err(message: str) -> int:
    print(f"harness: {message}", file=sys.stderr)
    return USAGE


def main(args: argparse.Namespace) -> int:
    action = getattr(args, "action", "check")
    if action == "replay":
        from harness.commands.permissions_replay import main as replay_main

        return replay_main(args)
    if action == "grants":
        from harness.commands.permissions_grants import main as grants_main

        return grants_main(args)
    if action != "check":
        return _err(f"unknown permissions action {action!r}; use check, replay or grants")
    from harness.config.home import locate_project_root
    from harness.config.loader import ConfigError, load_config
    from harness.config.rules import RuleSyntaxError

    start = Path(args.cwd).expanduser() if args.cwd else Path.cwd()
    if not start.is_dir():
        return _err(f"--cwd {args.cwd}: not a folder")
    located = locate_project_root(start)
    root = located.path
    try:
        loaded = load_config(root)
    except ConfigError as exc:
        return _err(f"config error: {exc}")
    from harness.permissions.context import context_from_settings, rule_sources

    try:
        base = context_from_settings(loaded.settings, root, mode=args.mode, cwd=start.resolve(),
                                     sources=rule_sources(loaded, root))
    except RuleSyntaxError as exc:
        return _err(f"config error: {exc}")
    if args.batch:
        return _batch(base)
    if not args.tool:
        return _err("give --tool NAME --input JSON, or --batch")
    try:
        tool_input = json.loads(args.input) if args.input else {}
    except json.JSONDecodeError as exc:
        return _err(f"--input is not valid JSON ({exc.msg} at column {exc.colno}); "
                    'e.g. --input \'{"command": "git status"}\'')
    if not isinstance(tool_input, dict):
        return _err("--input must be a JSON object, e.g. '{\"file_path\": \"src/app.py\"}'")
    from harness.permissions.engine import decide
    from harness.permissions.grades import describe
    from harness.permissions.sandbox import sandbox_status
    from harness.permissions.types import ToolCall

    decision = decide(ToolCall(args.tool, tool_input), base)
    status = sandbox_status()
    if args.json:
        out = decision.to_json()
        out["mode"] = base.mode
        out["project_root"] = str(root)
        out["project_root_note"] = located.notice()
        out["sandbox"] = status.to_json()
        print(json.dumps(out))
        return DONE
    print(f"decision: {decision.decision}")
    print(f"category: {decision.category}")
    print(f"reason:   {decision.reason}")
    print(f"check:    {decision.check}")
    print(f"rule:     {decision.rule or '(none)'}")
    print(f"grade:    {decision.grade} ({describe(decision.grade)})")
    print(f"mode:     {base.mode}")
    print(f"root:     {root}" + (f" ({located.notice()})" if located.notice() else ""))
    print(f"sandbox:  {status.mechanism}: {status.detail}")
    return DONE


def _batch(base: Any) -> int:
    from dataclasses import replace

    from harness.permissions.engine import decide
    from harness.permissions.types import ToolCall

    bad = 0
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("tool"), str):
                raise ValueError('each line needs {"tool": NAME, "input": {...}, "mode"?: M}')
            tool_input = item.get("input") or {}
            if not isinstance(tool_input, dict):
                raise ValueError('"input" must be a JSON object')
            mode = item.get("mode") or base.mode
            if mode not in MODES:
                raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
            ctx = replace(base, mode=mode)
            out = decide(ToolCall(item["tool"], tool_input), ctx).to_json()
        except (ValueError, json.JSONDecodeError) as exc:
            bad += 1
            out = {"error": f"line {lineno}: {exc}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return USAGE if bad else DONE
