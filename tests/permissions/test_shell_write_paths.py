"""The shell analysis reports the files a command writes (redirect targets, values of
writing options, also through GNU prefixes), so self-protection holds for shell writes."""

from __future__ import annotations

import pytest

from harness.permissions.engine import decide
from harness.permissions.shell import analyze
from harness.permissions.types import PermissionContext, ToolCall


@pytest.mark.parametrize(("command", "written"), [
    ("ls > out.txt", ["out.txt"]),
    ("ls 2>>err.log", ["err.log"]),
    ("sort -o sorted.txt names.txt", ["sorted.txt"]),
    ("sort --out=sorted.txt names.txt", ["sorted.txt"]),
    ("git log --outp=h.txt", []),  # ambiguous prefix: asks, names no file
    ("git log --output=h.txt", ["h.txt"]),
    ("ls > /dev/null", []),
])
def test_write_paths_are_reported(repo, command, written):
    a = analyze(command, repo, [repo], repo, repo)
    assert a.write_paths == written


@pytest.mark.parametrize("command", [
    "sort -o .git/config x", "sort --out=.git/hooks/pre-commit x", "ls > .git/config",
    "git log --output=.harness/config.local.toml", "echo x >> .harness/config.toml",
])
def test_shell_writes_to_protected_files_are_firm_asks_even_in_bypass(repo, command):
    ctx = PermissionContext(project_root=repo, mode="bypassPermissions")
    d = decide(ToolCall("Bash", {"command": command}), ctx)
    assert d.decision == "ask" and d.firm, d.reason
