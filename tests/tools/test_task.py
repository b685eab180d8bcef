"""The Task tool: its schema, input validation, and handing off to the injected runner."""

from __future__ import annotations

import pytest

from harness.tools.base import ToolContext, ToolError, ToolOutput
from harness.tools.task import CURRENT_CALL_ID, TaskTool


def test_schema_lists_available_agents_and_is_concurrent_safe_meta():
    tool = TaskTool([("explore", "reads code"), ("reviewer", "reviews diffs")])
    schema = tool.schema()
    assert schema["name"] == "Task"
    assert "- explore: reads code" in schema["description"]
    assert schema["input_schema"]["properties"]["agent"]["enum"] == ["explore", "reviewer"]
    assert tool.category == "meta" and tool.concurrent_safe is True
    handoff = schema["input_schema"]["properties"]["handoff"]
    assert handoff["required"] == ["goal"] and "$ref" not in str(tool.schema())  # inlined


def test_input_without_goal_is_a_tool_error_naming_the_field():
    with pytest.raises(ToolError, match=r"handoff\.goal"):
        TaskTool().parse({"agent": "explore", "handoff": {}})


async def test_run_passes_agent_handoff_and_call_id_to_the_runner(tmp_path):
    seen = []

    async def runner(agent, handoff, call_id):
        seen.append((agent, handoff, call_id))
        return ToolOutput("ok")

    tool = TaskTool()
    parsed = tool.parse({"agent": "explore", "handoff": {"goal": "look", "constraints": "x"}})
    token = CURRENT_CALL_ID.set("toolu_1")
    try:
        out = await tool.run(parsed, ToolContext(project_root=tmp_path, subagent_runner=runner))
    finally:
        CURRENT_CALL_ID.reset(token)
    assert out.content == "ok"
    agent, handoff, call_id = seen[0]
    assert (agent, call_id) == ("explore", "toolu_1")
    assert handoff["goal"] == "look" and handoff["constraints"] == ["x"]


async def test_without_a_runner_the_model_is_told_to_do_the_work_itself(tmp_path):
    tool = TaskTool()
    parsed = tool.parse({"agent": "explore", "handoff": {"goal": "look"}})
    with pytest.raises(ToolError, match="do the work yourself"):
        await tool.run(parsed, ToolContext(project_root=tmp_path))
