"""Approvals as rules: what "for this session / always" grants, and writing it to
`.harness/config.local.toml` without disturbing the rest of the file."""

from __future__ import annotations

import subprocess
import tomllib

import pytest

from harness.config.loader import load_config
from harness.permissions.context import context_from_settings
from harness.permissions.engine import decide
from harness.permissions.grants import GrantError, suggest_rule, write_project_rule
from harness.permissions.types import PermissionContext, ToolCall


@pytest.mark.parametrize(("call", "rule"), [
    (ToolCall("Bash", {"command": "npm test"}), "Bash(npm test:*)"),
    (ToolCall("Bash", {"command": "npm run build -- --prod"}), "Bash(npm run build:*)"),
    (ToolCall("Bash", {"command": "git commit -m 'x' && git status"}), "Bash(git commit:*)"),
    (ToolCall("Bash", {"command": "make"}), "Bash(make)"),
    (ToolCall("Bash", {"command": "rm -rf build"}), "Bash(rm -rf build)"),
    (ToolCall("Bash", {"command": "python3 scripts/migrate.py"}),
     "Bash(python3 scripts/migrate.py)"),
    (ToolCall("Edit", {"file_path": "src/app.py"}), "Edit(/src/app.py)"),
    (ToolCall("Write", {"file_path": "docs/a[1].md"}), "Edit(/docs/a\\[1\\].md)"),
    (ToolCall("GitCommit", {"message": "m"}), "GitCommit"),
    (ToolCall("GitPush", {"remote": "origin", "branch": "main"}), "GitPush(origin main)"),
    (ToolCall("Task", {"agent": "reviewer"}), "Task(reviewer)"),
])
def test_suggested_rule_for_a_call(call, rule, repo):
    assert str(suggest_rule(call, PermissionContext(project_root=repo))) == rule


@pytest.mark.parametrize("command", ["npm test && make", "ls &&", "f() { ls; }"])
def test_no_single_rule_for_commands_one_rule_cannot_cover(command, repo):
    assert suggest_rule(ToolCall("Bash", {"command": command}),
                        PermissionContext(project_root=repo)) is None


def test_ask_user_gets_no_standing_grant(repo):
    assert suggest_rule(ToolCall("AskUser", {"question": "?"}),
                        PermissionContext(project_root=repo)) is None


@pytest.mark.parametrize("call", [
    ToolCall("Bash", {"command": "npm test -- --watch"}),
    ToolCall("Edit", {"file_path": "src/app.py"}),
    ToolCall("Write", {"file_path": "docs/a[1].md"}),
])
def test_suggested_rule_allows_the_call_it_came_from(call, repo):
    ctx = PermissionContext(project_root=repo)
    assert decide(call, ctx).decision == "ask"
    rule = suggest_rule(call, ctx)
    granted = PermissionContext(project_root=repo, session_allow=(rule,))
    assert decide(call, granted).decision == "allow"


def _ignored(repo) -> bool:
    r = subprocess.run(["git", "check-ignore", "-q", ".harness/config.local.toml"], cwd=repo)
    return r.returncode == 0


def test_write_project_rule_creates_the_local_config_and_git_ignores_it(repo):
    path = write_project_rule(repo, "Bash(npm test:*)")
    assert path == repo / ".harness" / "config.local.toml"
    assert tomllib.loads(path.read_text())["permissions"]["allow"] == ["Bash(npm test:*)"]
    assert _ignored(repo)
    settings = load_config(repo).settings
    ctx = context_from_settings(settings, repo)
    assert decide(ToolCall("Bash", {"command": "npm test"}), ctx).decision == "allow"


def test_write_project_rule_keeps_other_content_and_appends(repo):
    path = repo / ".harness" / "config.local.toml"
    path.parent.mkdir()
    original = (
        "# my local settings\n"
        "[model]\nname = \"claude-opus-4-1\"  # keep me\n\n"
        "[permissions]\nmode = \"acceptEdits\"\nallow = [\n  \"Bash(make:*)\",  # builds\n"
        "  \"Edit(src/**)\",\n]\ndeny = [\"Bash(rm:*)\"]\n\n"
        "[sandbox]\nnetwork = false\n"
    )
    path.write_text(original)
    write_project_rule(repo, "Bash(npm test:*)")
    write_project_rule(repo, "Bash(npm test:*)")  # idempotent
    text = path.read_text()
    data = tomllib.loads(text)
    assert data["permissions"]["allow"] == ["Bash(make:*)", "Edit(src/**)", "Bash(npm test:*)"]
    assert data["permissions"]["deny"] == ["Bash(rm:*)"]
    assert data["model"]["name"] == "claude-opus-4-1"
    assert data["sandbox"]["network"] is False
    assert text.startswith("# my local settings\n") and "# keep me" in text


def test_write_project_rule_adds_allow_to_an_existing_permissions_table(repo):
    path = repo / ".harness" / "config.local.toml"
    path.parent.mkdir()
    path.write_text('[permissions]\nmode = "plan"\n[ui]\ntheme = "dark"\n')
    write_project_rule(repo, 'Bash(echo "quoted" \\ back:*)')
    data = tomllib.loads(path.read_text())
    assert data["permissions"] == {"mode": "plan", "allow": ['Bash(echo "quoted" \\ back:*)']}
    assert data["ui"] == {"theme": "dark"}


def test_write_project_rule_refuses_invalid_toml_and_leaves_it_alone(repo):
    path = repo / ".harness" / "config.local.toml"
    path.parent.mkdir()
    path.write_text("[permissions\n")
    with pytest.raises(GrantError, match="invalid TOML"):
        write_project_rule(repo, "Bash(make:*)")
    assert path.read_text() == "[permissions\n"


def test_existing_gitignore_is_kept(repo):
    (repo / ".gitignore").write_text("node_modules/")
    write_project_rule(repo, "GitCommit")
    lines = (repo / ".gitignore").read_text().splitlines()
    assert lines == ["node_modules/", ".harness/config.local.toml"]
    write_project_rule(repo, "TodoWrite")
    assert (repo / ".gitignore").read_text().splitlines() == lines


@pytest.mark.parametrize("call", [
    ToolCall("Write", {"file_path": ".git/config", "content": "x"}),
    ToolCall("Edit", {"file_path": ".harness/config.local.toml"}),
    ToolCall("Write", {"file_path": ".claude/agents/a.md"}),
    ToolCall("AskUser", {"question": "?"}),
])
def test_firm_asks_get_no_standing_grant(call, repo):
    assert suggest_rule(call, PermissionContext(project_root=repo)) is None
