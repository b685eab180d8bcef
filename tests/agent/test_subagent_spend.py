"""A thread's tokens and cost count its sub-agents everywhere: the session's figures (what
the status line, the inline toolbar and `/cost` read), the store row (`sessions list`,
the `--tree` root) and the headless JSON result; a child that waited for a person counts
every one of its runs. Real SDK against the scripted server; each turn is 10 in + 5 out."""

from __future__ import annotations

import asyncio
import json

import pytest

from harness.model.script import Reply, ToolUse, text
from harness.protocol.approver import ApprovalAnswer, InterruptApprover, QueuedApprover
from harness.ui.inline.toolbar import toolbar_fragments
from tests.agent.helpers import make_project, run_cli
from tests.agent.subagent_helpers import agent_of, open_parent, turn_of

TURN_TOKENS = 15
TURN_COST = 0.000105  # 10 in + 5 out at the default model's prices


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _task(agent: str, goal: str) -> ToolUse:
    return ToolUse("Task", {"agent": agent, "handoff": {"goal": goal}})


def two_explorers(body):
    if agent_of(body) == "parent":
        if turn_of(body) == 0:
            return Reply([_task("explore", "find alpha"), _task("explore", "find beta")])
        return text("all gathered")
    return text("found it")


def test_every_figure_of_a_thread_counts_its_sub_agents(scripted_server, project, capsys):
    scripted_server.default = two_explorers
    code, out, err = run_cli(capsys, "-p", "investigate", "--cwd", str(project),
                             "--output-format", "json")
    assert code == 0, err
    result = json.loads(out)
    turns = 2 + 2  # the parent's two turns and one turn of each explorer
    assert result["total_cost_usd"] == pytest.approx(turns * TURN_COST)
    thread = result["thread_id"]

    code, out, _ = run_cli(capsys, "sessions", "list", "--json", "--cwd", str(project))
    (row,) = json.loads(out)
    assert row["tokens"] == turns * TURN_TOKENS
    assert row["cost_usd"] == pytest.approx(turns * TURN_COST)
    code, out, _ = run_cli(capsys, "sessions", "show", thread, "--tree", "--json",
                           "--cwd", str(project))
    tree = json.loads(out)
    assert tree["tokens"] == turns * TURN_TOKENS and len(tree["children"]) == 2
    assert [c["tokens"] for c in tree["children"]] == [TURN_TOKENS, TURN_TOKENS]

    asyncio.run(_session_figures(project, thread, turns))


async def _session_figures(project, thread: str, turns: int) -> None:
    session, _ = await open_parent(project, resume=thread)
    try:
        assert session.usage.total == turns * TURN_TOKENS
        assert session.cost_usd == pytest.approx(turns * TURN_COST)
        spend = session.spend
        assert spend.own_usage.total == 2 * TURN_TOKENS
        assert spend.subagent_usage.total == 2 * TURN_TOKENS and spend.subagent_runs == 2
        split = spend.split_text()
        assert f"this agent ${2 * TURN_COST:.4f}" in split
        assert f"sub-agents ${2 * TURN_COST:.4f}" in split and "2 runs" in split
        toolbar = "".join(part for _, part in toolbar_fragments(session))
        assert f"{turns * TURN_TOKENS} tokens" in toolbar
        assert f"${turns * TURN_COST:.4f}"[:6] in toolbar
    finally:
        await session.close()


async def test_a_sub_agent_that_waited_for_a_person_counts_all_its_runs(
    scripted_server, project
):
    def route(body):
        if agent_of(body) == "parent":
            return Reply([_task("general", "make a file")]) if turn_of(body) == 0 else text("ok")
        if turn_of(body) == 0:
            return Reply([ToolUse("Bash", {"command": "touch made.txt"})])
        return text("made it")

    scripted_server.default = route
    session, _ = await open_parent(project, approver=InterruptApprover())
    assert (await session.run_prompt("go")).status == "awaiting_approval"
    parent_id = session.thread_id
    # While the child waits: the parent's turn and the child's first turn.
    assert session.usage.total == 2 * TURN_TOKENS
    assert session.store.get_thread(parent_id).tokens == 2 * TURN_TOKENS
    await session.close()
    session, _ = await open_parent(project, resume=parent_id)  # opened while it waits
    assert session.usage.total == 2 * TURN_TOKENS and session.spend.subagent_runs == 1
    await session.close()

    session, _ = await open_parent(project, resume=parent_id,
                                   approver=QueuedApprover(ApprovalAnswer.approve()))
    try:
        result = await session.continue_pending()
        assert result.status == "done"
        # This run: the child's second turn and the parent's second; the thread: all four.
        assert result.usage.total == 2 * TURN_TOKENS
        assert session.spend.subagent_usage.total == 2 * TURN_TOKENS
        assert session.usage.total == 4 * TURN_TOKENS
        assert session.store.get_thread(parent_id).tokens == 4 * TURN_TOKENS
    finally:
        await session.close()


def test_the_split_says_nothing_without_sub_agents():
    from harness.protocol.usage import Spend, Usage

    assert Spend(Usage(input_tokens=3), 0.5).split_text() == ""
