"""The shared corpora as table tests: no `ask` case may be allowed, and at least 90% of the
`allow` cases must be allowed (an engine that asks for everything is useless)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.permissions.engine import decide
from harness.permissions.types import PermissionContext, ToolCall
from tests.permissions.conftest import git_init, load_corpus

SHELL = load_corpus("shell_commands.jsonl")
PATHS = load_corpus("paths.jsonl")


def _bash(command: str, root: Path, mode: str = "default") -> str:
    return decide(ToolCall("Bash", {"command": command}),
                  PermissionContext(project_root=root, mode=mode)).decision


@pytest.mark.parametrize("case", [c for c in SHELL if c["expect"] == "ask"], ids=lambda c: c["id"])
def test_shell_command_labelled_ask_is_never_allowed(case, repo):
    assert _bash(case["command"], repo) != "allow", case["why"]


def test_shell_commands_labelled_allow_are_mostly_allowed(repo):
    allow_cases = [c for c in SHELL if c["expect"] == "allow"]
    missed = [c["id"] for c in allow_cases if _bash(c["command"], repo) != "allow"]
    share = 1 - len(missed) / len(allow_cases)
    print(f"\nallow-labelled shell commands allowed: {share:.1%} "
          f"({len(allow_cases) - len(missed)}/{len(allow_cases)}); missed: {missed}")
    assert share >= 0.90


def test_shell_corpus_has_both_labels():
    labels = {c["expect"] for c in SHELL}
    assert labels == {"allow", "ask"} and len(SHELL) >= 100


@pytest.fixture(scope="module")
def path_root(tmp_path_factory) -> Path:
    """The union of every setup, built once in a fresh git repository (names never clash)."""
    root = git_init(tmp_path_factory.mktemp("paths") / "proj")
    for case in PATHS:
        setup = case.get("setup") or {}
        for d in setup.get("dirs", []):
            (root / d).mkdir(parents=True, exist_ok=True)
        for f in setup.get("files", []):
            (root / f).parent.mkdir(parents=True, exist_ok=True)
            (root / f).touch()
        for link, target in (setup.get("symlinks") or {}).items():
            if not os.path.lexists(root / link):
                (root / link).parent.mkdir(parents=True, exist_ok=True)
                os.symlink(target, root / link)
    return root


def _path_decision(case: dict, root: Path, mode: str) -> str:
    path = case["path"].replace("{root}", str(root))
    if case["tool"] == "write":
        call = ToolCall("Write", {"file_path": path, "content": "x"})
    else:
        call = ToolCall("Read", {"file_path": path})
    return decide(call, PermissionContext(project_root=root, mode=mode)).decision


@pytest.mark.parametrize("case", PATHS, ids=lambda c: c["id"])
def test_path_case_matches_its_label(case, path_root):
    mode = case.get("mode", "acceptEdits")
    got = _path_decision(case, path_root, mode)
    expect = case["expect"]
    if expect == "allow_in_acceptEdits":
        assert got == "allow", case["why"]
        if case["tool"] == "write":
            assert _path_decision(case, path_root, "default") == "ask"
            assert _path_decision(case, path_root, "plan") == "deny"
        else:
            for other in ("default", "plan", "bypassPermissions"):
                assert _path_decision(case, path_root, other) == "allow"
    elif expect == "ask":
        assert got != "allow", case["why"]
    else:
        assert got == "deny", case["why"]
