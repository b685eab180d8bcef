"""Resume, fork, crash and cancel semantics of the agent session (in process, real store)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.agent.session import SessionOptions, open_session
from harness.model.script import Reply, Text, text, tool
from harness.model.scripted import ScriptedModelClient
from harness.protocol.approver import ApprovalAnswer, DenyApprover, QueuedApprover
from harness.protocol.events import (
    AssistantMessage,
    PermissionDecision,
    ToolCallEvent,
    ToolStarted,
    UserMessage,
)
from harness.store.open import open_store
from tests.agent.helpers import make_project, result_text, run_cli, tool_results


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def collect():
    events = []
    return events, lambda event, seq: events.append((seq, event))


async def _session(project: Path, steps, approver=None, **kw):
    events, sink = collect()
    model = ScriptedModelClient(steps)
    session = await open_session(
        SessionOptions(project_root=project, model_client=model, **kw),
        approver=approver or DenyApprover(),
        sink=sink,
    )
    return session, model, events


async def test_a_call_started_but_never_finished_is_reported_as_outcome_unknown(project):
    store = open_store()
    thread = store.create_thread(str(project))
    call = {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "Bash",
        "input": {"command": "touch crashed.txt"},
    }
    for event in (
        UserMessage(text="make it"),
        AssistantMessage(content=[call], stop_reason="tool_use"),
        ToolCallEvent(call_id="toolu_1", tool="Bash", input=call["input"]),
        PermissionDecision(call_id="toolu_1", outcome="allow", source="human"),
        ToolStarted(call_id="toolu_1", tool="Bash", input=call["input"]),
    ):
        store.append(thread.thread_id, event)
    store.close()
    session, model, _ = await _session(
        project, [text("I will check first")], resume=thread.thread_id
    )
    result = await session.continue_pending()
    await session.close()
    assert result.status == "done"
    assert not (project / "crashed.txt").exists()  # never re-run blindly
    sent = model.requests[0].messages[-1]["content"][0]
    assert sent["tool_use_id"] == "toolu_1" and sent["is_error"]
    assert "Outcome unknown" in sent["content"]


async def test_cancel_mid_stream_records_partial_text_and_thread_resumes(project):
    long = Reply((Text("word " * 400),), chunk_size=5)
    events, sink = collect()
    model = ScriptedModelClient([long, text("second try")], pace=0.002)
    session = await open_session(
        SessionOptions(project_root=project, model_client=model), approver=DenyApprover(), sink=sink
    )
    task = asyncio.create_task(session.run_prompt("talk"))
    while not any(e.type == "assistant_delta" for _, e in events):
        await asyncio.sleep(0.01)
    session.cancel()
    result = await task
    assert result.status == "cancelled"
    partial = [e for _, e in session.history() if e.type == "assistant_message"]
    assert partial and partial[-1].partial and partial[-1].content[0]["text"].startswith("word")
    thread = session.thread_id
    await session.close()
    assert open_store().get_thread(thread).state == "cancelled"
    again = await open_session(
        SessionOptions(project_root=project, model_client=model, resume=thread),
        approver=DenyApprover(),
        sink=sink,
    )
    result = await again.run_prompt("go on")
    await again.close()
    assert result.status == "done" and result.result == "second try"
    roles = [m["role"] for m in model.requests[-1].messages]
    assert roles == ["user", "assistant", "user"]  # partial text kept, roles alternate


async def test_session_grant_survives_resume_and_fork(project):
    steps = [tool("Bash", {"command": "touch a.txt"})]
    session, model, _ = await _session(
        project, steps, approver=QueuedApprover(ApprovalAnswer.approve("session"))
    )
    model.add(tool("Bash", {"command": "touch b.txt"}), text("both"))
    result = await session.run_prompt("touch two files")
    thread = session.thread_id
    await session.close()
    assert result.status == "done"
    assert (project / "a.txt").exists() and (project / "b.txt").exists()
    # Resumed: the grant is in the log, so `touch c.txt` runs although the approver denies.
    resumed, _model2, _ = await _session(
        project, [tool("Bash", {"command": "touch c.txt"}), text("ok")], resume=thread
    )
    assert (await resumed.run_prompt("one more")).status == "done"
    fork_at = resumed.state.last_seq
    await resumed.close()
    assert (project / "c.txt").exists()
    forked, _, _ = await _session(
        project, [tool("Bash", {"command": "touch d.txt"}), text("ok")], fork=f"{thread}@{fork_at}"
    )
    assert forked.thread_id != thread
    assert (await forked.run_prompt("and in the fork")).status == "done"
    await forked.close()
    assert (project / "d.txt").exists()


async def test_irreversible_calls_are_never_granted_for_the_session(project):
    (project / "x1").write_text("1")
    (project / "x2").write_text("2")
    session, model, _ = await _session(
        project,
        [tool("Bash", {"command": "rm x1"})],
        approver=QueuedApprover(ApprovalAnswer.approve("session"), then=DenyApprover()),
    )
    model.add(tool("Bash", {"command": "rm x2"}), text("done"))
    await session.run_prompt("remove")
    requests = [e for _, e in session.history() if e.type == "permission_request"]
    await session.close()
    assert not requests[0].session_scope_allowed
    assert not (project / "x1").exists()
    assert (project / "x2").exists()  # asked again, and the deny approver refused
    assert len(requests) == 2


async def test_ask_user_answer_reaches_the_model(project):
    session, model, _ = await _session(
        project,
        [tool("AskUser", {"question": "Which name?"}), text("thanks")],
        approver=QueuedApprover(ApprovalAnswer.reply("call it Ada")),
    )
    result = await session.run_prompt("name it")
    await session.close()
    assert result.status == "done"
    sent = model.requests[1].messages[-1]["content"][0]
    assert "call it Ada" in sent["content"]


async def test_compaction_replaces_older_turns_and_is_resumable(project, monkeypatch):
    big = Reply((Text("read it"),), usage=_tokens(190_000))
    session, model, _ = await _session(
        project, [big, text("SUMMARY: read hello.py"), text("after compaction")]
    )
    await session.run_prompt("first")
    result = await session.run_prompt("second")
    thread = session.thread_id
    kinds = [e.type for _, e in session.history()]
    await session.close()
    assert result.result == "after compaction"
    assert "compaction" in kinds
    last = model.requests[-1].messages
    assert "SUMMARY: read hello.py" in last[0]["content"][0]["text"]
    resumed, _, _ = await _session(project, [], resume=thread)
    assert "SUMMARY" in resumed.state.messages[0]["content"][0]["text"]
    await resumed.close()


def _tokens(n: int):
    from harness.model.script import Tokens

    return Tokens(input_tokens=n, output_tokens=5)


async def test_second_process_on_the_same_thread_is_refused_with_the_holder(project):
    session, _, _ = await _session(project, [text("hi")])
    await session.run_prompt("hi")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "harness",
        "-p",
        "again",
        "--resume",
        session.thread_id,
        "--cwd",
        str(project),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    await session.close()
    assert proc.returncode == 1
    assert f"pid {os.getpid()}" in err.decode() and "another harness process" in err.decode()


async def test_mode_cycles_and_is_logged(project):
    session, _, _ = await _session(project, [text("hi")])
    await session.run_prompt("hi")
    assert [session.cycle_mode() for _ in range(3)] == ["acceptEdits", "plan", "default"]
    thread = session.thread_id
    session.set_mode("plan")
    await session.close()
    resumed, _, _ = await _session(project, [], resume=thread)
    assert resumed.mode == "plan"
    await resumed.close()


def test_sigint_during_a_run_exits_130_and_saves_the_thread(scripted_server, project, tmp_path):
    scripted_server.add(Reply((Text("slow"),), delay=30))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "-p",
            "wait",
            "--cwd",
            str(project),
            "--output-format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    deadline = asyncio.get_event_loop_policy  # noqa: F841 - keep linters calm about imports
    import time

    end = time.monotonic() + 30
    while not scripted_server.requests and time.monotonic() < end:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    result = json.loads(out)
    assert result["status"] == "cancelled"
    assert open_store().get_thread(result["thread_id"]).state == "cancelled"


def test_demo_runs_offline_without_a_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    code, out, err = run_cli(
        capsys,
        "--demo",
        "--ci",
        "--permission-mode",
        "acceptEdits",
        "--allowed-tools",
        "Bash",
        "--output-format",
        "json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "done" and result["num_turns"] >= 3
    assert result["cost_usd"] == 0  # the scripted demo model costs nothing


def test_hook_blocks_a_call_with_its_reason(scripted_server, project, capsys):
    hook = project / "block.sh"
    hook.write_text("#!/bin/sh\necho 'no touching on fridays' >&2\nexit 2\n")
    hook.chmod(0o755)
    (project / ".harness").mkdir()
    (project / ".harness/config.toml").write_text(
        f'[[hooks.pre_tool_use]]\nmatcher = "Bash"\ncommand = "{hook}"\n'
    )
    scripted_server.add(tool("Bash", {"command": "touch z.txt"}), text("blocked"))
    code, _, err = run_cli(
        capsys, "-p", "touch", "--cwd", str(project), "--permission-mode", "bypassPermissions"
    )
    assert code == 0, err
    assert not (project / "z.txt").exists()
    sent = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "no touching on fridays" in sent


async def test_model_switch_is_logged_and_kept_on_resume(project):
    session, model, _ = await _session(project, [text("one"), text("two")])
    await session.run_prompt("hi")
    session.set_model("claude-haiku-4-5")
    await session.run_prompt("again")
    thread = session.thread_id
    await session.close()
    assert [r.model for r in model.requests] == ["claude-sonnet-4-5", "claude-haiku-4-5"]
    resumed, _, _ = await _session(project, [], resume=thread)
    assert resumed.model_name == "claude-haiku-4-5"
    await resumed.new_thread()
    assert resumed.thread_id == "" and resumed.state.messages == []
    await resumed.close()


async def test_read_only_calls_of_one_turn_run_concurrently_writes_in_order(project):
    from harness.tools.base import BaseTool, ToolInput, ToolOutput

    barrier = asyncio.Barrier(2)
    order: list[str] = []

    class Probe(ToolInput):
        name: str

    class Meet(BaseTool):  # read-only: both calls must be running at once to pass the barrier
        name, description, Input = "Glob", "probe", Probe
        category, concurrent_safe = "read", True

        async def run(self, input, ctx):
            await asyncio.wait_for(barrier.wait(), 5)
            order.append(input.name)
            return ToolOutput("met")

    from harness.model.script import ToolUse

    session, model, _ = await _session(project, [
        Reply((ToolUse("Glob", {"name": "a"}), ToolUse("Glob", {"name": "b"}))), text("ok")])
    session._tools["Glob"] = Meet()
    result = await session.run_prompt("probe")
    await session.close()
    assert result.status == "done"
    assert sorted(order) == ["a", "b"]
    sent = model.requests[1].messages[-1]["content"]
    assert [b["content"] for b in sent] == ["met", "met"]
