"""`--json-schema`: the model is told the schema, a valid answer comes back as
`structured_output`, a mismatch is retried once with the validation error, then reported."""

from __future__ import annotations

import json

import pytest

from harness.model.script import text
from tests.agent.helpers import json_lines, make_project, run_cli
from tests.ui.headless.contract import assert_valid_result, assert_valid_stream

SCHEMA = {
    "type": "object",
    "properties": {"files": {"type": "integer"}, "summary": {"type": "string"}},
    "required": ["files", "summary"],
    "additionalProperties": False,
}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def user_texts(body: dict) -> list[str]:
    found = []
    for message in body["messages"]:
        if message["role"] != "user":
            continue
        content = message["content"]
        if isinstance(content, str):
            found.append(content)
        else:
            found += [b.get("text", "") for b in content if b.get("type") == "text"]
    return found


def run_with_schema(capsys, project, schema: str, *extra: str) -> tuple[int, dict, str]:
    code, out, err = run_cli(capsys, "-p", "count the files", "--cwd", str(project),
                             "--json-schema", schema, "--output-format", "json", *extra)
    result = json.loads(out)
    assert_valid_result(result)
    return code, result, err


def test_a_valid_answer_is_returned_as_structured_output_and_the_model_was_told(
    scripted_server, project, capsys
):
    scripted_server.add(text('{"files": 2, "summary": "two files"}'))
    code, result, err = run_with_schema(capsys, project, json.dumps(SCHEMA))
    assert code == 0, err
    assert result["structured_output"] == {"files": 2, "summary": "two files"}
    assert result["subtype"] == "success"
    told = user_texts(scripted_server.requests[0].body)[0]
    assert told.startswith("count the files") and "--json-schema" in told
    assert json.dumps(SCHEMA, indent=2) in told  # the schema itself, before any answer
    assert len(scripted_server.requests) == 1


def test_a_mismatch_is_asked_again_once_with_the_validation_error(scripted_server, project,
                                                                  capsys, tmp_path):
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(SCHEMA))
    scripted_server.add(text('{"files": "two"}'),
                        text('```json\n{"files": 2, "summary": "fixed"}\n```'))
    code, result, err = run_with_schema(capsys, project, str(schema_file))
    assert code == 0, err
    assert result["structured_output"] == {"files": 2, "summary": "fixed"}
    assert result["num_turns"] == 2
    retry = user_texts(scripted_server.requests[1].body)[-1]
    assert "does not validate" in retry
    assert "'two' is not of type 'integer'" in retry and "'summary' is a required" in retry


def test_a_second_mismatch_is_reported_with_its_own_subtype_and_exit_1(scripted_server,
                                                                       project, capsys):
    scripted_server.add(text("two files, I think"), text('{"files": 2}'))
    code, result, err = run_with_schema(capsys, project, json.dumps(SCHEMA))
    assert code == 1 and "also after one retry" in err
    assert result["subtype"] == "error_max_structured_output_retries"
    assert result["is_error"] is True and result["status"] == "failed"
    assert "also after one retry" in result["error"] and "summary" in result["error"]
    assert result["structured_output"] is None
    assert len(scripted_server.requests) == 2  # exactly one retry


def test_text_output_prints_the_answer_or_the_mismatch(scripted_server, project, capsys):
    scripted_server.add(text("nope"), text("still nope"))
    code, out, err = run_cli(capsys, "-p", "count", "--cwd", str(project), "--json-schema",
                             json.dumps(SCHEMA))
    assert code == 1 and out == ""
    assert "does not validate against --json-schema" in err


def test_stream_json_with_a_schema_has_one_result_line_at_the_end(scripted_server, project,
                                                                  capsys):
    scripted_server.add(text("{}"), text('{"files": 1, "summary": "one"}'))
    code, out, _ = run_cli(capsys, "-p", "count", "--cwd", str(project), "--json-schema",
                           json.dumps(SCHEMA), "--output-format", "stream-json")
    assert code == 0
    lines = json_lines(out)
    assert_valid_stream(lines)
    assert [line["type"] for line in lines].count("result") == 1
    assert lines[-1]["structured_output"] == {"files": 1, "summary": "one"}


@pytest.mark.parametrize(("schema", "said"), [
    ('{"type": "objec"}', "not a valid JSON Schema"),
    ("{not json", "is not JSON"),
    ("/no/such/schema.json", "cannot read it"),
])
def test_an_unusable_schema_is_a_usage_error_before_any_request(scripted_server, project,
                                                                capsys, schema, said):
    code, out, err = run_cli(capsys, "-p", "count", "--cwd", str(project), "--json-schema",
                             schema)
    assert code == 2 and said in err and out == ""
    assert scripted_server.requests == []
