"""Deny and ask rules match what bash will run: each part's argv after quote removal, the
program as a basename, seen through wrappers; a part only known at run time asks."""

from __future__ import annotations

import pytest

from harness.config.rules import parse_rule
from harness.permissions.engine import decide
from harness.permissions.types import PermissionContext, ToolCall


def _decide(repo, command, deny=(), ask=(), allow=()):
    ctx = PermissionContext(project_root=repo, deny=tuple(parse_rule(r) for r in deny),
                            ask=tuple(parse_rule(r) for r in ask),
                            allow=tuple(parse_rule(r) for r in allow))
    return decide(ToolCall("Bash", {"command": command}), ctx)


@pytest.mark.parametrize("command", [
    "'rm' -rf x", "r\\m -rf x", '"rm" -rf x', "$'rm' -rf x", "\\rm -rf x", "/bin/rm -rf x",
    "$'\\x72m' -rf x", "r''m -rf x", "env rm -rf x", "env -S 'rm -rf x'", "nice rm -rf x",
    "timeout 5 rm -rf x", "nohup rm -rf x", "stdbuf -o0 rm -rf x", "command rm -rf x",
    "exec rm -rf x", "time rm -rf x", "sh -c 'rm -rf x'", "bash -lc 'rm -rf x'",
    "eval 'rm -rf x'", "find . -exec rm -rf {} +", "sudo rm -rf x", "ls; rm -rf x",
    "echo $(rm -rf x)", "ca\\\nt x; r\\\nm -rf x", "builtin command rm -rf x",
])
def test_deny_rule_sees_the_program_bash_runs(repo, command):
    d = _decide(repo, command, deny=["Bash(rm:*)"])
    assert d.decision == "deny", (command, d.reason)


@pytest.mark.parametrize("command", ["$X -rf y", "$(echo rm) -rf y", "`echo rm` x",
                                     "${CMD:-rm} x", "r${x}m y"])
def test_a_program_only_known_at_run_time_makes_deny_rules_ask(repo, command):
    d = _decide(repo, command, deny=["Bash(rm:*)"], allow=["Bash"])
    assert d.decision == "ask", (command, d.reason)


def test_xargs_input_may_complete_a_deny_rule(repo):
    assert _decide(repo, "echo x | xargs rm", deny=["Bash(rm -rf:*)"]).decision == "ask"
    assert _decide(repo, "echo x | xargs ls", deny=["Bash(rm -rf:*)"]).decision != "deny"


def test_argument_only_known_at_run_time_may_match_an_exact_rule(repo):
    assert _decide(repo, "git push $REMOTE", ask=["Bash(git push origin:*)"],
                   allow=["Bash"]).decision == "ask"


def test_ask_rules_also_match_through_quotes(repo):
    d = _decide(repo, "'git' \"status\"", ask=["Bash(git status:*)"])
    assert d.decision == "ask" and d.rule == "Bash(git status:*)"


def test_rules_for_other_programs_do_not_match(repo):
    assert _decide(repo, "'ls' -la", deny=["Bash(rm:*)"]).decision == "allow"
    assert _decide(repo, "rmdir x", deny=["Bash(rm:*)"]).decision == "ask"
    assert _decide(repo, "rmdir x", deny=["Bash(rm:*)"]).rule is None


def test_allow_rules_are_not_widened_by_basename(repo):
    # `/tmp/npm test` runs whatever file is there: an allow rule for `npm test` is not it.
    assert _decide(repo, "/tmp/npm test", allow=["Bash(npm test:*)"]).decision == "ask"
    assert _decide(repo, "npm test", allow=["Bash(npm test:*)"]).decision == "allow"
