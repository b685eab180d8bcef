"""A Task call in the inline front-end, on the real session and the scripted server: the
call line names the sub-agent and its goal as text (never the handoff's Python dict), and
the sub-agent's steps follow under it."""

from __future__ import annotations

from harness.exitcodes import DONE
from harness.model.script import Reply, ToolUse, text
from tests.agent.subagent_helpers import agent_of, turn_of
from tests.ui.inline.driver import Driver

GOAL = "find where the demo is described"


async def test_a_task_call_shows_its_goal_as_text(pipe, repo, scripted_server):
    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                handoff = {"goal": GOAL, "constraints": ["read only"]}
                return Reply([ToolUse("Task", {"agent": "explore", "handoff": handoff})])
            return text("It is in README.md.")
        if turn_of(body) == 0:
            return Reply([ToolUse("Grep", {"pattern": "demo"})])
        return text("README.md says '# demo'.")

    scripted_server.default = route
    d = Driver(pipe, repo)
    await d.start()
    await d.type("where is the demo described?")
    await d.until("It is in README.md.")
    assert await d.finish() == DONE
    assert f"● Task(explore: {GOAL})" in d.text
    assert "{'goal'" not in d.text and '{"goal"' not in d.text
    assert "explore: Grep demo" in d.text  # the sub-agent's step, as it happened
