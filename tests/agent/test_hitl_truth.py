"""The human's answer reaches the model as it was: an edited call is disclosed with what
actually ran, and a refusal no person made says who refused (the real SDK against the
scripted server; the next request's body is what is checked)."""

from __future__ import annotations

import json

import pytest

from harness.agent.disclosure import input_diff
from harness.model.script import text, tool
from tests.agent.helpers import json_lines, make_project, result_text, run_cli, tool_results


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def interrupted(capsys, project, prompt: str, *flags: str) -> str:
    code, out, err = run_cli(capsys, "-p", prompt, "--cwd", str(project), "--on-ask",
                             "interrupt", "--output-format", "json", *flags)
    assert code == 3, err
    return json.loads(out)["thread_id"]


def test_an_edited_call_is_disclosed_with_what_ran_in_the_next_request(
    scripted_server, project, capsys
):
    scripted_server.add(tool("Write", {"file_path": "a.txt", "content": "model text"}))
    thread = interrupted(capsys, project, "write")
    scripted_server.add(text("written"))
    code, _, err = run_cli(capsys, "resume", thread, "--edit",
                           json.dumps({"file_path": "b.txt", "content": "human text"}),
                           "--cwd", str(project))
    assert code == 0, err
    assert (project / "b.txt").read_text() == "human text" and not (project / "a.txt").exists()
    sent = result_text(tool_results(scripted_server.requests[1].body)[0])
    note, _, result = sent.partition("\n\n")
    assert "The user edited this Write call" in note and "NOT the input you sent" in note
    assert 'file_path: "a.txt" → "b.txt"' in note
    assert 'content: "model text" → "human text"' in note
    assert "b.txt" in result  # the tool's own result follows the note


def test_an_edited_multiline_field_is_shown_as_a_diff(scripted_server, project, capsys):
    (project / "app.py").write_text("def f():\n    return 1\n")
    scripted_server.add(tool("Read", {"file_path": "app.py"}),
                        tool("Edit", {"file_path": "app.py", "old_string": "    return 1",
                                      "new_string": "    return 2\n    # model"}))
    thread = interrupted(capsys, project, "edit")
    scripted_server.add(text("edited"))
    code, _, err = run_cli(capsys, "resume", thread, "--edit", json.dumps(
        {"file_path": "app.py", "old_string": "    return 1",
         "new_string": "    return 3\n    # person"}), "--cwd", str(project))
    assert code == 0, err
    assert (project / "app.py").read_text() == "def f():\n    return 3\n    # person\n"
    sent = result_text(tool_results(scripted_server.requests[2].body)[-1])
    assert "--- new_string (you sent)" in sent and "+++ new_string (what ran)" in sent
    assert "-    return 2" in sent and "+    return 3" in sent and "+    # person" in sent
    assert "old_string" not in sent.split("The input that ran:")[0]  # unchanged: not listed


def test_the_edited_input_is_decided_again_and_a_deny_rule_still_holds(
    scripted_server, project, capsys
):
    scripted_server.add(tool("Bash", {"command": "touch made.txt"}))
    thread = interrupted(capsys, project, "touch", "--disallowed-tools", "Bash(rm:*)")
    scripted_server.add(text("ok"))
    code, out, err = run_cli(capsys, "resume", thread, "--edit",
                             json.dumps({"command": "rm hello.py"}), "--cwd", str(project),
                             "--output-format", "stream-json")
    assert code == 0, err
    assert (project / "hello.py").exists() and not (project / "made.txt").exists()
    decision = next(e for e in json_lines(out) if e["type"] == "permission_decision")
    assert decision["outcome"] == "deny" and decision["source"] == "rule"
    assert decision["rule"] == "Bash(rm:*)"
    assert decision["edited_input"] == {"command": "rm hello.py"}
    sent = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "The user edited this Bash call" in sent
    assert "denied by the deny rule Bash(rm:*), not by a person" in sent


def test_a_headless_auto_deny_is_policy_and_says_how_to_allow_it(
    scripted_server, project, capsys
):
    scripted_server.add(tool("Bash", {"command": "touch x.txt"}), text("ok"))
    code, out, _ = run_cli(capsys, "-p", "touch", "--cwd", str(project),
                           "--output-format", "stream-json")
    assert code == 0 and not (project / "x.txt").exists()
    decision = next(e for e in json_lines(out) if e["type"] == "permission_decision")
    assert decision["source"] == "policy" and decision["outcome"] == "deny"
    denial = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "rejected" not in denial
    assert "non-interactive" in denial and "not the user" in denial
    assert "--allowed-tools 'Bash(touch:*)'" in denial and "[permissions] allow" in denial
    assert "--on-ask interrupt" in denial


def test_a_headless_auto_deny_of_a_write_names_accept_edits(scripted_server, project, capsys):
    scripted_server.add(tool("Write", {"file_path": "n.txt", "content": "x"}), text("ok"))
    code, _, _ = run_cli(capsys, "-p", "write", "--cwd", str(project))
    assert code == 0 and not (project / "n.txt").exists()
    denial = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "--permission-mode acceptEdits" in denial


def test_a_mode_refusal_names_the_mode_not_a_person(scripted_server, project, capsys):
    scripted_server.add(tool("Write", {"file_path": "n.txt", "content": "x"}), text("ok"))
    code, _, _ = run_cli(capsys, "-p", "write", "--cwd", str(project),
                         "--permission-mode", "plan")
    assert code == 0
    denial = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "denied by the permission mode (plan), not by a person" in denial


def test_input_diff_lists_removed_and_added_fields():
    diff = input_diff({"command": "ls", "timeout": 5}, {"command": "ls -la", "cwd": "src"})
    assert diff.splitlines() == ['command: "ls" → "ls -la"', "timeout: removed (you sent 5)",
                                 'cwd: added "src"']


def test_the_edited_input_goes_through_the_pre_tool_use_hook(scripted_server, project, capsys):
    hook = project / "no_rm.sh"  # exit 2 (block) when the call's input mentions rm
    hook.write_text("#!/bin/sh\nif grep -q '\"rm '; then echo 'no rm here' >&2; exit 2; fi\n"
                    "exit 0\n")
    hook.chmod(0o755)
    (project / ".harness").mkdir()
    (project / ".harness/config.toml").write_text(
        f'[[hooks.pre_tool_use]]\nmatcher = "Bash"\ncommand = "{hook}"\n')
    scripted_server.add(tool("Bash", {"command": "touch made.txt"}))
    thread = interrupted(capsys, project, "touch")
    scripted_server.add(text("ok"))
    code, _, err = run_cli(capsys, "resume", thread, "--edit",
                           json.dumps({"command": "rm hello.py"}), "--cwd", str(project))
    assert code == 0, err
    assert (project / "hello.py").exists()
    sent = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "The user edited this Bash call" in sent
    assert "Blocked by a pre_tool_use hook (a command the user configured, not a person)" in sent
    assert "no rm here" in sent
