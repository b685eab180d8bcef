"""The mode table and the evaluation order from ARCHITECTURE.md."""

from __future__ import annotations

import pytest

from harness.config.rules import parse_rule
from harness.permissions.engine import decide
from harness.permissions.types import PermissionContext, ToolCall

MODES = ("default", "acceptEdits", "plan", "bypassPermissions")

# category → one representative call; {root} is the project root
CALLS = {
    "read": ToolCall("Read", {"file_path": "src/app.py"}),
    "write_in": ToolCall("Edit", {"file_path": "src/app.py", "old_string": "a",
                                  "new_string": "b"}),
    "write_out": ToolCall("Write", {"file_path": "/var/tmp/harness-elsewhere.txt",
                                    "content": "x"}),
    "shell": ToolCall("Bash", {"command": "npm test"}),
    "git_push": ToolCall("GitPush", {"remote": "origin", "branch": "main"}),
}
TABLE = {
    "default":           {"read": "allow", "write_in": "ask", "write_out": "ask",
                          "shell": "ask", "git_push": "ask"},
    "acceptEdits":       {"read": "allow", "write_in": "allow", "write_out": "ask",
                          "shell": "ask", "git_push": "ask"},
    "plan":              {"read": "allow", "write_in": "deny", "write_out": "deny",
                          "shell": "deny", "git_push": "deny"},
    "bypassPermissions": {"read": "allow", "write_in": "allow", "write_out": "allow",
                          "shell": "allow", "git_push": "allow"},
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(CALLS))
def test_mode_table(mode, kind, repo):
    d = decide(CALLS[kind], PermissionContext(project_root=repo, mode=mode))
    assert d.decision == TABLE[mode][kind], d.reason


@pytest.mark.parametrize("mode", MODES)
def test_meta_tools_are_allowed_and_ask_user_always_asks(mode, repo):
    ctx = PermissionContext(project_root=repo, mode=mode)
    assert decide(ToolCall("TodoWrite", {"todos": []}), ctx).decision == "allow"
    assert decide(ToolCall("Task", {"agent": "x", "handoff": "y"}), ctx).decision == "allow"
    d = decide(ToolCall("AskUser", {"question": "which?"}), ctx)
    assert (d.decision, d.category, d.reason) == ("ask", "meta", "question for you")


@pytest.mark.parametrize("mode", MODES)
def test_deny_rule_wins_in_every_mode_including_bypass(mode, repo):
    ctx = PermissionContext(project_root=repo, mode=mode, deny=(parse_rule("Read(secret/**)"),),
                            allow=(parse_rule("Read"),))
    d = decide(ToolCall("Read", {"file_path": "secret/a.txt"}), ctx)
    assert (d.decision, d.rule) == ("deny", "Read(secret/**)")


@pytest.mark.parametrize("mode", MODES)
def test_interrupt_before_asks_in_every_mode_including_bypass(mode, repo):
    ctx = PermissionContext(project_root=repo, mode=mode,
                            interrupt_before=(parse_rule("GitCommit"),),
                            allow=(parse_rule("GitCommit"),))
    d = decide(ToolCall("GitCommit", {"message": "x"}), ctx)
    assert (d.decision, d.rule) == ("ask", "GitCommit")


def test_ask_rule_beats_allow_rule(repo):
    ctx = PermissionContext(project_root=repo, ask=(parse_rule("Bash(npm test:*)"),),
                            allow=(parse_rule("Bash"),))
    assert decide(CALLS["shell"], ctx).decision == "ask"


def test_allow_rule_beats_the_mode_table(repo):
    ctx = PermissionContext(project_root=repo, allow=(parse_rule("Bash(npm test:*)"),))
    d = decide(CALLS["shell"], ctx)
    assert (d.decision, d.rule) == ("allow", "Bash(npm test:*)")


@pytest.mark.parametrize("path", [".git/config", ".GIT/hooks/x", ".harness/config.toml",
                                  ".harness/config.local.toml"])
@pytest.mark.parametrize("mode", MODES)
def test_protected_writes_ask_in_every_mode_but_plan_denies(path, mode, repo):
    ctx = PermissionContext(project_root=repo, mode=mode, allow=(parse_rule("Edit"),))
    d = decide(ToolCall("Write", {"file_path": path, "content": "x"}), ctx)
    assert d.decision == ("deny" if mode == "plan" else "ask"), d.reason


def test_user_config_file_is_protected_under_xdg_config_home(repo, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    target = tmp_path / "xdg" / "harness" / "config.toml"
    ctx = PermissionContext(project_root=repo, mode="bypassPermissions")
    assert decide(ToolCall("Write", {"file_path": str(target)}), ctx).decision == "ask"


def test_session_grant_covers_recoverable_calls_but_never_irreversible_ones(repo):
    grants = (parse_rule("Bash(npm test:*)"), parse_rule("Bash(rm build.log)"))
    ctx = PermissionContext(project_root=repo, session_allow=grants)
    assert decide(ToolCall("Bash", {"command": "npm test"}), ctx).decision == "allow"
    d = decide(ToolCall("Bash", {"command": "rm build.log"}), ctx)
    assert (d.decision, d.grade) == ("ask", "irreversible")
    explicit = PermissionContext(project_root=repo, allow=(parse_rule("Bash(rm build.log)"),))
    assert decide(ToolCall("Bash", {"command": "rm build.log"}), explicit).decision == "allow"


def test_session_grant_does_not_cover_git_push(repo):
    ctx = PermissionContext(project_root=repo, session_allow=(parse_rule("GitPush"),))
    assert decide(CALLS["git_push"], ctx).decision == "ask"


@pytest.mark.parametrize(("call", "grade"), [
    (ToolCall("Read", {"file_path": "a.py"}), "reversible"),
    (ToolCall("Bash", {"command": "git status"}), "reversible"),
    (ToolCall("Edit", {"file_path": "a.py"}), "recoverable"),
    (ToolCall("Bash", {"command": "npm test"}), "recoverable"),
    (ToolCall("Write", {"file_path": "/var/tmp/x"}), "irreversible"),
    (ToolCall("Bash", {"command": "rm -rf build"}), "irreversible"),
    (ToolCall("Bash", {"command": "git push"}), "irreversible"),
    (ToolCall("Bash", {"command": "curl https://example.com"}), "irreversible"),
    (ToolCall("Bash", {"command": "echo x > untracked.txt"}), "irreversible"),
    (ToolCall("GitPush", {}), "irreversible"),
    (ToolCall("GitCommit", {"message": "m"}), "recoverable"),
    (ToolCall("TodoWrite", {"todos": []}), "reversible"),
])
def test_every_decision_carries_a_grade(call, grade, repo):
    assert decide(call, PermissionContext(project_root=repo)).grade == grade


def test_unknown_tool_asks(repo):
    d = decide(ToolCall("Frobnicate", {}), PermissionContext(project_root=repo,
                                                            mode="bypassPermissions"))
    assert d.decision == "ask"


def test_write_to_configured_writable_folder_counts_as_in_project(repo, tmp_path):
    extra = tmp_path / "cache"
    extra.mkdir()
    ctx = PermissionContext(project_root=repo, mode="acceptEdits", writable_extra=(extra,))
    assert decide(ToolCall("Write", {"file_path": str(extra / "a")}), ctx).decision == "allow"


@pytest.mark.parametrize("kind", ["write_in", "shell", "git_push"])
def test_plan_mode_is_not_lifted_by_allow_rules_or_session_grants(kind, repo):
    rules = (parse_rule("Edit"), parse_rule("Bash(npm test:*)"), parse_rule("GitPush"))
    ctx = PermissionContext(project_root=repo, mode="plan", allow=rules, session_allow=rules)
    assert decide(CALLS[kind], ctx).decision == "deny"


def test_allow_rule_still_allows_outside_plan_mode(repo):
    ctx = PermissionContext(project_root=repo, mode="default",
                            allow=(parse_rule("Bash(npm test:*)"),))
    assert decide(CALLS["shell"], ctx).decision == "allow"


# Every decision names the check that made it: one row per kind of check.
CHECKS = [
    (ToolCall("Read", {"file_path": ".env"}), "default", {}, "ask", "secret path"),
    (ToolCall("Read", {"file_path": "/etc/hostname"}), "default", {}, "ask", "outside project"),
    (ToolCall("Read", {"file_path": "src/app.py"}), "plan", {}, "allow", "read inside project"),
    (ToolCall("Write", {"file_path": ".git/config"}), "acceptEdits", {}, "ask",
     "protected path: .git/config"),
    (ToolCall("Write", {"file_path": ".git/config"}), "plan", {}, "deny",
     "protected path: .git/config"),
    (ToolCall("Bash", {"command": "npm test"}), "default", {}, "ask", "mode default: shell asks"),
    (ToolCall("Bash", {"command": "git status"}), "default", {}, "allow", "read-only command"),
    (ToolCall("Bash", {"command": "ls $("}), "default", {}, "ask", "unparseable command"),
    (ToolCall("Edit", {"file_path": "a.py"}), "default", {}, "ask", "mode default: write asks"),
    (ToolCall("Edit", {"file_path": "a.py"}), "acceptEdits", {}, "allow",
     "mode acceptEdits: write in project"),
    (ToolCall("Write", {"file_path": "/var/tmp/x"}), "acceptEdits", {}, "ask",
     "mode acceptEdits: write outside project asks"),
    (ToolCall("Bash", {"command": "npm test"}), "plan", {}, "deny", "mode plan: no changes"),
    (ToolCall("Bash", {"command": "npm test"}), "bypassPermissions", {}, "allow",
     "mode bypassPermissions"),
    (ToolCall("GitPush", {}), "default", {}, "ask", "mode default: push asks"),
    (ToolCall("Bash", {"command": "npm test"}), "default", {"allow": ("Bash(npm test:*)",)},
     "allow", "rule Bash(npm test:*)"),
    (ToolCall("Bash", {"command": "npm test"}), "default", {"session_allow": ("Bash(npm test:*)",)},
     "allow", "session grant Bash(npm test:*)"),
    (ToolCall("Read", {"file_path": "s/a"}), "default", {"deny": ("Read(s/**)",)}, "deny",
     "deny rule Read(s/**)"),
    (ToolCall("Bash", {"command": "npm test"}), "default", {"ask": ("Bash(npm:*)",)}, "ask",
     "ask rule Bash(npm:*)"),
    (ToolCall("GitCommit", {"message": "m"}), "bypassPermissions",
     {"interrupt_before": ("GitCommit",)}, "ask", "breakpoint GitCommit"),
    (ToolCall("AskUser", {"question": "?"}), "default", {}, "ask", "question for the user"),
    (ToolCall("Frobnicate", {}), "default", {}, "ask", "unknown tool"),
    (ToolCall("TodoWrite", {"todos": []}), "default", {}, "allow", "meta tool"),
]


@pytest.mark.parametrize(("call", "mode", "rules", "verdict", "check"), CHECKS,
                         ids=[c[4] + "-" + c[1] for c in CHECKS])
def test_every_decision_names_its_check(call, mode, rules, verdict, check, repo):
    ctx = PermissionContext(project_root=repo, mode=mode, **{
        k: tuple(parse_rule(r) for r in v) for k, v in rules.items()})
    d = decide(call, ctx)
    assert (d.decision, d.check) == (verdict, check), d.reason


def test_the_deciding_rule_says_which_file_wrote_it(repo):
    from harness.config.loader import load_config
    from harness.permissions.context import context_from_settings, rule_sources

    (repo / ".harness").mkdir()
    (repo / ".harness" / "config.toml").write_text('[permissions]\nallow = ["Bash(make:*)"]\n')
    (repo / ".harness" / "config.local.toml").write_text('[permissions]\ndeny = ["Read(k/**)"]\n')
    loaded = load_config(repo)
    ctx = context_from_settings(loaded.settings, repo, sources=rule_sources(loaded, repo))
    assert decide(ToolCall("Bash", {"command": "make x"}), ctx).check == (
        "rule Bash(make:*) from .harness/config.toml")
    assert decide(ToolCall("Read", {"file_path": "k/a"}), ctx).check == (
        "deny rule Read(k/**) from .harness/config.local.toml")
