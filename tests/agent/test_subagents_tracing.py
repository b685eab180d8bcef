"""Spans of a whole delegated run, into an in-memory exporter: session → turn → model call /
tool call → sub-agent → the child's own session, turns and tools."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from harness.agent.session import SessionOptions, open_session
from harness.agent.tracing import Tracing
from harness.config.schema import Settings
from harness.model.script import Reply, Tokens, ToolUse, text
from harness.protocol.approver import ApprovalAnswer
from tests.agent.helpers import make_project
from tests.agent.subagent_helpers import Recorder, agent_of, turn_of


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


class Approve:
    async def answer(self, request):
        return ApprovalAnswer.approve()


async def test_spans_cover_session_turns_model_calls_tools_waits_and_sub_agents(
    scripted_server, project
):
    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                return Reply([ToolUse("Task", {"agent": "explore", "handoff": {"goal": "a"}}),
                              ToolUse("Task", {"agent": "general", "handoff": {"goal": "b"}})],
                             usage=Tokens(input_tokens=100, output_tokens=20,
                                          cache_read_input_tokens=900))
            return text("done")
        if turn_of(body) == 0:
            if agent_of(body) == "general":
                return Reply([ToolUse("Bash", {"command": "touch made.txt"})])
            return Reply([ToolUse("LS", {"path": "."})])
        return text("ok")

    scripted_server.default = route
    exporter = InMemorySpanExporter()
    settings = Settings.model_validate({"tracing": {"enabled": True}})
    tracer = Tracing.from_settings(settings, exporter=exporter)
    session = await open_session(SessionOptions(project_root=project, tracer=tracer),
                                 approver=Approve(), sink=Recorder())
    assert (await session.run_prompt("split")).status == "done"
    await session.close()

    spans = exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}
    names = [s.name for s in spans]
    assert names.count("harness.session") == 3  # the parent and two sub-agents
    assert names.count("harness.subagent") == 2
    assert "harness.permission_wait" in names  # general's Bash asked the parent's approver

    def parent_of(span):
        return by_id.get(span.parent.span_id) if span.parent else None

    roots = [s for s in spans if s.parent is None]
    assert [s.name for s in roots] == ["harness.session"]
    first_model = min((s for s in spans if s.name == "harness.model_call"
                       and parent_of(parent_of(s)) is roots[0]), key=lambda s: s.start_time)
    assert first_model.attributes["gen_ai.usage.input_tokens"] == 100
    assert first_model.attributes["gen_ai.usage.cache_read_input_tokens"] == 900
    assert parent_of(first_model).name == "harness.turn"

    for sub in (s for s in spans if s.name == "harness.subagent"):
        call = parent_of(sub)
        assert call.name == "harness.tool_call" and call.attributes["harness.tool"] == "Task"
        assert call.attributes["harness.call_id"] == sub.attributes["harness.call_id"]
        child_sessions = [s for s in spans if s.name == "harness.session" and parent_of(s) is sub]
        assert len(child_sessions) == 1
        assert child_sessions[0].attributes["harness.thread_id"] == sub.attributes[
            "harness.thread_id"]
        assert sub.attributes["gen_ai.usage.output_tokens"] > 0
    waits = [s for s in spans if s.name == "harness.permission_wait"]
    assert all(s.attributes["harness.tool"] == "Bash" for s in waits)
