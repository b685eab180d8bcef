"""Sub-agent threads survive: an ask left pending and a killed process both resume in the
same child thread, without re-running what the child already did."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from harness.model.script import Reply, ToolUse, text
from harness.protocol.approver import ApprovalAnswer, InterruptApprover, QueuedApprover
from tests.agent.helpers import make_project
from tests.agent.subagent_helpers import (
    agent_of,
    block_text,
    last_tool_results,
    open_parent,
    turn_of,
)

HARNESS = str(Path(sys.executable).with_name("harness"))


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _task(goal: str) -> ToolUse:
    return ToolUse("Task", {"agent": "general", "handoff": {"goal": goal}})


async def test_ask_inside_a_sub_agent_pauses_the_parent_and_resumes_in_the_same_child(
    scripted_server, project
):
    def route(body):
        if agent_of(body) == "parent":
            return Reply([_task("make a file")]) if turn_of(body) == 0 else text("parent done")
        if turn_of(body) == 0:
            return Reply([ToolUse("Bash", {"command": "touch made.txt"})])
        return text("made it")

    scripted_server.default = route
    session, _ = await open_parent(project, approver=InterruptApprover())
    result = await session.run_prompt("go")
    assert result.status == "awaiting_approval"
    parent_id = session.thread_id
    (child,) = session.store.children(parent_id)
    assert child.state == "awaiting_approval" and child.agent == "general"
    pending = session.pending  # the parent shows its sub-agent's ask
    assert pending is not None and pending.tool == "Bash"
    assert pending.agent == "general"
    assert session.store.get_thread(parent_id).state == "awaiting_approval"
    await session.close()
    assert len(scripted_server.message_requests) == 2

    session, _ = await open_parent(project, resume=parent_id,
                                   approver=QueuedApprover(ApprovalAnswer.approve()))
    result = await session.continue_pending()
    assert result.status == "done" and result.result == "parent done"
    assert (project / "made.txt").exists()
    assert [c.thread_id for c in session.store.children(parent_id)] == [child.thread_id]
    # Resuming asked nothing again for the waiting step: one child turn, one parent turn.
    later = [(agent_of(r.body), turn_of(r.body)) for r in scripted_server.message_requests[2:]]
    assert later == [("general", 1), ("parent", 1)]
    assert block_text(last_tool_results(scripted_server.message_requests[-1].body)[0]) == (
        "made it")
    await session.close()


def test_killed_mid_sub_agent_then_resume_continues_the_child_thread(scripted_server, project):
    waiting, release = threading.Event(), threading.Event()
    child_turns: list[int] = []

    def route(body):
        who = agent_of(body)
        if who == "parent":
            return Reply([_task("summarise notes")]) if turn_of(body) == 0 else text("parent done")
        child_turns.append(turn_of(body))
        if turn_of(body) == 0:
            return Reply([ToolUse("Read", {"file_path": "notes.txt"})])
        if not waiting.is_set():  # the first try of the child's second turn: never answered
            waiting.set()
            release.wait(60)
            return text("too late")
        return text("notes say alpha and beta")

    scripted_server.default = route
    proc = subprocess.Popen(
        [HARNESS, "-p", "delegate it", "--cwd", str(project), "--output-format", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
    )
    try:
        assert waiting.wait(90), "the sub-agent never reached its second turn"
        proc.send_signal(signal.SIGKILL)  # a crash: nothing gets to clean up
        proc.wait(10)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()

    import asyncio

    async def resume() -> None:
        from harness.store.open import open_store

        store = open_store(None)
        (parent,) = store.list_threads(str(project))
        (child,) = store.children(parent.thread_id)
        before = [e.type for e in store.events(child.thread_id)]
        assert "tool_result" in before and "result" not in before  # cut mid-run
        store.close()
        session, _ = await open_parent(project, resume=parent.thread_id)
        result = await session.continue_pending()
        assert result.status == "done" and result.result == "parent done"
        assert [c.thread_id for c in session.store.children(parent.thread_id)] == [
            child.thread_id]
        after = [e.decode() for e in session.store.events(child.thread_id)]
        assert [e.type for e in after][: len(before)] == before  # the log was continued
        assert any(e.type == "session_started" and e.resumed for e in after)
        assert session.store.get_thread(child.thread_id).state == "done"
        sent = last_tool_results(scripted_server.message_requests[-1].body)
        assert block_text(sent[0]) == "notes say alpha and beta"
        await session.close()

    asyncio.run(resume())
    # The child's first turn was never redone: it continued from its Read result.
    assert child_turns == [0, 1, 1]


def test_headless_interrupt_shows_the_sub_agents_ask_and_resume_approve_answers_it(
    scripted_server, project, capsys
):
    import json

    from tests.agent.helpers import run_cli

    def route(body):
        if agent_of(body) == "parent":
            return Reply([_task("make a file")]) if turn_of(body) == 0 else text("parent done")
        if turn_of(body) == 0:
            return Reply([ToolUse("Bash", {"command": "touch made.txt"})])
        return text("made it")

    scripted_server.default = route
    code, out, _ = run_cli(capsys, "-p", "go", "--cwd", str(project), "--on-ask", "interrupt",
                           "--output-format", "json")
    assert code == 3
    result = json.loads(out)
    assert result["status"] == "awaiting_approval"
    assert result["pending"]["tool"] == "Bash"
    code, out, err = run_cli(capsys, "resume", result["thread_id"], "--approve",
                             "--cwd", str(project))
    assert code == 0, err
    assert out.strip() == "parent done" and (project / "made.txt").exists()


async def test_resuming_a_child_thread_directly_points_at_its_parent(scripted_server, project):
    from harness.agent.session import SessionError

    def route(body):
        if agent_of(body) == "parent":
            return Reply([_task("look")]) if turn_of(body) == 0 else text("done")
        return text("looked")

    scripted_server.default = route
    session, _ = await open_parent(project)
    await session.run_prompt("go")
    (child,) = session.store.children(session.thread_id)
    await session.close()
    with pytest.raises(SessionError, match=f"resume that thread instead.*{child.thread_id}"):
        await open_parent(project, resume=child.thread_id)
