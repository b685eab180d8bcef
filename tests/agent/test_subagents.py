"""Sub-agents through the Task tool, with the real SDK against the scripted server.

Replies are routed by request content (which agent asks, for which goal, at which turn)
because concurrent sub-agents interleave their requests in any order.
"""

from __future__ import annotations

import threading

import pytest

from harness.agent.subagents.definitions import READ_ONLY_TOOLS
from harness.model.script import HttpError, Reply, ToolUse, text
from harness.protocol.approver import ApprovalAnswer
from tests.agent.helpers import make_project
from tests.agent.subagent_helpers import (
    agent_of,
    block_text,
    first_user_text,
    goal_of,
    last_tool_results,
    open_parent,
    tool_names,
    turn_of,
    write_agent,
)

GOALS = ("find alpha", "find beta", "find gamma")
STEP_DELAY = 0.5


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def task(agent: str, goal: str, **handoff) -> ToolUse:
    return ToolUse("Task", {"agent": agent, "handoff": {"goal": goal, **handoff}})


def fan_out_router(children, *, parent_final: str = "all gathered"):
    """Parent: three explore Tasks, then a final answer. Children: `children(body)`."""

    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                return Reply([task("explore", g) for g in GOALS])
            return text(parent_final)
        return children(body)

    return route


async def test_three_task_calls_run_concurrently_and_every_result_comes_back(
    scripted_server, project
):
    barrier = threading.Barrier(3, timeout=10)
    seen_tools: list[list[str]] = []

    def child(body):
        goal = goal_of(body)
        if turn_of(body) == 0:
            seen_tools.append(tool_names(body))
            try:
                barrier.wait()  # passes only if all three children ask at the same time
            except threading.BrokenBarrierError:
                return HttpError(400, "sub-agents did not run concurrently")
            return Reply([ToolUse("Grep", {"pattern": goal.split()[-1]})], delay=STEP_DELAY)
        return text(f"result for {goal}", delay=STEP_DELAY)

    scripted_server.default = fan_out_router(child)
    session, sink = await open_parent(project)
    result = await session.run_prompt("investigate three things")
    assert result.status == "done" and result.result == "all gathered"
    # The run's spend includes the sub-agents': 2 parent turns + 3 × 2 child turns, 5 out each.
    assert result.usage.output_tokens == 5 * (2 + 3 * 2)
    # The thread's figures count its sub-agents too, split for /cost.
    assert session.spend.own_usage.output_tokens == 5 * 2  # the parent's own messages
    assert session.spend.subagent_usage.output_tokens == 3 * 2 * 5
    assert session.usage.output_tokens == 5 * (2 + 3 * 2)
    assert session.cost_usd == pytest.approx(result.cost_usd)
    assert session.spend.subagent_runs == 3
    parent_row = session.store.get_thread(session.thread_id)
    assert parent_row.tokens == session.usage.total  # what `sessions list` shows

    # The fan-out takes about as long as the slowest sub-agent (2 steps × 0.5 s = 1 s), not
    # the sum (3 s). Measured from the first start to the last finish, so the one-off SDK
    # import before the parent's first request does not count.
    started_ev, finished_ev = sink.of_type("subagent_started"), sink.of_type("subagent_finished")
    fan_out = max(e.ts for e in finished_ev) - min(e.ts for e in started_ev)
    assert fan_out < 2 * 2 * STEP_DELAY, f"fan-out took {fan_out:.2f}s"
    final = scripted_server.message_requests[-1].body
    results = last_tool_results(final)
    assert [block_text(b) for b in results] == [f"result for {g}" for g in GOALS]
    assert not any(b.get("is_error") for b in results)

    # explore is read-only whatever the parent has, and cannot delegate further.
    for names in seen_tools:
        assert set(names) <= set(READ_ONLY_TOOLS) and "Task" not in names
    assert "Task" in tool_names(scripted_server.message_requests[0].body)

    # Each sub-agent run is a child thread linked to its Task call, with what the tree shows.
    calls = [b["tool_use_id"] for b in results]
    children = session.store.children(session.thread_id)
    assert sorted(c.parent_call_id for c in children) == sorted(calls)
    for thread in children:
        assert thread.agent == "explore" and thread.state == "done"
        assert thread.num_turns == 2 and thread.tokens > 0
        assert thread.project == str(project)
    assert len(started_ev) == 3 and len(finished_ev) == 3
    assert {e.status for e in finished_ev} == {"done"}
    assert all(e.usage.output_tokens > 0 for e in finished_ev)
    progress = [e for e in sink.of_type("tool_progress") if e.call_id in calls]
    assert any("explore: Grep" in e.text for e in progress)
    await session.close()


async def test_one_failing_sub_agent_does_not_lose_the_others_results(scripted_server, project):
    def child(body):
        if goal_of(body) == "find beta":
            return HttpError(400, "scripted: this sub-agent's request is refused")
        return text(f"result for {goal_of(body)}", delay=0.2)

    scripted_server.default = fan_out_router(child)
    session, sink = await open_parent(project)
    result = await session.run_prompt("investigate")
    assert result.status == "done"
    alpha, beta, gamma = last_tool_results(scripted_server.message_requests[-1].body)
    assert block_text(alpha) == "result for find alpha" and not alpha.get("is_error")
    assert block_text(gamma) == "result for find gamma" and not gamma.get("is_error")
    assert beta.get("is_error") is True
    assert "Sub-agent 'explore' did not finish (failed)" in block_text(beta)
    statuses = {e.call_id: e.status for e in sink.of_type("subagent_finished")}
    assert statuses[beta["tool_use_id"]] == "failed"
    assert sorted(statuses.values()) == ["done", "done", "failed"]
    await session.close()


async def test_output_is_validated_against_the_handoff_schema(scripted_server, project):
    schema = {"type": "object", "required": ["count"],
              "properties": {"count": {"type": "integer"}}}

    def route(body):
        who = agent_of(body)
        if who == "parent":
            if turn_of(body) == 0:
                return Reply([task("explore", "count good", expected_output=schema),
                              task("explore", "count bad", expected_output=schema)])
            return text("checked")
        assert '"count"' in first_user_text(body)  # the schema is in the sub-agent's brief
        if goal_of(body) == "count good":
            return text('Counted.\n```json\n{"count": 3}\n```')
        return text('{"count": "three"}')

    scripted_server.default = route
    session, sink = await open_parent(project)
    assert (await session.run_prompt("count")).status == "done"
    good, bad = last_tool_results(scripted_server.message_requests[-1].body)
    assert block_text(good) == '{"count":3}' and not good.get("is_error")
    assert bad.get("is_error") is True
    assert "does not match the expected output" in block_text(bad)
    assert "at $.count: 'three' is not of type 'integer'" in block_text(bad)
    statuses = sorted(e.status for e in sink.of_type("subagent_finished"))
    assert statuses == ["done", "invalid_output"]
    await session.close()


async def test_agent_handing_the_same_goal_back_is_stopped_with_a_clear_error(
    scripted_server, project
):
    seen: dict[str, list] = {}

    def route(body):
        who = agent_of(body)
        if who == "parent":
            if turn_of(body) == 0:
                return Reply([task("general", "Fix the parser bug")])
            seen["parent_result"] = last_tool_results(body)
            return text("gave up")
        if turn_of(body) == 0:
            return Reply([task("general", "fix the parser bug.")])  # the same work, handed on
        seen["child_result"] = last_tool_results(body)
        return text("I could not delegate it; the parser bug remains.")

    scripted_server.default = route
    session, _ = await open_parent(project)
    assert (await session.run_prompt("fix it")).status == "done"
    loop_error = seen["child_result"][0]
    assert loop_error.get("is_error") is True
    assert "Delegation loop stopped" in block_text(loop_error)
    assert "general → general" in block_text(loop_error)
    (child,) = session.store.children(session.thread_id)
    assert session.store.children(child.thread_id) == []  # no grandchild was started
    assert "parser bug remains" in block_text(seen["parent_result"][0])
    await session.close()


async def test_delegation_depth_is_capped_by_agent_max_depth(scripted_server, project):
    child_tools: list[list[str]] = []

    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                return Reply([task("general", "do a part")])
            return text("ok")
        child_tools.append(tool_names(body))
        return text("part done")

    scripted_server.default = route
    session, _ = await open_parent(project, flags={"agent.max_depth": 1})
    assert (await session.run_prompt("go")).status == "done"
    assert "Task" not in child_tools[0] and "Bash" in child_tools[0]  # general: parent's tools
    await session.close()

    session, _ = await open_parent(project, flags={"agent.max_depth": 0})
    scripted_server.default = lambda body: text(",".join(tool_names(body)))
    result = await session.run_prompt("list tools")
    assert "Task" not in result.result.split(",") and "Read" in result.result.split(",")
    await session.close()


async def test_sub_agent_never_gets_more_permission_than_the_parent(scripted_server, project):
    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                return Reply([task("general", "write a file")])
            return text("done")
        if turn_of(body) == 0:
            return Reply([ToolUse("Write", {"file_path": "made.txt", "content": "x"})])
        return text(block_text(last_tool_results(body)[0]))

    scripted_server.default = route
    session, _ = await open_parent(project, flags={"permissions.mode": "plan"})
    assert (await session.run_prompt("go")).status == "done"
    assert not (project / "made.txt").exists()
    sent = block_text(last_tool_results(scripted_server.message_requests[-1].body)[0])
    assert "Permission denied" in sent  # plan stays plan inside the sub-agent
    await session.close()


async def test_asks_from_a_sub_agent_go_to_the_parents_approver(scripted_server, project):
    asked = []

    class Approver:
        async def answer(self, request):
            asked.append(request)
            return ApprovalAnswer.approve()

    def route(body):
        if agent_of(body) == "parent":
            return Reply([task("general", "make a file")]) if turn_of(body) == 0 else text("ok")
        if turn_of(body) == 0:
            return Reply([ToolUse("Bash", {"command": "touch made.txt"})])
        return text("made")

    scripted_server.default = route
    session, _ = await open_parent(project, approver=Approver())
    assert (await session.run_prompt("go")).status == "done"
    assert (project / "made.txt").exists()
    (request,) = asked
    assert request.tool == "Bash" and request.agent == "general"
    (child,) = session.store.children(session.thread_id)
    assert request.thread_id == child.thread_id
    await session.close()


async def test_context_none_passes_only_the_handoff_and_full_passes_the_transcript(
    scripted_server, project
):
    write_agent(project, "helper", "description: sees everything\ncontext: full\n")
    write_agent(project, "brief", "description: sees a summary\ncontext: summary\n"
                "output_schema: {type: object, required: [word]}\n")
    firsts: dict[str, str] = {}

    def route(body):
        who = agent_of(body)
        if who == "parent":
            if turn_of(body) == 0:
                return Reply([ToolUse("Read", {"file_path": "notes.txt"})])
            if turn_of(body) == 1:
                return Reply([task("explore", "look"), task("helper", "help"),
                              task("brief", "sum up")])
            return text("ok")
        firsts[who] = first_user_text(body)
        return text('{"word": "kiwi"}' if who == "brief" else "seen")

    scripted_server.default = route
    session, _ = await open_parent(project)
    assert (await session.run_prompt("the secret word is kiwi")).status == "done"
    assert "kiwi" not in firsts["explore"] and firsts["explore"].startswith("# Goal\nlook")
    assert "kiwi" in firsts["helper"] and "# Goal\nhelp" in firsts["helper"]
    assert "alpha" in firsts["helper"]  # full: the parent's tool results too
    assert "kiwi" in firsts["brief"] and "alpha" not in firsts["brief"]  # summary: messages only
    assert '"required": [\n    "word"' in firsts["brief"]  # the definition's output schema
    results = last_tool_results(scripted_server.message_requests[-1].body)
    assert block_text(results[2]) == '{"word":"kiwi"}'
    await session.close()


async def test_sub_agent_limits_stop_it_and_the_parent_is_told(scripted_server, project):
    write_agent(project, "brief", "description: one turn only\nmax_turns: 1\n")
    write_agent(project, "slow", "description: short clock\ntime_limit_seconds: 0.3\n")

    def route(body):
        who = agent_of(body)
        if who == "parent":
            if turn_of(body) == 0:
                return Reply([task("brief", "loop"), task("slow", "wait")])
            return text("ok")
        if who == "brief":
            return Reply([ToolUse("LS", {"path": "."})])
        return text("too late", delay=3)

    scripted_server.default = route
    session, sink = await open_parent(project)
    assert (await session.run_prompt("go")).status == "done"
    brief, slow = last_tool_results(scripted_server.message_requests[-1].body)
    assert brief.get("is_error") and "did not finish (limit): turn limit reached" in block_text(
        brief)
    assert slow.get("is_error") and "time limit reached (0.3s)" in block_text(slow)
    assert sorted(e.status for e in sink.of_type("subagent_finished")) == ["limit", "limit"]
    await session.close()


async def test_unknown_agent_or_bad_handoff_is_an_error_the_model_can_fix(
    scripted_server, project
):
    def route(body):
        if turn_of(body) == 0:
            return Reply([ToolUse("Task", {"agent": "wizard", "handoff": {"goal": "x"}}),
                          ToolUse("Task", {"agent": "explore", "handoff": {"goal": ""}})])
        return text("noted")

    scripted_server.default = route
    session, _ = await open_parent(project)
    assert (await session.run_prompt("go")).status == "done"
    unknown, empty = last_tool_results(scripted_server.message_requests[-1].body)
    assert unknown.get("is_error") and empty.get("is_error")
    assert block_text(unknown) == "Unknown agent 'wizard'. Available agents: explore, general."
    assert "handoff.goal: String should have at least 1 character" in block_text(empty)
    assert session.store.children(session.thread_id) == []
    await session.close()


async def test_cancelling_the_parent_stops_running_sub_agents(scripted_server, project):
    import asyncio

    def route(body):
        if agent_of(body) == "parent":
            return Reply([task("explore", "one"), task("explore", "two")])
        return text("slow answer", delay=120)  # far longer than any bound below

    scripted_server.default = route
    session, sink = await open_parent(project)
    run = asyncio.create_task(session.run_prompt("go"))
    deadline = asyncio.get_running_loop().time() + 30
    while len(sink.of_type("subagent_started")) < 2:
        assert asyncio.get_running_loop().time() < deadline, "the sub-agents never started"
        await asyncio.sleep(0.05)
    session.cancel()
    result = await asyncio.wait_for(run, 30)  # it stops at once, not after the 120 s answers
    assert result.status == "cancelled"
    children = session.store.children(session.thread_id)
    assert len(children) == 2 and {c.state for c in children} == {"cancelled"}
    await session.close()


async def test_sessions_show_tree_lists_each_sub_agent_with_tokens_cost_and_duration(
    scripted_server, project, capsys
):
    import json

    from tests.agent.helpers import run_cli

    scripted_server.default = fan_out_router(lambda body: text(f"ok {goal_of(body)}"))
    session, _ = await open_parent(project)
    assert (await session.run_prompt("investigate")).status == "done"
    parent_id = session.thread_id
    await session.close()
    code, out, err = run_cli(capsys, "sessions", "show", parent_id, "--tree", "--json")
    assert code == 0, err
    tree = json.loads(out)
    assert tree["thread_id"] == parent_id and len(tree["children"]) == 3
    for node in tree["children"]:
        assert node["agent"] == "explore" and node["parent_call_id"].startswith("toolu_")
        assert node["state"] == "done" and node["num_turns"] == 1
        assert node["tokens"] == 15 and node["cost_usd"] > 0  # scripted usage: 10 in + 5 out
        assert node["duration_s"] >= 0 and node["title"].startswith("explore: find ")
    code, out, _ = run_cli(capsys, "sessions", "show", parent_id, "--tree")
    assert code == 0 and out.count("└─ explore") == 3


async def test_sub_agents_spend_counts_against_the_parents_budget(scripted_server, project):
    """One scripted turn costs $0.000105 (10 in + 5 out tokens at Sonnet prices)."""

    def route(body):
        if agent_of(body) == "parent":
            return Reply([task("general", "spend")]) if turn_of(body) == 0 else text("more")
        return Reply([ToolUse("LS", {"path": "."})])  # would go on forever

    scripted_server.default = route
    session, _ = await open_parent(project, flags={"agent.max_cost_usd": 0.00015})
    result = await session.run_prompt("go")
    assert result.status == "limit" and "cost budget reached" in result.result
    assert result.cost_usd == pytest.approx(2 * 0.000105)
    (child,) = session.store.children(session.thread_id)
    assert child.num_turns == 1  # its budget was what the parent had left after one turn
    finished = [e for _, e in session.history() if e.type == "subagent_finished"]
    assert finished[0].status == "limit" and "cost budget reached" in finished[0].error
    assert [agent_of(r.body) for r in scripted_server.message_requests] == ["parent", "general"]
    await session.close()


async def test_a_nested_sub_agents_ask_reaches_the_human_once_tagged_with_its_own_thread(
    scripted_server, project
):
    import asyncio

    asked = []

    class Approver:
        async def answer(self, request):
            asked.append(request)
            return ApprovalAnswer.approve()

    def route(body):
        who, goal, turn = agent_of(body), goal_of(body), turn_of(body)
        if who == "parent":
            return Reply([task("general", "outer")]) if turn == 0 else text("parent done")
        if goal == "outer":
            return Reply([task("general", "inner")]) if turn == 0 else text("outer done")
        if turn == 0:
            return Reply([ToolUse("Bash", {"command": "touch deep.txt"})])
        return text("inner done")

    scripted_server.default = route
    session, _ = await open_parent(project, approver=Approver())
    result = await asyncio.wait_for(session.run_prompt("go"), 20)
    assert result.status == "done" and (project / "deep.txt").exists()
    (outer,) = session.store.children(session.thread_id)
    (inner,) = session.store.children(outer.thread_id)
    (request,) = asked
    assert request.thread_id == inner.thread_id
    assert inner.agent == "general" and inner.state == "done"
    await session.close()
