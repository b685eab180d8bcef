"""The public headless schemas: the shipped files are what the models generate, and every
internal event either maps to a line that validates or is deliberately not shown."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from harness.protocol import events as ev
from harness.ui import headless_schema as pub
from harness.ui.headless_lines import LineContext, public_line
from tests.ui.headless.contract import shipped_validator


@pytest.mark.parametrize("name", sorted(pub.SCHEMA_FILES))
def test_shipped_schema_file_equals_what_the_models_generate(name):
    shipped = (resources.files("harness.ui") / "schemas" / name).read_text()
    assert shipped == pub.schema_text(pub.SCHEMA_FILES[name]), (
        f"{name} is stale: run `python -m harness.ui.headless_schema --write` and say the "
        "contract change in the README")


def test_shipped_schemas_are_valid_draft_2020_12_with_every_field_required():
    from jsonschema import Draft202012Validator

    for name in pub.SCHEMA_FILES:
        schema = json.loads((resources.files("harness.ui") / "schemas" / name).read_text())
        Draft202012Validator.check_schema(schema)
    result = pub.json_schema("result")
    assert set(result["required"]) == set(pub.ResultLine.model_fields)
    assert result["properties"]["v"]["const"] == 1


def test_subtype_is_one_closed_set_in_the_result_schema():
    from typing import get_args

    enum = pub.json_schema("result")["properties"]["subtype"]["enum"]
    assert enum == list(get_args(pub.Subtype))
    assert {"success", "error_max_turns", "error_max_budget", "error_during_execution",
            "awaiting_approval", "cancelled"} <= set(enum)


SAMPLES: dict[str, dict[str, Any]] = {
    "session_started": {"project": "/p", "model": "m"},
    "user_message": {"text": "hi"},
    "assistant_message": {"content": [{"type": "text", "text": "x"}]},
    "tool_call": {"call_id": "c1", "tool": "Read", "input": {"file_path": "a"}},
    "permission_request": {"call_id": "c1", "tool": "Bash", "input": {"command": "ls"},
                           "agent": "explore", "thread_id": "child"},
    "permission_decision": {"call_id": "c1", "outcome": "deny"},
    "tool_started": {"call_id": "c1", "tool": "Read", "input": {}},
    "tool_result": {"call_id": "c1", "tool": "Read", "content": "ok"},
    "turn_completed": {"turn": 1},
    "compaction": {"summary": "s"},
    "mode_changed": {"mode": "plan"},
    "model_changed": {"model": "m2"},
    "file_snapshot": {"call_id": "c1", "path": "a", "commit": "abc"},
    "interrupted": {},
    "error": {"message": "boom"},
    "pending_shown": {"call_id": "c1"},
    "result": {"status": "done"},
    "subagent_started": {"call_id": "c1", "agent": "explore", "child_thread_id": "t2"},
    "subagent_finished": {"call_id": "c1", "agent": "explore", "child_thread_id": "t2"},
    "unknown": {},
    "assistant_delta": {"text": "pa"},
    "tool_input_delta": {},
    "retrying": {"attempt": 1, "delay": 0.5, "reason": "overloaded"},
    "assistant_text": {"text": "hello"},
    "tool_progress": {"call_id": "c1", "text": "…"},
    "user_shell": {"command": "ls", "output": "a\n"},
    "grant_revoked": {"rule": "Bash(ls:*)", "granted_seq": 3},
}
HIDDEN = {"assistant_message", "file_snapshot", "pending_shown", "result", "unknown",
          "tool_input_delta", "user_shell", "grant_revoked"}


def test_samples_cover_every_internal_event_type():
    assert set(SAMPLES) == set(ev.EVENT_TYPES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_internal_event_is_a_valid_public_line_or_deliberately_hidden(kind):
    event = ev.EVENT_TYPES[kind](**SAMPLES[kind])
    line = public_line(event, LineContext("th_1", 7, include_partial=True))
    if kind in HIDDEN:
        assert line is None
        return
    assert line is not None
    data = json.loads(line.model_dump_json())
    errors = [e.message for e in shipped_validator("stream-json.v1.schema.json").iter_errors(data)]
    assert not errors
    assert data["thread_id"] == "th_1" and data["seq"] == 7  # never a sub-agent's thread id


def test_text_deltas_only_with_include_partial_messages_and_never_thinking():
    delta = ev.AssistantDelta(text="pa")
    assert public_line(delta, LineContext("t", 0)) is None
    assert public_line(ev.AssistantDelta(text="hm", kind="thinking"),
                       LineContext("t", 0, include_partial=True)) is None


def test_costs_are_null_for_an_unpriced_model():
    unpriced = LineContext("t", 1, cost_known=False)
    line = public_line(ev.TurnCompleted(turn=1, cost_usd=0.5), unpriced)
    assert line is not None and json.loads(line.model_dump_json())["cost_usd"] is None
