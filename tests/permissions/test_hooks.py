"""Hooks with real hook scripts: allow, block with a reason (exit 2), crash, timeout."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from harness.config.schema import Hook
from harness.hooks.runner import HookOutcome, combine, matches, run_hooks
from harness.permissions.types import Decision


def _script(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport json, sys, time\n{body}\n")
    path.chmod(0o755)
    return str(path)


PAYLOAD = {"tool_name": "Bash", "tool_input": {"command": "npm test"}}


async def test_hook_gets_the_event_on_stdin_and_can_allow(tmp_path):
    seen = tmp_path / "seen.json"
    cmd = _script(tmp_path, "allow.py",
                  f"data = json.load(sys.stdin)\nopen({str(seen)!r}, 'w').write(json.dumps(data))\n"
                  "print(json.dumps({'decision': 'allow', 'reason': 'tests are fine'}))")
    out = await run_hooks("pre_tool_use", PAYLOAD, [Hook(command=cmd)], "Bash")
    assert (out.decision, out.reason, out.blocked) == ("allow", "tests are fine", False)
    data = json.loads(seen.read_text())
    assert data["event"] == "pre_tool_use" and data["tool"] == "Bash"
    assert data["tool_input"] == {"command": "npm test"}
    asked = Decision("ask", "shell", "default mode asks")
    assert combine(asked, out).decision == "allow"


async def test_exit_2_blocks_with_stderr_as_the_reason(tmp_path):
    cmd = _script(tmp_path, "block.py", "sys.stderr.write('no pushes on Fridays')\nsys.exit(2)")
    after = _script(tmp_path, "never.py", f"open({str(tmp_path / 'ran')!r}, 'w')")
    out = await run_hooks("pre_tool_use", PAYLOAD, [Hook(command=cmd), Hook(command=after)],
                          "Bash")
    assert out.blocked and out.decision == "deny"
    assert out.reason == "no pushes on Fridays"
    assert not (tmp_path / "ran").exists()  # the first block stops the chain
    allowed = Decision("allow", "shell", "allowed by rule", "Bash")
    d = combine(allowed, out)
    assert d.decision == "deny" and "no pushes on Fridays" in d.reason


async def test_crashing_hook_is_reported_and_does_not_block(tmp_path):
    cmd = _script(tmp_path, "crash.py", "raise RuntimeError('hook bug')")
    out = await run_hooks("pre_tool_use", PAYLOAD, [Hook(command=cmd)], "Bash")
    assert not out.blocked and out.decision is None
    assert len(out.warnings) == 1 and "exited with status 1" in out.warnings[0]
    assert "hook bug" in out.warnings[0]
    asked = Decision("ask", "shell", "x")
    assert combine(asked, out) == asked


async def test_hook_that_overruns_its_time_limit_is_killed_and_reported(tmp_path):
    cmd = _script(tmp_path, "slow.py", "time.sleep(30)")
    start = time.monotonic()
    out = await run_hooks("pre_tool_use", PAYLOAD, [Hook(command=cmd, timeout=0.5)], "Bash")
    assert time.monotonic() - start < 10
    assert not out.blocked and out.results[0].timed_out
    assert "timed out after 0.5 s" in out.warnings[0]


async def test_matcher_selects_hooks_by_tool(tmp_path):
    cmd = _script(tmp_path, "deny.py", "print(json.dumps({'decision': 'deny', 'reason': 'r'}))")
    hooks = [Hook(command=cmd, matcher="Edit|Write")]
    assert (await run_hooks("pre_tool_use", PAYLOAD, hooks, "Bash")) == HookOutcome()
    out = await run_hooks("pre_tool_use", PAYLOAD, hooks, "Write")
    assert out.decision == "deny" and out.blocked


async def test_events_without_a_tool_run_every_hook(tmp_path):
    cmd = _script(tmp_path, "note.py", "print('note for the log')")
    out = await run_hooks("notification", {"message": "waiting"},
                          [Hook(command=cmd, matcher="Bash")], None)
    assert out.context == "note for the log" and not out.warnings


@pytest.mark.parametrize(("matcher", "tool", "hit"), [
    ("*", "Bash", True), ("", "Read", True), ("Bash", "Bash", True), ("Edit|Write", "Write", True),
    ("Git*", "GitPush", True), ("Edit", "MultiEdit", False),
])
def test_matcher(matcher, tool, hit):
    assert matches(matcher, tool) is hit


def test_hook_can_never_turn_a_deny_into_allow():
    denied = Decision("deny", "shell", "denied by rule Bash(rm:*)", "Bash(rm:*)")
    assert combine(denied, HookOutcome(decision="allow", reason="yes")) == denied


def test_hook_cannot_lift_a_firm_ask():
    firm = Decision("ask", "write", ".git/config is inside git internals", firm=True)
    assert combine(firm, HookOutcome(decision="allow", reason="yes")) == firm


def test_hook_ask_tightens_an_allow():
    allowed = Decision("allow", "read", "read-only", grade="reversible")
    d = combine(allowed, HookOutcome(decision="ask", reason="check with a human"))
    assert (d.decision, d.reason) == ("ask", "hook asks: check with a human")


def test_a_hook_that_loosens_an_ask_is_named_as_the_deciding_check():
    asked = Decision("ask", "shell", "default mode asks", check="mode default: shell asks")
    d = combine(asked, HookOutcome(decision="allow", reason="ci policy"))
    assert (d.decision, d.check) == ("allow",
                                     "pre_tool_use hook: allow (over mode default: shell asks)")
    blocked = combine(d, HookOutcome(decision="deny", reason="no", blocked=True))
    assert (blocked.decision, blocked.check) == ("deny", "pre_tool_use hook: deny")


def test_hook_allow_never_lifts_self_protection_from_the_engine(tmp_path):
    from harness.permissions.engine import decide
    from harness.permissions.types import PermissionContext, ToolCall

    ctx = PermissionContext(project_root=tmp_path, mode="acceptEdits")
    for path in (".git/config", ".harness/config.local.toml", ".claude/agents/x.md"):
        d = decide(ToolCall("Write", {"file_path": path, "content": "x"}), ctx)
        assert combine(d, HookOutcome(decision="allow", reason="sure")).decision == "ask"
