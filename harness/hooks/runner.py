"""Policy hooks: user commands run at events (pre_tool_use, post_tool_use, user_prompt_submit,
stop, notification) with the event as JSON on stdin. Exit 0 continues (stdout JSON may say
allow/ask/deny), exit 2 blocks with stderr as the reason, anything else is a warning."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import os
import signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from harness.permissions.types import Decision, Verdict

_STRENGTH = {"allow": 0, "ask": 1, "deny": 2}
_MAX_TEXT = 4000


class HookSpec(Protocol):
    command: str
    matcher: str
    timeout: float


@dataclass(frozen=True, slots=True)
class HookResult:
    command: str
    exit_code: int | None  # None when it timed out or could not start
    decision: Verdict | None
    reason: str
    stdout: str
    stderr: str
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class HookOutcome:
    decision: Verdict | None = None  # the strictest decision any hook returned
    reason: str = ""
    blocked: bool = False  # exit 2 (or "deny"): the call must not run
    warnings: tuple[str, ...] = ()
    results: tuple[HookResult, ...] = ()
    context: str = ""  # plain stdout of hooks that exited 0, for post_tool_use notes


def matches(matcher: str, tool: str | None) -> bool:
    """`*` (or empty) matches every call; `Edit|Write` and globs like `Git*` match by name."""
    if not matcher or matcher.strip() == "*":
        return True
    if tool is None:
        return False
    return any(fnmatch.fnmatchcase(tool, alt.strip()) for alt in matcher.split("|"))


async def _run_one(hook: HookSpec, stdin: bytes, event: str, cwd: Path | None) -> HookResult:
    env = {**os.environ, "HARNESS_HOOK_EVENT": event}
    try:
        proc = await asyncio.create_subprocess_shell(
            hook.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, cwd=str(cwd) if cwd else None, env=env,
            start_new_session=True,  # so a timeout kills the hook's children too
        )
    except OSError as exc:
        return HookResult(hook.command, None, None, f"could not start: {exc}", "", "")
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=hook.timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), timeout=5)
        return HookResult(hook.command, None, None, f"timed out after {hook.timeout:g} s "
                          "and was killed", "", "", timed_out=True)
    stdout = out.decode(errors="replace")[:_MAX_TEXT]
    stderr = err.decode(errors="replace")[:_MAX_TEXT]
    decision: Verdict | None = None
    reason = ""
    if proc.returncode == 0 and stdout.lstrip().startswith("{"):
        try:
            data = json.loads(stdout)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            value = data.get("decision")
            if value in _STRENGTH:
                decision = value
            elif value is not None:
                reason = f"ignored unknown decision {value!r} (use allow, ask or deny)"
            reason = str(data.get("reason") or reason)
    return HookResult(hook.command, proc.returncode, decision, reason, stdout, stderr)


async def run_hooks(
    event_name: str,
    payload: Mapping[str, Any],
    hooks: Iterable[HookSpec],
    tool: str | None,
    cwd: Path | None = None,
) -> HookOutcome:
    """Run the hooks whose matcher fits `tool`, in order; stop at the first that blocks."""
    selected = [h for h in hooks if tool is None or matches(h.matcher, tool)]
    if not selected:
        return HookOutcome()
    stdin = json.dumps({"event": event_name, "tool": tool, **payload}, default=str).encode()
    results: list[HookResult] = []
    warnings: list[str] = []
    context: list[str] = []
    decision: Verdict | None = None
    reason = ""
    for hook in selected:
        r = await _run_one(hook, stdin, event_name, cwd)
        results.append(r)
        if r.exit_code == 2:
            why = r.stderr.strip() or f"hook `{hook.command}` blocked it (no reason given)"
            return HookOutcome("deny", why, True, tuple(warnings), tuple(results),
                               "\n".join(context))
        if r.exit_code != 0:
            detail = r.reason if r.exit_code is None else (
                f"exited with status {r.exit_code}: {r.stderr.strip()[-500:] or '(no stderr)'}")
            warnings.append(f"hook `{hook.command}` {detail}")
            continue
        if r.decision is None:
            if r.reason:
                warnings.append(f"hook `{hook.command}`: {r.reason}")
            elif r.stdout.strip() and not r.stdout.lstrip().startswith("{"):
                context.append(r.stdout.strip())
            continue
        if decision is None or _STRENGTH[r.decision] > _STRENGTH[decision]:
            decision, reason = r.decision, r.reason or f"hook `{hook.command}` said {r.decision}"
        if decision == "deny":
            break
    return HookOutcome(decision, reason, decision == "deny", tuple(warnings), tuple(results),
                       "\n".join(context))


def combine(decision: Decision, outcome: HookOutcome) -> Decision:
    """Apply a pre_tool_use outcome to the engine's decision. Hooks may always tighten; they may
    loosen an ordinary ask into allow, but never a deny, and never a firm ask (self-protection
    of git internals, harness config, hook scripts and agent definitions; ask rules,
    breakpoints; questions for the person): those only a person answers."""
    verdict = "deny" if outcome.blocked else outcome.decision
    if verdict is None:
        return decision
    why = outcome.reason or "a hook decided"
    if verdict == "deny":
        return replace(decision, decision="deny", reason=f"blocked by hook: {why}",
                       check="pre_tool_use hook: deny")
    if verdict == "ask":
        if decision.decision == "allow":
            return replace(decision, decision="ask", reason=f"hook asks: {why}",
                           check="pre_tool_use hook: ask")
        return decision
    if decision.decision == "ask" and not decision.firm:
        return replace(decision, decision="allow", reason=f"allowed by hook: {why}",
                       check=f"pre_tool_use hook: allow (over {decision.check or 'an ask'})")
    return decision
