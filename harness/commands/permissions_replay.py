"""`harness permissions replay THREAD`: every tool call of a thread decided again by the
pure engine under today's config, beside what happened then, so a policy change can be
tried on real history before it is committed."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.commands.permission_threads import (
    CommandError,
    Project,
    fail,
    open_project,
    thread_events,
)
from harness.exitcodes import DONE
from harness.protocol.events import (
    ModeChanged,
    PermissionDecision,
    PermissionRequest,
    SessionStarted,
    ToolCallEvent,
    ToolResult,
)


@dataclass
class PastCall:
    """One tool call of the log and what became of it."""

    seq: int
    call_id: str
    tool: str
    input: dict[str, Any]
    mode: str | None  # the thread's mode when the call was made (None: the configured one)
    cwd: str | None
    asked: PermissionRequest | None = None
    decision: PermissionDecision | None = None
    result: ToolResult | None = None


def past_calls(events: list[tuple[int, Any]]) -> list[PastCall]:
    calls: dict[str, PastCall] = {}
    mode: str | None = None
    cwd: str | None = None
    for seq, event in events:
        match event:
            case SessionStarted():
                mode = event.mode if event.mode else mode
            case ModeChanged():
                mode = event.mode
            case ToolCallEvent():
                calls[event.call_id] = PastCall(seq, event.call_id, event.tool,
                                                dict(event.input), mode, cwd)
            case PermissionRequest() if event.call_id in calls:
                calls[event.call_id].asked = event
            case PermissionDecision() if event.call_id in calls:
                calls[event.call_id].decision = event
            case ToolResult() if event.call_id in calls:
                calls[event.call_id].result = event
                cwd = event.metadata.get("cwd") or cwd
            case _:
                pass
    return sorted(calls.values(), key=lambda c: c.seq)


def _answer(d: PermissionDecision) -> str:
    edited = " (edited)" if d.edited_input is not None else ""
    match d.source:
        case "human" if d.outcome == "allow":
            return f"approved by the user{edited}" + (f", {d.scope}" if d.scope else "")
        case "human":
            return "rejected by the user" + (f": {d.reason}" if d.reason else "")
        case "policy" | "on_ask":
            return "denied by policy (headless --on-ask deny; nobody asked)"
        case "hook":
            return f"blocked by a pre_tool_use hook{edited}: {d.reason}"
        case _:
            return f"{d.outcome} ({d.source}{', ' + d.rule if d.rule else ''}){edited}"


def then_of(call: PastCall) -> tuple[str, str]:
    """(the engine's verdict then — allow, ask, deny or "" when unknown, what happened)."""
    d = call.decision
    if call.asked is not None:
        if d is None:
            return "ask", "asked; still pending" if call.result is None else "asked; not answered"
        return "ask", f"asked; {_answer(d)}"
    if d is not None:
        if d.source == "hook":
            return "deny", _answer(d)
        how = f"{d.source}" + (f" {d.rule}" if d.rule else "")
        return d.outcome, f"{'allowed' if d.outcome == 'allow' else 'denied'} by {how}"
    if call.result is None:
        return "", "not run (the conversation moved on)"
    if call.result.is_error and not call.result.outcome_unknown:
        return "", "ran with an error, or was refused before any decision (no decision logged)"
    return "allow", "allowed (read-only: no decision logged)"


def replay(project: Project, thread_id: str, mode: str | None) -> dict[str, Any]:
    from harness.permissions.context import context_from_settings, rule_sources
    from harness.permissions.engine import decide
    from harness.permissions.types import ToolCall

    thread = project.store.resolve_thread(thread_id)
    root = Path(thread.project) if Path(thread.project).is_dir() else project.root
    loaded = project.loaded
    if root.resolve() != project.root:  # a thread of another project: that project's config
        from harness.config.loader import ConfigError, load_config

        try:
            loaded = load_config(root)
        except ConfigError as exc:
            raise CommandError(f"config error: {exc}") from None
    sources = rule_sources(loaded, root)
    contexts: dict[tuple[str | None, str | None], Any] = {}
    rows = []
    for call in past_calls(thread_events(project.store, thread.thread_id)):
        key = (mode or call.mode, call.cwd)
        if key not in contexts:
            contexts[key] = context_from_settings(
                loaded.settings, root, mode=key[0],
                cwd=Path(call.cwd) if call.cwd else None, sources=sources)
        ctx = contexts[key]
        now = decide(ToolCall(call.tool, call.input), ctx)
        verdict, what = then_of(call)
        rows.append({
            "seq": call.seq, "call_id": call.call_id, "tool": call.tool, "input": call.input,
            "mode": ctx.mode,
            "then": {"decision": verdict or None, "what": what,
                     "source": call.decision.source if call.decision else None},
            "now": now.to_json(),
            "changed": bool(verdict) and verdict != now.decision,
        })
    return {"thread_id": thread.thread_id, "project": str(root), "calls": rows,
            "changed": sum(1 for r in rows if r["changed"])}


def _call_text(tool: str, tool_input: dict[str, Any], width: int = 48) -> str:
    main = next((tool_input[k] for k in ("command", "file_path", "path", "pattern")
                 if isinstance(tool_input.get(k), str)), None)
    text = f"{tool}({main})" if main is not None else f"{tool} {json.dumps(tool_input)}"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(report: dict[str, Any]) -> None:
    rows = report["calls"]
    print(f"thread {report['thread_id']} · {len(rows)} tool call(s) decided again under the "
          f"current config of {report['project']}")
    if not rows:
        return
    print(f"{'seq':>5}  {'call':<48}  {'then':<5}  {'now':<5}  why now · what happened then")
    for r in rows:
        mark = "*" if r["changed"] else " "
        now = r["now"]
        why = now["check"] or now["reason"]
        print(f"{r['seq']:>5}{mark} {_call_text(r['tool'], r['input']):<48}  "
              f"{r['then']['decision'] or '-':<5}  {now['decision']:<5}  {why} · "
              f"{r['then']['what']}")
    print(f"{report['changed']} call(s) would now be decided differently (marked *)")


def main(args: argparse.Namespace) -> int:
    from harness.store.base import StoreError, ThreadNotFound

    try:
        with open_project(args) as project:
            try:
                report = replay(project, args.thread, args.mode)
            except (ThreadNotFound, StoreError) as exc:
                raise CommandError(str(exc)) from None
    except CommandError as exc:
        return fail(exc)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return DONE
