"""Property tests: wrapping an unsafe command in any shell construct, any number of times,
never makes it allowed; wrapping a read-only command in neutral constructs keeps it allowed."""

from __future__ import annotations

import shlex
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.permissions.engine import decide
from harness.permissions.types import PermissionContext, ToolCall

ROOT = Path("/nonexistent-harness-project")  # the analysis needs no files to exist

UNSAFE = [
    "rm -rf build", "touch pwned", "git push", "curl https://example.com", "sed -i s/a/b/ f",
    "echo x > f", "python3 -c 'print(1)'", "git reset --hard", "find . -delete",
    "git -c core.pager=sh log", "sort -o out in", "npm test", "./cat README.md", "cat .env",
    "cat /etc/shadow", "chmod 777 .", "tee out", "git commit -m x",
]
SAFE = ["ls -la", "git status", "cat README.md", "grep -rn TODO src", "wc -l src/app.py",
        "git log --oneline -n 5", "echo hi"]

# Substitutions get inner spaces as people write them: `$((…))` would be arithmetic.
WRAPPERS = [
    lambda c: f"echo $( {c} )",
    lambda c: f"echo `{c}`" if "`" not in c else f"echo $( {c} )",
    lambda c: f"sh -c {shlex.quote(c)}",
    lambda c: f"bash -c {shlex.quote(c)}",
    lambda c: f"eval {shlex.quote(c)}",
    lambda c: f"env {c}",
    lambda c: f"sudo {c}",
    lambda c: f"xargs {c}",
    lambda c: f"timeout 5 {c}",
    lambda c: f"nice {c}",
    lambda c: f"command {c}",
    lambda c: f"({c})",
    lambda c: f"{{ {c}; }}",
    lambda c: f"ls && {c}",
    lambda c: f"{c} && ls",
    lambda c: f"ls || {c}",
    lambda c: f"ls; {c}",
    lambda c: f"ls\n{c}",
    lambda c: f"ls | {c}",
    lambda c: f"{c} | cat",
    lambda c: f"if true; then {c}; fi",
    lambda c: f"if {c}; then ls; fi",
    lambda c: f"for i in 1 2; do {c}; done",
    lambda c: f"while false; do {c}; done",
    lambda c: f"case a in a) {c};; esac",
    lambda c: f"f() {{ {c}; }}; f",
    lambda c: f"cat <( {c} )",
    lambda c: f"echo \"$( {c} )\"",
    lambda c: f"x=$( {c} )",
    lambda c: f"ls ${{x:-$( {c} )}}",
    lambda c: f"! {c}",
    lambda c: f"{c} 2>/dev/null",
    lambda c: f"{c} &",
]
NEUTRAL = [
    lambda c: f"( {c} )",  # "((" would be arithmetic
    lambda c: f"{{ {c}; }}",
    lambda c: f"ls && {c}",
    lambda c: f"{c} | head -n 5",
    lambda c: f"if true; then {c}; fi",
    lambda c: f"for i in 1 2; do {c}; done",
    lambda c: f"echo \"$( {c} )\"",
    lambda c: f"{c} 2>/dev/null",
]


def _decision(command: str, mode: str = "default") -> str:
    ctx = PermissionContext(project_root=ROOT, mode=mode)
    return decide(ToolCall("Bash", {"command": command}), ctx).decision


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(UNSAFE), st.lists(st.sampled_from(WRAPPERS), min_size=1, max_size=3),
       st.sampled_from(["default", "acceptEdits"]))
def test_wrapping_an_unsafe_command_never_yields_allow(command, wrappers, mode):
    for wrap in wrappers:
        command = wrap(command)
    assert _decision(command, mode) != "allow", command


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SAFE), st.lists(st.sampled_from(NEUTRAL), min_size=1, max_size=3))
def test_neutral_constructs_around_read_only_commands_stay_allowed(command, wrappers):
    for wrap in wrappers:
        command = wrap(command)
    assert _decision(command) == "allow", command


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes_and_never_allows_unparsed_input(text):
    ctx = PermissionContext(project_root=ROOT)
    d = decide(ToolCall("Bash", {"command": text}), ctx)
    assert d.decision in ("allow", "ask", "deny")
