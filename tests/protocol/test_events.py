"""The event vocabulary: a closed union, strict to build, lenient to read from a log."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import get_args

import pydantic
import pytest

from harness.protocol import events as ev
from harness.protocol.kinds import THREAD_STATES

FIXTURE = Path(__file__).parent / "log_written_by_v1.jsonl"
PROTOCOL = Path(ev.__file__).parent


def test_a_log_written_by_the_previous_models_decodes_field_for_field():
    lines = FIXTURE.read_text().splitlines()
    assert len(lines) == 21
    for line in lines:
        raw = json.loads(line)
        event = ev.decode(line)
        assert not isinstance(event, ev.UnknownEvent), raw["type"]
        assert event.type == raw["type"]
        assert event._unknown == {}  # every field it wrote is declared now
        dumped = json.loads(ev.encode(event))
        for key, value in raw.items():
            assert dumped[key] == value, (raw["type"], key)


def test_sub_agent_tags_on_a_request_are_declared_fields():
    tagged = [ev.decode(line) for line in FIXTURE.read_text().splitlines()
              if '"parent_call_id"' in line]
    (request,) = tagged
    assert isinstance(request, ev.PermissionRequest)
    assert (request.agent, request.thread_id, request.parent_call_id) == (
        "explorer", "th_child1", "toolu_3")


def test_a_top_level_request_encodes_without_sub_agent_tags():
    request = ev.PermissionRequest(call_id="c", tool="Bash", input={"command": "ls"})
    assert not set(ev.SUBAGENT_TAGS) & set(json.loads(ev.encode(request)))


def test_building_an_event_with_an_undeclared_field_is_an_error():
    with pytest.raises(pydantic.ValidationError):
        ev.UserMessage(text="hi", nobody_declared_this=1)  # type: ignore[call-arg]


def test_closed_sets_are_checked_when_building():
    with pytest.raises(pydantic.ValidationError):
        ev.ErrorEvent(message="x", kind="not-a-kind")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        ev.PermissionRequest(call_id="c", tool="Bash", input={}, grade="fatal")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        ev.Result(status="finished")  # type: ignore[arg-type]


def test_fields_from_a_newer_writer_are_kept_at_decode_and_written_back():
    line = '{"type":"tool_result","v":2,"ts":1.0,"call_id":"c","tool":"Read","content":"x",' \
           '"is_error":false,"outcome_unknown":false,"duration_ms":0.0,"metadata":{},' \
           '"added_later":[1,2]}'
    event = ev.decode(line)
    assert isinstance(event, ev.ToolResult) and event._unknown == {"added_later": [1, 2]}
    assert json.loads(ev.encode(event)) == json.loads(line)


def test_an_unknown_type_decodes_to_unknown_event_and_round_trips():
    raw = {"type": "from_the_future", "v": 7, "payload": {"a": 1}}
    event = ev.decode(raw)
    assert isinstance(event, ev.UnknownEvent) and event.original_type == "from_the_future"
    assert json.loads(ev.encode(event)) == raw


def test_the_union_discriminates_on_type():
    adapter = pydantic.TypeAdapter(ev.Event)
    event = adapter.validate_python({"type": "mode_changed", "mode": "plan"})
    assert isinstance(event, ev.ModeChanged)
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python({"type": "mode_changed", "mode": "plan", "extra": 1})


def test_every_union_member_has_a_unique_tag():
    members = get_args(get_args(ev.Event)[0])
    tags = [cls.model_fields["type"].default for cls in members]
    assert len(tags) == len(set(tags)) == len(ev.EVENT_TYPES)
    for cls in members:
        assert get_args(cls.model_fields["type"].annotation) == (cls.model_fields["type"].default,)


def test_thread_states_come_from_one_literal():
    assert "awaiting_approval" in THREAD_STATES and "idle" in THREAD_STATES
    assert len(THREAD_STATES) == 7


def test_the_protocol_package_imports_only_stdlib_and_pydantic():
    import sys

    allowed = set(sys.stdlib_module_names) | {"pydantic", "harness"}
    for path in PROTOCOL.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] in allowed, (path.name, name)
                if name.startswith("harness"):
                    assert name.startswith("harness.protocol"), (path.name, name)
