"""What a CI script sees from `harness -p`: the result fields, the stream-json lines, exit
codes — through the real SDK against the scripted Messages-API server."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from harness.model.script import Reply, Text, text, tool
from tests.agent.helpers import json_lines, make_project, run_cli
from tests.ui.headless.contract import assert_valid_result, assert_valid_stream


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def headless(capsys, project, *argv: str) -> tuple[int, dict, str]:
    code, out, err = run_cli(capsys, *argv, "--cwd", str(project), "--output-format", "json")
    result = json.loads(out)
    assert_valid_result(result)
    return code, result, err


def test_json_result_carries_claude_code_names_beside_harness_own(scripted_server, project,
                                                                   capsys):
    scripted_server.add(tool("Read", {"file_path": "hello.py"}), Reply((Text("It prints."),),
                                                                       delay=0.3))
    code, result, err = headless(capsys, project, "-p", "what does hello.py do?")
    assert code == 0, err
    assert result["type"] == "result" and result["v"] == 1
    assert result["subtype"] == "success" and result["status"] == "done"
    assert result["session_id"] == result["thread_id"] != ""
    assert result["total_cost_usd"] == result["cost_usd"] > 0
    assert result["permission_denials"] == [] and result["pending"] is None
    assert result["structured_output"] is None and result["error"] is None
    # the second reply waited 0.3 s before its first byte: that is model time
    assert result["duration_api_ms"] >= 300
    assert result["duration_ms"] >= result["duration_api_ms"]


def test_model_time_leaves_out_the_time_tools_run(scripted_server, project, capsys):
    scripted_server.add(tool("Bash", {"command": "sleep 0.8"}), text("slept"))
    code, result, err = headless(capsys, project, "-p", "sleep", "--allowed-tools",
                                 "Bash(sleep:*)")
    assert code == 0, err
    assert result["duration_ms"] - result["duration_api_ms"] >= 800


def test_stream_json_is_the_public_schema_and_ends_with_the_same_result(scripted_server,
                                                                        project, capsys):
    scripted_server.add(tool("Bash", {"command": "touch x.txt"}), text("could not"))
    code, out, _ = run_cli(capsys, "-p", "touch", "--cwd", str(project),
                           "--output-format", "stream-json")
    assert code == 0
    lines = json_lines(out)
    assert_valid_stream(lines)
    types = [line["type"] for line in lines]
    assert types.count("result") == 1
    assert "assistant_message" not in types and "file_snapshot" not in types
    assert "text_delta" not in types  # only with --include-partial-messages
    final = lines[-1]
    assert final["subtype"] == "success" and len(final["permission_denials"]) == 1
    assert {line["thread_id"] for line in lines} == {final["session_id"]}


def test_a_headless_auto_deny_is_listed_with_its_source_and_fail_on_denial_exits_5(
    scripted_server, project, capsys
):
    scripted_server.add(tool("Bash", {"command": "touch made.txt"}), text("could not"))
    code, result, _ = headless(capsys, project, "-p", "make a file")
    assert code == 0
    (denial,) = result["permission_denials"]
    assert denial["tool"] == denial["tool_name"] == "Bash"
    assert denial["input"] == denial["tool_input"] == {"command": "touch made.txt"}
    assert denial["call_id"] == denial["tool_use_id"] != ""
    decisions_source = denial["source"]
    assert decisions_source not in ("human", "")  # a policy, not a person (passed through)
    assert denial["reason"]

    scripted_server.add(tool("Bash", {"command": "touch made.txt"}), text("could not"))
    code, result, err = headless(capsys, project, "-p", "make a file", "--fail-on-denial")
    assert code == 1
    assert result["status"] == "done" and len(result["permission_denials"]) == 1
    assert "--fail-on-denial" in err and "Bash" in err


def test_fail_on_denial_keeps_exit_0_when_nothing_was_refused(scripted_server, project, capsys):
    scripted_server.add(tool("Read", {"file_path": "notes.txt"}), text("read"))
    code, result, _ = headless(capsys, project, "-p", "read", "--fail-on-denial")
    assert code == 0 and result["permission_denials"] == []


def test_a_rule_denial_names_its_rule(scripted_server, project, capsys):
    scripted_server.add(tool("Bash", {"command": "touch no.txt"}), text("refused"))
    code, result, _ = headless(capsys, project, "-p", "touch", "--disallowed-tools",
                               "Bash(touch:*)")
    assert code == 0
    (denial,) = result["permission_denials"]
    assert denial["source"] == "rule" and denial["rule"] == "Bash(touch:*)"
    assert denial["input"] == {"command": "touch no.txt"}


def test_a_rejection_on_resume_is_a_denial_of_that_run_with_the_logged_call(
    scripted_server, project, capsys
):
    scripted_server.add(tool("Write", {"file_path": "new.txt", "content": "x"}))
    code, first, _ = headless(capsys, project, "-p", "write", "--on-ask", "interrupt")
    assert code == 3
    assert first["subtype"] == "awaiting_approval" and first["pending"]["tool"] == "Write"
    assert first["permission_denials"] == []
    scripted_server.add(text("ok, I will not"))
    code, out, _ = run_cli(capsys, "resume", first["thread_id"], "--reject", "not there",
                           "--cwd", str(project), "--output-format", "json", "--fail-on-denial")
    result = json.loads(out)
    assert_valid_result(result)
    assert code == 1
    (denial,) = result["permission_denials"]
    assert denial["source"] == "human" and denial["reason"] == "not there"
    assert denial["tool"] == "Write" and denial["input"]["file_path"] == "new.txt"


def test_limits_have_their_own_subtypes(scripted_server, project, capsys):
    scripted_server.add(tool("Read", {"file_path": "hello.py"}))
    code, result, _ = headless(capsys, project, "-p", "loop", "--max-turns", "1")
    assert code == 4 and result["subtype"] == "error_max_turns" and result["is_error"]
    scripted_server.add(tool("Read", {"file_path": "hello.py"}))
    code, result, _ = headless(capsys, project, "-p", "spend", "--max-budget-usd", "0.0000001")
    assert code == 4 and result["subtype"] == "error_max_budget"
    assert "budget" in result["error"]


@pytest.mark.parametrize(("limits", "counters", "subtype"), [
    ({"max_turns": 1}, {"turns": 1}, "error_max_turns"),
    ({"max_cost_usd": 0.1}, {"cost_usd": 0.2}, "error_max_budget"),
    ({"max_tokens_total": 10}, {"usage_total": 20}, "error_max_budget"),
    ({"wall_clock_seconds": 1}, {"started": -10.0}, "error_max_duration"),
])
def test_every_limit_message_of_the_loop_maps_to_a_subtype(limits, counters, subtype):
    import time

    from harness.agent.loop import AgentLoop, Limits, RunCounters
    from harness.protocol.outcomes import LimitReached
    from harness.protocol.usage import Usage
    from harness.ui.headless_lines import subtype_for

    c = RunCounters()
    c.turns = counters.get("turns", 0)
    c.cost_usd = counters.get("cost_usd", 0.0)
    c.usage = Usage(input_tokens=counters.get("usage_total", 0))
    if "started" in counters:
        c.started = time.monotonic() + counters["started"]
    loop = SimpleNamespace(counters=c, limits=Limits(**limits))
    with pytest.raises(LimitReached) as caught:
        AgentLoop._check_limits(loop)  # type: ignore[arg-type]  # the real messages
    assert subtype_for("limit", str(caught.value)) == subtype


def test_include_partial_messages_adds_text_deltas_that_make_up_the_text(scripted_server,
                                                                         project, capsys):
    scripted_server.add(Reply((Text("a reply in several small pieces"),), chunk_size=5))
    code, out, _ = run_cli(capsys, "-p", "say", "--cwd", str(project), "--output-format",
                           "stream-json", "--include-partial-messages")
    assert code == 0
    lines = json_lines(out)
    assert_valid_stream(lines)
    deltas = [line["text"] for line in lines if line["type"] == "text_delta"]
    assert len(deltas) > 3
    assert "".join(deltas) == "a reply in several small pieces"
    types = [line["type"] for line in lines]
    assert types.index("text_delta") < types.index("assistant_text")


def test_a_failed_run_says_so_in_subtype(scripted_server, project, capsys, monkeypatch):
    from harness.model.script import HttpError

    monkeypatch.setenv("HARNESS_MODEL__MAX_RETRIES", "0")
    scripted_server.add(HttpError(500))
    code, result, _ = headless(capsys, project, "-p", "hi")
    assert code == 1
    assert result["subtype"] == "error_during_execution" and result["error"]


def test_a_cancelled_run_ends_its_stream_with_a_cancelled_result(scripted_server, project):
    import os
    import signal
    import subprocess
    import sys

    scripted_server.add(Reply((Text("never finished"),), delay=30))
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "-p", "wait", "--cwd", str(project),
         "--output-format", "stream-json"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ.copy(),
    )
    assert proc.stdout is not None
    while json.loads(proc.stdout.readline())["type"] != "session_started":
        pass  # the run is under way: the model request is next
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = json_lines(rest)
    assert_valid_result(lines[-1])
    assert lines[-1]["subtype"] == "cancelled" and lines[-1]["is_error"]


def test_a_sub_agents_lines_validate_and_keep_the_top_level_thread_id(scripted_server,
                                                                       project, capsys):
    from harness.model.script import ToolUse
    from tests.agent.subagent_helpers import agent_of, turn_of

    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                return Reply([ToolUse("Task", {"agent": "general",
                                               "handoff": {"goal": "make a file"}})])
            return text("parent done")
        if turn_of(body) == 0:
            return Reply([ToolUse("Bash", {"command": "touch made.txt"})])
        return text("could not make it")

    scripted_server.default = route
    code, out, _ = run_cli(capsys, "-p", "delegate", "--cwd", str(project),
                           "--output-format", "stream-json")
    assert code == 0
    lines = json_lines(out)
    assert_valid_stream(lines)
    types = [line["type"] for line in lines]
    assert "subagent_started" in types and "subagent_finished" in types
    assert len({line["thread_id"] for line in lines}) == 1


def test_a_sub_agents_refusals_are_in_the_parents_denials(scripted_server, project, capsys):
    from harness.model.script import ToolUse
    from tests.agent.subagent_helpers import agent_of, turn_of

    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                return Reply([ToolUse("Task", {"agent": "general",
                                               "handoff": {"goal": "make a file"}})])
            return text("the helper could not")
        if turn_of(body) == 0:
            return Reply([ToolUse("Bash", {"command": "touch child.txt"})])
        return text("refused")

    scripted_server.default = route
    code, result, err = headless(capsys, project, "-p", "delegate", "--fail-on-denial")
    assert code == 1, err  # the refusal was the sub-agent's, and still counts
    (denial,) = result["permission_denials"]
    assert denial["tool"] == "Bash" and denial["input"] == {"command": "touch child.txt"}
    assert denial["agent"] == "general" and denial["agent_thread_id"]
    assert denial["agent_thread_id"] != result["thread_id"]
    assert denial["source"] not in ("human", "")
    assert not (project / "child.txt").exists()
