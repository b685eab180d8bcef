"""Glob and Grep get the path policy of Read: an absolute pattern or a path outside the
project asks, a secret file named outright asks; a filter that would only *find* secrets is
allowed (the tools leave those files out and say so, see tests/tools/test_search_hidden.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.config.rules import parse_rule
from harness.permissions.engine import decide, search_filter
from harness.permissions.types import PermissionContext, ToolCall


@pytest.fixture
def proj(repo: Path, tmp_path: Path) -> Path:
    (repo / "src").mkdir()
    (repo / ".env").write_text("K=1")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", repo / "out_link")
    return repo


# (tool, input, expected decision, expected check); {root} is the project root
CASES = [
    ("Glob", {"pattern": "**/*.py"}, "allow", "read inside project"),
    ("Glob", {"pattern": "{root}/src/**/*.py"}, "allow", "read inside project"),
    ("Glob", {"pattern": "*.py", "path": "src"}, "allow", "read inside project"),
    ("Glob", {"pattern": "/etc/**"}, "ask", "outside project"),
    ("Glob", {"pattern": "/etc/*.conf", "path": "src"}, "ask", "outside project"),
    ("Glob", {"pattern": "../../**/*"}, "ask", "outside project"),
    ("Glob", {"pattern": "src/../../*"}, "ask", "outside project"),
    ("Glob", {"pattern": "~/.ssh/*"}, "ask", "secret path"),
    ("Glob", {"pattern": "*", "path": "/tmp"}, "ask", "outside project"),
    ("Glob", {"pattern": "*", "path": "out_link"}, "ask", "outside project"),
    ("Glob", {"pattern": "**/.env*"}, "allow", "read inside project"),
    ("Grep", {"pattern": "x"}, "allow", "read inside project"),
    ("Grep", {"pattern": "x", "path": "src"}, "allow", "read inside project"),
    ("Grep", {"pattern": "x", "glob": ".env*"}, "allow", "read inside project"),
    ("Grep", {"pattern": "x", "path": ".env"}, "ask", "secret path"),
    ("Grep", {"pattern": "x", "path": "/etc"}, "ask", "outside project"),
    ("Grep", {"pattern": "x", "path": "~/.aws"}, "ask", "secret path"),
    ("Grep", {"pattern": "x", "path": "/proc/self/environ"}, "ask", "secret path"),
    ("Grep", {"pattern": "x", "path": "out_link"}, "ask", "outside project"),
    ("Grep", {"pattern": "x", "path": "{root}/../"}, "ask", "outside project"),
    ("LS", {"path": "/etc"}, "ask", "outside project"),
]


@pytest.mark.parametrize(("tool", "inp", "verdict", "check"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_search_tools_get_the_read_path_policy(tool, inp, verdict, check, proj):
    inp = {k: v.replace("{root}", str(proj)) for k, v in inp.items()}
    d = decide(ToolCall(tool, inp), PermissionContext(project_root=proj))
    assert (d.decision, d.check) == (verdict, check), d.reason


def test_an_allow_rule_must_cover_every_folder_a_glob_reads(proj, tmp_path):
    ctx = PermissionContext(project_root=proj, allow=(parse_rule("Glob(//etc)"),))
    assert decide(ToolCall("Glob", {"pattern": "/etc/*"}), ctx).decision == "allow"
    both = ToolCall("Glob", {"pattern": "/etc/*", "path": "/var/log"})
    assert decide(both, ctx).decision == "ask"


def test_search_filter_hides_secrets_and_denied_paths_unless_a_rule_allows(proj):
    root = str(proj)
    plain = search_filter(PermissionContext(project_root=proj))
    assert plain(f"{root}/.env") == "secret path"
    assert plain(f"{root}/src/a.py") is None
    ruled = search_filter(PermissionContext(
        project_root=proj, allow=(parse_rule("Read(.env)"),),
        deny=(parse_rule("Read(src/private/**)"),), mode="bypassPermissions"))
    assert ruled(f"{root}/.env") is None
    assert ruled(f"{root}/src/private/k.txt") == "deny rule Read(src/private/**)"
    assert ruled(f"{root}/config/.env.prod") == "secret path"  # bypass is not a rule
