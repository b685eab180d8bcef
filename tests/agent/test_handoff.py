"""Handoffs: parsing, the sub-agent's first message, and validating what comes back."""

from __future__ import annotations

import json

import pytest

from harness.agent.subagents.handoff import (
    Handoff,
    HandoffError,
    check_output,
    extract_json,
    result_for_parent,
)

SCHEMA = {
    "type": "object",
    "required": ["files"],
    "properties": {
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "line"],
                "properties": {"path": {"type": "string"}, "line": {"type": "integer"}},
            },
        }
    },
}


def test_handoff_renders_only_what_is_passed_and_the_schema_to_answer_with():
    h = Handoff.parse({
        "goal": "Find where config is loaded",
        "results_so_far": {"checked": ["cli.py"]},
        "constraints": "do not edit files",  # a single string is one constraint
        "expected_output": SCHEMA,
    })
    assert h.constraints == ["do not edit files"]
    text = h.render(schema=h.output_schema())
    assert text.startswith("# Goal\nFind where config is loaded")
    assert '"checked"' in text and "- do not edit files" in text
    assert "reply with only a JSON value" in text and '"line"' in text


def test_definition_schema_applies_when_the_handoff_only_describes_the_output():
    h = Handoff.parse({"goal": "g", "expected_output": "a list of paths"})
    assert h.output_schema(default=SCHEMA) is SCHEMA
    assert "# Output\na list of paths" in h.render(schema=None)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({}, "handoff.goal: Field required"),
        ({"goal": "g", "budget": 3}, "handoff.budget: Extra inputs are not permitted"),
        ({"goal": "g", "expected_output": {"type": 5}}, "handoff.expected_output: not a valid"),
    ],
)
def test_bad_handoff_says_which_field_is_wrong(raw, words):
    with pytest.raises(HandoffError, match=r"invalid handoff|expected_output") as info:
        Handoff.parse(raw)
    assert words in str(info.value)


def test_json_is_found_in_plain_fenced_or_surrounded_answers():
    assert extract_json('{"a": 1}') == {"a": 1}
    assert extract_json('Here:\n```json\n{"a": 2}\n```\nDone.') == {"a": 2}
    assert extract_json('Result: {"a": 3} as asked') == {"a": 3}
    with pytest.raises(ValueError, match="no JSON"):
        extract_json("I could not find it.")


def test_mismatch_names_the_wrong_field_and_what_was_expected():
    check = check_output('{"files": [{"path": "a.py", "line": "twelve"}]}', SCHEMA)
    assert not check.ok
    assert check.problems == [
        "at $.files[0].line: 'twelve' is not of type 'integer' (expected type: \"integer\")"
    ]
    missing = check_output('{"paths": []}', SCHEMA)
    assert "'files' is a required property" in missing.problems[0]


def test_matching_answer_becomes_compact_json_tool_result():
    answer = 'Found it.\n```json\n{"files": [{"path": "a.py", "line": 3}]}\n```'
    out = result_for_parent(agent="explore", child_thread_id="t-child", status="done",
                            text=answer, schema=SCHEMA)
    assert not out.is_error
    assert out.content == '{"files":[{"path":"a.py","line":3}]}'
    assert out.metadata["output"] == json.loads(out.content)
    assert out.metadata["child_thread_id"] == "t-child"


def test_schema_mismatch_is_an_error_result_the_parent_can_act_on():
    out = result_for_parent(agent="explore", child_thread_id="t-child", status="done",
                            text='{"files": "a.py"}', schema=SCHEMA)
    assert out.is_error
    assert "does not match the expected output" in out.content
    assert "at $.files: 'a.py' is not of type 'array'" in out.content
    assert "Delegate again" in out.content


def test_failed_run_and_long_answers_point_at_the_child_thread():
    failed = result_for_parent(agent="general", child_thread_id="t9", status="limit",
                               text="", schema=None, error="turn limit reached (5 turns)")
    assert failed.is_error and "did not finish (limit): turn limit reached" in failed.content
    assert "t9" in failed.content
    long = result_for_parent(agent="general", child_thread_id="t9", status="done",
                             text="x" * 30_000, schema=None)
    assert len(long.content) < 20_200 and "harness sessions show t9" in long.content
    empty = result_for_parent(agent="general", child_thread_id="t9", status="done",
                              text="  ", schema=None)
    assert empty.is_error and "without a final answer" in empty.content
