"""Rule syntax (bad rules are errors, never silent never-matches) and rule matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config.loader import ConfigError, load_config
from harness.config.rules import RuleSyntaxError, parse_rule
from harness.permissions.engine import decide
from harness.permissions.rules import command_matches, parse_checked
from harness.permissions.types import PermissionContext, ToolCall


@pytest.mark.parametrize("text", [
    "", "Bash(", "Bash()", "Nope(x)", "bash(ls)", "Bash(:*)", "Bash(a:*b:*)",
    "GitStatus(x)", "TodoWrite(anything)", "AskUser(q)", "GitCommit(msg)", "Read(!secret)",
])
def test_malformed_or_never_matching_rules_are_errors(text):
    with pytest.raises(RuleSyntaxError):
        parse_checked(text)


def test_never_matching_rule_in_config_is_a_config_error(repo):
    (repo / ".harness").mkdir()
    (repo / ".harness" / "config.toml").write_text('[permissions]\nallow = ["GitLog(x)"]\n')
    with pytest.raises(ConfigError, match="can never match"):
        load_config(repo)


@pytest.mark.parametrize(("spec", "text", "hit"), [
    ("npm test:*", "npm test", True),
    ("npm test:*", "npm test --watch", True),
    ("npm test:*", "npm testing", False),
    ("npm test:*", "npm  test  -x", True),
    ("git status", "git status", True),
    ("git status", "git status -s", False),
    ("git log *", "git log -n 3", True),
    ("*", "anything at all", True),
])
def test_bash_command_patterns(spec, text, hit):
    assert command_matches(spec, text) is hit


def _ctx(repo: Path, **rules) -> PermissionContext:
    return PermissionContext(project_root=repo, **{k: tuple(parse_rule(r) for r in v)
                                                   for k, v in rules.items()})


def _bash(repo, command, **rules) -> str:
    return decide(ToolCall("Bash", {"command": command}), _ctx(repo, **rules)).decision


def test_allow_rule_covers_a_compound_command_only_if_every_unsafe_part_matches(repo):
    allow = ["Bash(npm test:*)"]
    assert _bash(repo, "npm test && git status", allow=allow) == "allow"
    assert _bash(repo, "npm test && npm test -- -u", allow=allow) == "allow"
    assert _bash(repo, "npm test && rm -rf build", allow=allow) == "ask"
    assert _bash(repo, "npm test; curl https://example.com", allow=allow) == "ask"
    assert _bash(repo, "npm test $(rm x)", allow=allow) == "ask"
    assert _bash(repo, "npm test > out.txt", allow=allow) == "ask"
    assert _bash(repo, "FOO=1 npm test", allow=allow) == "ask"


def test_allow_rule_never_covers_unparseable_commands(repo):
    assert _bash(repo, "npm test &&", allow=["Bash"]) == "ask"


def test_deny_rule_matches_any_part_and_sees_through_wrappers(repo):
    deny = ["Bash(rm:*)"]
    for command in ("ls && rm x", "echo $(rm x)", "sudo rm x", "timeout 5 rm x",
                    "sh -c 'rm -rf /'", "(cd a; rm b)"):
        assert _bash(repo, command, deny=deny) == "deny", command


def test_deny_git_push_rule_catches_global_options_before_push(repo):
    deny = ["Bash(git push:*)"]
    for command in ("git push", "git -C vendor/lib push origin HEAD", "git --no-pager push",
                    "git -c x=y push"):
        assert _bash(repo, command, deny=deny) == "deny", command


def test_bare_bash_rule_allows_every_parseable_command_even_in_default_mode(repo):
    assert _bash(repo, "make release", allow=["Bash"]) == "allow"
    assert _bash(repo, "make > build.log 2>&1", allow=["Bash"]) == "allow"
    assert _bash(repo, "make > build.log", allow=["Bash(make:*)"]) == "ask"


def _path(repo, tool, path, mode="default", **rules):
    ctx = PermissionContext(project_root=repo, mode=mode, **{
        k: tuple(parse_rule(r) for r in v) for k, v in rules.items()})
    return decide(ToolCall(tool, {"file_path": path}), ctx).decision


def test_path_rules_are_gitignore_style_relative_to_the_root(repo):
    allow = ["Edit(src/**)"]
    assert _path(repo, "Edit", "src/a/b.py", allow=allow) == "allow"
    assert _path(repo, "Edit", str(repo / "src" / "c.py"), allow=allow) == "allow"
    assert _path(repo, "Edit", "lib/src/x.py", allow=allow) == "ask"
    assert _path(repo, "Write", "src/new.py", allow=allow) == "allow"  # Edit covers Write
    assert _path(repo, "Write", "docs/a.md", allow=["Write(docs/*.md)"]) == "allow"
    assert _path(repo, "Write", "docs/sub/a.md", allow=["Write(docs/*.md)"]) == "ask"
    assert _path(repo, "Edit", "docs/a.md", allow=["Write(docs/*.md)"]) == "ask"


def test_unanchored_read_rule_matches_at_any_depth(repo):
    assert _path(repo, "Read", "config/.env", deny=["Read(.env)"]) == "deny"
    assert _path(repo, "Read", ".env", deny=["Read(.env)"]) == "deny"


def test_absolute_and_home_path_rules(repo, tmp_path):
    outside = tmp_path / "shared-docs" / "a.md"
    assert _path(repo, "Read", str(outside)) == "ask"
    assert _path(repo, "Read", str(outside), allow=[f"Read(/{tmp_path}/shared-docs/**)"]) \
        == "allow"
    home = Path.home()
    assert _path(repo, "Read", str(home / "notes" / "x.txt"),
                 allow=["Read(~/notes/**)"]) == "allow"


def test_deny_path_rule_sees_through_symlinks(repo):
    (repo / "secret").mkdir()
    (repo / "secret" / "k.txt").write_text("x")
    (repo / "innocent").symlink_to("secret")
    assert _path(repo, "Read", "innocent/k.txt", deny=["Read(secret/**)"]) == "deny"


def test_allow_rule_does_not_follow_a_symlink_out_of_the_root(repo):
    (repo / "out").symlink_to("/etc")
    assert _path(repo, "Edit", "out/hosts", mode="acceptEdits", allow=["Edit(out/**)"]) == "ask"


def test_task_and_gitpush_specifiers_match_their_inputs(repo):
    ctx = _ctx(repo, allow=["Task(review*)"], deny=["GitPush(origin main)"])
    assert decide(ToolCall("Task", {"agent": "reviewer"}), ctx).rule == "Task(review*)"
    push = decide(ToolCall("GitPush", {"remote": "origin", "branch": "main"}), ctx)
    assert push.decision == "deny"


def test_deny_read_rule_also_stops_shell_commands_that_read_the_file(repo):
    deny = ["Read(secrets/**)"]
    assert _bash(repo, "cat secrets/token.txt", deny=deny) == "deny"
    assert _bash(repo, "grep -r x src < secrets/a", deny=deny) == "deny"
    assert _bash(repo, "cat README.md", deny=deny) == "allow"


# --- path rules are normalized at load ------------------------------------------------------
@pytest.mark.parametrize(("written", "normalized"), [
    ("Read(./src//a/./b.py)", "Read(/src/a/b.py)"),
    ("Read(src/../lib/**)", "Read(lib/**)"),
    ("Edit(//etc//x/../hosts)", "Edit(//etc/hosts)"),
    ("Read(~/.ssh/../.aws/**)", "Read(~/.aws/**)"),
    ("Read(.env)", "Read(.env)"),
    ("Read(**/*.pem)", "Read(**/*.pem)"),
    ("Edit(/src/)", "Edit(/src/)"),
    ("Read(//)", "Read(//)"),
])
def test_path_rules_are_normalized(written, normalized):
    assert str(parse_rule(written)) == normalized


@pytest.mark.parametrize(("written", "suggestion"), [
    ("Read(../secrets/**)", "Read(//{parent}/secrets/**)"),
    ("Edit(src/../../x.py)", "Edit(//{parent}/x.py)"),
    ("Read(./../sibling/.env)", "Read(//{parent}/sibling/.env)"),
    ("Read(**/../x)", "without `..`"),
    ("Read(~root/.ssh/id_rsa)", "Read(//root/.ssh/id_rsa)"),
    ("Read(~no-such-user-zz/x)", "no user"),
])
def test_path_rule_that_can_never_match_is_an_error_naming_the_abs_form(written, suggestion,
                                                                        repo):
    want = suggestion.replace("{parent}", str(repo.resolve().parent).lstrip("/"))
    with pytest.raises(RuleSyntaxError, match="can never match") as err:
        parse_rule(written, repo.resolve())
    assert want in str(err.value)


def test_config_with_a_climbing_path_rule_is_a_config_error_naming_the_file(repo):
    (repo / ".harness").mkdir()
    (repo / ".harness" / "config.toml").write_text(
        '[permissions]\ndeny = ["Read(../secrets/**)"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(repo)
    text = str(err.value)
    assert "config.toml" in text and f"Read(//{str(repo.resolve().parent).lstrip('/')}" \
        "/secrets/**)" in text


def test_the_suggested_abs_form_matches_what_was_meant(repo, tmp_path):
    secrets = repo.parent / "secrets"
    secrets.mkdir()
    (secrets / "k").write_text("x")
    with pytest.raises(RuleSyntaxError) as err:
        parse_rule("Read(../secrets/**)", repo.resolve())
    suggested = str(err.value).split("`")[-2]
    ctx = PermissionContext(project_root=repo, deny=(parse_rule(suggested),))
    d = decide(ToolCall("Read", {"file_path": "../secrets/k"}), ctx)
    assert (d.decision, d.rule) == ("deny", suggested)
