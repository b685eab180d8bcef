"""`harness permissions replay` and `harness permissions grants [--revoke]` on real threads
made by real runs (the SDK against the scripted server, SQLite store, real config files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.commands.permission_threads import CommandError, Project
from harness.commands.permissions_grants import ProjectRule, _revoke_rule
from harness.model.script import Reply, ToolUse, text, tool
from tests.agent.helpers import make_project, run_cli


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _config(project: Path, name: str, body: str) -> Path:
    path = project / ".harness" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(body)
    return path


def test_replay_decides_every_past_call_again_under_the_current_config(
    scripted_server, project, capsys
):
    scripted_server.add(
        Reply([ToolUse("Read", {"file_path": "hello.py"}),
               ToolUse("Bash", {"command": "touch a.txt"})]),
        text("could not touch"))
    code, out, err = run_cli(capsys, "-p", "go", "--cwd", str(project), "--output-format", "json")
    assert code == 0, err
    thread = json.loads(out)["thread_id"]
    _config(project, "config.toml", '[permissions]\nallow = ["Bash(touch:*)"]\n')

    code, out, err = run_cli(capsys, "permissions", "replay", thread[:8], "--json",
                             "--cwd", str(project))
    assert code == 0, err
    report = json.loads(out)
    assert report["thread_id"] == thread and report["changed"] == 1
    read, bash = report["calls"]
    assert read["tool"] == "Read" and read["then"]["decision"] == "allow"
    assert read["now"]["decision"] == "allow" and not read["changed"]
    assert bash["input"] == {"command": "touch a.txt"}
    assert bash["then"]["decision"] == "ask" and bash["then"]["source"] == "policy"
    assert "denied by policy" in bash["then"]["what"]
    assert bash["now"]["decision"] == "allow" and bash["now"]["rule"] == "Bash(touch:*)"
    assert ".harness/config.toml" in bash["now"]["check"] and bash["changed"]

    code, out, _ = run_cli(capsys, "permissions", "replay", thread, "--cwd", str(project))
    assert code == 0
    line = next(row for row in out.splitlines() if "Bash(touch a.txt)" in row)
    assert "*" in line and " ask " in line and " allow " in line
    assert "1 call(s) would now be decided differently" in out

    # --mode decides every call in another mode: plan refuses the command outright.
    code, out, _ = run_cli(capsys, "permissions", "replay", thread, "--mode", "plan", "--json",
                           "--cwd", str(project))
    assert json.loads(out)["calls"][1]["now"]["decision"] == "deny"


def test_replay_of_an_unknown_thread_is_a_usage_error(project, capsys):
    code, _, err = run_cli(capsys, "permissions", "replay", "nope-not-a-thread",
                           "--cwd", str(project))
    assert code == 2 and "nope-not-a-thread" in err


def _session_grant(scripted_server, capsys, project) -> str:
    scripted_server.add(tool("Bash", {"command": "touch a.txt"}))
    code, out, err = run_cli(capsys, "-p", "touch", "--cwd", str(project), "--on-ask",
                             "interrupt", "--output-format", "json")
    assert code == 3, err
    thread = json.loads(out)["thread_id"]
    scripted_server.add(text("done"))
    code, _, err = run_cli(capsys, "resume", thread, "--approve", "--scope", "session",
                           "--cwd", str(project))
    assert code == 0, err
    return thread


def _grants(capsys, project) -> dict:
    code, out, err = run_cli(capsys, "permissions", "grants", "--json", "--cwd", str(project))
    assert code == 0, err
    return json.loads(out)


def test_a_revoked_session_grant_no_longer_applies_on_resume(scripted_server, project, capsys):
    thread = _session_grant(scripted_server, capsys, project)
    (grant,) = _grants(capsys, project)["session_grants"]
    assert grant["rule"] == "Bash(touch:*)" and grant["thread_id"] == thread
    assert _grants(capsys, project)["session_grants"][0]["id"] == grant["id"]  # stable

    code, out, err = run_cli(capsys, "permissions", "grants", "--revoke", grant["id"],
                             "--cwd", str(project))
    assert code == 0, err
    assert "no longer applies" in out and thread in out
    assert _grants(capsys, project)["session_grants"] == []

    # The thread's next touch asks again instead of running on the revoked grant.
    scripted_server.add(tool("Bash", {"command": "touch b.txt"}))
    code, out, err = run_cli(capsys, "-p", "touch another", "--resume", thread, "--cwd",
                             str(project), "--on-ask", "interrupt", "--output-format", "json")
    assert code == 3, err
    assert json.loads(out)["pending"]["tool"] == "Bash"
    assert not (project / "b.txt").exists()


def test_rules_are_listed_with_their_file_and_removed_from_it(project, capsys):
    shared = _config(project, "config.toml",
                     '# team policy\nmodel.name = "claude-sonnet-4-5"\n\n[permissions]\n'
                     'allow = ["Bash(npm test:*)", "Bash(make:*)"]\ndeny = ["Bash(rm:*)"]\n')
    _config(project, "config.local.toml", '[permissions]\nallow = ["Bash(make:*)"]\n')
    rules = _grants(capsys, project)["rules"]
    by_rule = {(r["list"], r["rule"], Path(r["source"]).name): r for r in rules}
    npm = by_rule[("allow", "Bash(npm test:*)", "config.toml")]
    assert npm["layer"] == "project" and npm["revocable"]
    assert ("deny", "Bash(rm:*)", "config.toml") in by_rule
    make_shared = by_rule[("allow", "Bash(make:*)", "config.toml")]

    code, out, err = run_cli(capsys, "permissions", "grants", "--revoke", npm["id"],
                             "--cwd", str(project))
    assert code == 0, err
    assert "removed Bash(npm test:*) from permissions.allow in .harness/config.toml" in out
    text_now = shared.read_text()
    assert "npm test" not in text_now
    assert "# team policy" in text_now and 'model.name = "claude-sonnet-4-5"' in text_now
    assert 'deny = ["Bash(rm:*)"]' in text_now and "Bash(make:*)" in text_now

    code, out, _ = run_cli(capsys, "permissions", "grants", "--revoke", make_shared["id"],
                           "--cwd", str(project))
    assert code == 0 and "still set in .harness/config.local.toml" in out

    code, _, err = run_cli(capsys, "permissions", "grants", "--revoke", "p-00000000",
                           "--cwd", str(project))
    assert code == 2 and "no grant or rule with ID" in err


def test_a_shipped_default_rule_is_never_edited(tmp_path):
    rule = ProjectRule("p-x", "deny", "Bash(rm:*)", "defaults", "/pkg/defaults.toml", False)
    project = Project(tmp_path, loaded=None, store=None)
    with pytest.raises(CommandError, match="shipped default; harness never edits"):
        _revoke_rule(project, rule, [rule])


def test_replay_from_another_folder_uses_the_threads_own_project_config(
    scripted_server, project, tmp_path, capsys
):
    scripted_server.add(tool("Bash", {"command": "touch a.txt"}), text("no"))
    code, out, err = run_cli(capsys, "-p", "go", "--cwd", str(project), "--output-format", "json")
    assert code == 0, err
    thread = json.loads(out)["thread_id"]
    _config(project, "config.toml", '[permissions]\nallow = ["Bash(touch:*)"]\n')
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    code, out, err = run_cli(capsys, "permissions", "replay", thread, "--json",
                             "--cwd", str(elsewhere))
    assert code == 0, err
    report = json.loads(out)
    assert report["project"] == str(project) and report["changed"] == 1
