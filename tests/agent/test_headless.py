"""The agent loop driven headless, with the real SDK against the scripted Messages-API server."""

from __future__ import annotations

import json

import pytest

from harness.model.script import HttpError, Reply, Text, ToolUse, text, tool
from tests.agent.helpers import json_lines, make_project, result_text, run_cli, tool_results


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def interrupted(capsys, project, prompt: str) -> str:
    """Run `prompt` headless with --on-ask interrupt; it must stop at an ask (exit 3)."""
    code, out, err = run_cli(capsys, "-p", prompt, "--cwd", str(project), "--on-ask",
                             "interrupt", "--output-format", "json")
    assert code == 3, err
    return json.loads(out)["thread_id"]


def test_read_then_answer_exits_0_and_sends_the_file_to_the_model(scripted_server, project, capsys):
    scripted_server.add(tool("Read", {"file_path": "hello.py"}), text("It prints hello."))
    code, out, err = run_cli(
        capsys, "-p", "what does hello.py do?", "--cwd", str(project), "--output-format", "json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "done" and result["result"] == "It prints hello."
    assert result["num_turns"] == 2 and result["is_error"] is False
    assert set(result) >= {"thread_id", "result", "is_error", "num_turns", "usage", "cost_usd"}
    sent = tool_results(scripted_server.requests[1].body)
    assert 'print("hello")' in result_text(sent[0])


def test_stream_json_lines_carry_type_thread_and_seq(scripted_server, project, capsys):
    scripted_server.add(tool("Read", {"file_path": "notes.txt"}), text("done"))
    code, out, _ = run_cli(
        capsys, "-p", "read notes", "--cwd", str(project), "--output-format", "stream-json"
    )
    assert code == 0
    lines = json_lines(out)
    types = [line["type"] for line in lines]
    for expected in (
        "session_started",
        "user_message",
        "assistant_text",
        "tool_call",
        "tool_result",
        "turn_completed",
        "result",
    ):
        assert expected in types
    thread_ids = {line["thread_id"] for line in lines}
    assert len(thread_ids) == 1 and "" not in thread_ids
    seqs = [line["seq"] for line in lines if line["type"] != "assistant_text"]
    assert seqs == sorted(seqs)


def test_on_ask_deny_tells_the_model_why(scripted_server, project, capsys):
    scripted_server.add(tool("Bash", {"command": "touch made.txt"}), text("could not"))
    code, _out, _ = run_cli(capsys, "-p", "make a file", "--cwd", str(project))
    assert code == 0
    assert not (project / "made.txt").exists()
    denial = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "approval" in denial and "--on-ask deny" in denial


def test_interrupt_then_resume_approve_runs_the_call_without_asking_the_model_again(
    scripted_server, project, capsys
):
    scripted_server.add(tool("Bash", {"command": "touch made.txt"}))
    code, out, _ = run_cli(
        capsys,
        "-p",
        "make a file",
        "--cwd",
        str(project),
        "--on-ask",
        "interrupt",
        "--output-format",
        "json",
    )
    assert code == 3
    result = json.loads(out)
    assert result["status"] == "awaiting_approval"
    assert result["pending"]["tool"] == "Bash"
    thread = result["thread_id"]
    assert len(scripted_server.requests) == 1
    scripted_server.add(text("made it"))
    code, out, err = run_cli(capsys, "resume", thread, "--approve", "--cwd", str(project))
    assert code == 0, err
    assert (project / "made.txt").exists()
    assert out.strip() == "made it"
    assert len(scripted_server.requests) == 2  # one more turn, none for the waiting step
    sent = tool_results(scripted_server.requests[1].body)
    assert len(sent) == 1 and not sent[0].get("is_error")


def test_reject_with_feedback_goes_back_to_the_model(scripted_server, project, capsys):
    scripted_server.add(tool("Write", {"file_path": "new.txt", "content": "x"}))
    thread = interrupted(capsys, project, "write")
    scripted_server.add(text("ok, I will not"))
    code, _, _ = run_cli(
        capsys, "resume", thread, "--reject", "use docs/ instead", "--cwd", str(project)
    )
    assert code == 0
    assert not (project / "new.txt").exists()
    sent = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "use docs/ instead" in sent


def test_edit_runs_the_edited_input(scripted_server, project, capsys):
    scripted_server.add(tool("Write", {"file_path": "a.txt", "content": "model text"}))
    thread = interrupted(capsys, project, "write")
    scripted_server.add(text("written"))
    code, _, err = run_cli(
        capsys,
        "resume",
        thread,
        "--edit",
        json.dumps({"file_path": "b.txt", "content": "human text"}),
        "--cwd",
        str(project),
    )
    assert code == 0, err
    assert not (project / "a.txt").exists()
    assert (project / "b.txt").read_text() == "human text"


def test_resume_answer_flag_without_pending_request_is_usage_error(
    scripted_server, project, capsys
):
    scripted_server.add(text("hi"))
    _, out, _ = run_cli(capsys, "-p", "hi", "--cwd", str(project), "--output-format", "json")
    thread = json.loads(out)["thread_id"]
    code, _, err = run_cli(capsys, "resume", thread, "--approve", "--cwd", str(project))
    assert code == 2 and "no pending request" in err


def test_max_turns_exits_4_and_saves_the_thread(scripted_server, project, capsys):
    scripted_server.add(
        tool("Read", {"file_path": "hello.py"}), tool("Read", {"file_path": "notes.txt"})
    )
    code, out, _ = run_cli(
        capsys, "-p", "loop", "--cwd", str(project), "--max-turns", "1", "--output-format", "json"
    )
    assert code == 4
    result = json.loads(out)
    assert result["status"] == "limit" and result["num_turns"] == 1
    assert len(scripted_server.requests) == 1


def test_model_failing_after_retries_exits_1_and_thread_is_resumable(
    scripted_server, project, capsys, monkeypatch
):
    monkeypatch.setenv("HARNESS_MODEL__MAX_RETRIES", "1")
    scripted_server.add(HttpError(500), HttpError(500))
    code, out, _err = run_cli(capsys, "-p", "hi", "--cwd", str(project), "--output-format", "json")
    assert code == 1
    result = json.loads(out)
    assert result["status"] == "failed" and result["is_error"]
    scripted_server.add(text("back"))
    code, out, _ = run_cli(
        capsys, "--resume", result["thread_id"], "--cwd", str(project), "--output-format", "json"
    )
    assert code == 0 and json.loads(out)["result"] == "back"


def test_no_api_key_is_a_clear_usage_error(project, capsys, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    code, _, err = run_cli(capsys, "-p", "hi", "--cwd", str(project))
    assert code == 2
    assert "ANTHROPIC_API_KEY" in err and "--demo" in err


def test_bad_allowed_tools_rule_is_a_usage_error(project, capsys):
    code, _, err = run_cli(capsys, "-p", "hi", "--cwd", str(project), "--allowed-tools", "Bash(")
    assert code == 2 and "Bash(" in err


def test_allowed_tools_rule_lets_a_command_run_headless(scripted_server, project, capsys):
    scripted_server.add(tool("Bash", {"command": "touch ok.txt"}), text("done"))
    code, _, err = run_cli(
        capsys, "-p", "touch", "--cwd", str(project), "--allowed-tools", "Bash(touch:*)"
    )
    assert code == 0, err
    assert (project / "ok.txt").exists()


def test_several_tool_calls_in_one_turn_each_get_a_result(scripted_server, project, capsys):
    scripted_server.add(
        Reply(
            (
                Text("Reading both."),
                ToolUse("Read", {"file_path": "hello.py"}),
                ToolUse("Read", {"file_path": "notes.txt"}),
            )
        ),
        text("both read"),
    )
    code, _, _ = run_cli(capsys, "-p", "read both", "--cwd", str(project))
    assert code == 0
    results = tool_results(scripted_server.requests[1].body)
    assert len(results) == 2
    assert any("alpha" in result_text(r) for r in results)


def test_request_prefix_is_byte_stable_across_turns(scripted_server, project, capsys):
    scripted_server.add(
        tool("Read", {"file_path": "hello.py"}),
        tool("Read", {"file_path": "notes.txt"}),
        text("done"),
    )
    code, _, _ = run_cli(capsys, "-p", "read", "--cwd", str(project))
    assert code == 0
    first, second = (scripted_server.requests[i].body for i in (1, 2))
    assert first["system"] == second["system"] and first["tools"] == second["tools"]
    strip = lambda m: json.dumps(  # noqa: E731 - cache markers move to the newest message
        [
            {
                **m,
                "content": [
                    {k: v for k, v in b.items() if k != "cache_control"} for b in m["content"]
                ],
            }
        ],
        sort_keys=True,
    )
    for a, b in zip(first["messages"], second["messages"][: len(first["messages"])], strict=True):
        assert strip(a) == strip(b)


def test_threads_left_waiting_are_surfaced_at_start(scripted_server, project, capsys, monkeypatch):
    scripted_server.add(tool("Bash", {"command": "touch later.txt"}))
    waiting = interrupted(capsys, project, "touch")
    monkeypatch.setenv("HARNESS_SESSIONS__ABANDON_AFTER", "0s")
    scripted_server.add(text("hi"))
    code, _, err = run_cli(capsys, "-p", "something else", "--cwd", str(project))
    assert code == 0
    assert waiting in err and f"harness resume {waiting} --approve" in err


def test_running_without_a_sandbox_is_said_at_start(scripted_server, project, capsys, monkeypatch):
    monkeypatch.setenv("HARNESS_SANDBOX__ENABLED", "false")
    scripted_server.add(text("hi"))
    code, _, err = run_cli(capsys, "-p", "hi", "--cwd", str(project))
    assert code == 0 and "sandbox off" in err


def test_no_sandbox_mechanism_is_said_at_start(scripted_server, project, capsys, monkeypatch):
    from harness.permissions import sandbox

    monkeypatch.setattr(sandbox, "sandbox_status", lambda: sandbox.SandboxStatus(
        False, "none", "no Landlock and no bubblewrap"))
    scripted_server.add(text("hi"))
    code, _, err = run_cli(capsys, "-p", "hi", "--cwd", str(project))
    assert code == 0 and "NO SANDBOX" in err and "no Landlock" in err
