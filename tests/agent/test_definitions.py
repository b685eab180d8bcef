"""Agent definitions: parsing `.harness/agents/*.md`, built-ins, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.agent.subagents.definitions import (
    BUILTIN_AGENTS,
    READ_ONLY_TOOLS,
    AgentDefinitionError,
    load_definitions,
    parse_definition,
)

REVIEWER = """\
---
name: reviewer
description: Reviews a diff for bugs.
tools: Read, Grep, GitDiff
model: claude-haiku-4-5
context: summary
max_turns: 5
max_cost_usd: 0.25
time_limit_seconds: 60
output_schema:
  type: object
  required: [verdict, issues]
  properties:
    verdict: {enum: [approve, request_changes]}
    issues: {type: array, items: {type: string}}
---
You review diffs. Be terse.
"""


def _write(root: Path, name: str, text: str) -> Path:
    folder = root / ".harness" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_fields_and_body_become_the_definition():
    d = parse_definition(REVIEWER, "reviewer.md")
    assert d.name == "reviewer"
    assert d.tools == ("Read", "Grep", "GitDiff")
    assert d.model == "claude-haiku-4-5"
    assert d.context == "summary"
    assert (d.max_turns, d.max_cost_usd, d.time_limit_seconds) == (5, 0.25, 60)
    assert d.output_schema["required"] == ["verdict", "issues"]
    assert d.instructions == "You review diffs. Be terse."
    assert d.source == "reviewer.md"


def test_tools_as_yaml_list_and_model_inherit_are_accepted():
    d = parse_definition(
        "---\ndescription: x\ntools: [Read, LS, Read]\nmodel: inherit\n---\nbody", "scout.md"
    )
    assert d.name == "scout"  # taken from the file name when the front matter has none
    assert d.tools == ("Read", "LS")
    assert d.model == ""
    alias = parse_definition("---\ndescription: x\nmodel: haiku\n---\n", "fast.md")
    assert alias.model == "claude-haiku-4-5"


def test_builtin_explore_is_read_only_and_general_inherits_parent_tools():
    explore, general = BUILTIN_AGENTS["explore"], BUILTIN_AGENTS["general"]
    assert explore.tools == READ_ONLY_TOOLS and explore.context == "none"
    assert general.tools is None
    parent = ["Read", "Edit", "Bash", "Grep", "Task"]
    assert explore.allowed_tools(parent) == ["Read", "Grep"]  # never more than the parent
    assert general.allowed_tools(parent) == parent


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("---\nname: x\ndescription: d\ncontext: everything\n---\n", "context", "none"),
        ("---\nname: x\ndescription: d\nmax_turns: 0\n---\n", "max_turns", "greater"),
        ("---\nname: x\ndescription: d\ncolour: red\n---\n", "colour", "allowed keys"),
        ("---\nname: Bad Name\ndescription: d\n---\n", "name", "lower-case"),
        ("---\nname: x\n---\n", "description", "required"),
        ("---\nname: x\ndescription: d\noutput_schema: {type: bogus}\n---\n", "output_schema",
         "JSON Schema"),
    ],
)
def test_wrong_field_error_names_file_field_and_what_is_allowed(text, field, words):
    with pytest.raises(AgentDefinitionError) as info:
        parse_definition(text, "/p/.harness/agents/x.md")
    assert info.value.field == field
    assert str(info.value).startswith(f"/p/.harness/agents/x.md: {field}: ")
    assert words in str(info.value)


def test_missing_or_unclosed_front_matter_and_bad_yaml_are_clear_errors():
    with pytest.raises(AgentDefinitionError, match="must start with a `---` line"):
        parse_definition("name: x\n", "a.md")
    with pytest.raises(AgentDefinitionError, match="not closed"):
        parse_definition("---\nname: x\n", "a.md")
    with pytest.raises(AgentDefinitionError, match=r"not valid YAML \(line \d+\)"):
        parse_definition("---\nname: [x\n---\n", "a.md")


def test_project_files_load_over_builtins_and_unknown_tools_are_refused(tmp_path):
    _write(tmp_path, "reviewer.md", REVIEWER)
    _write(tmp_path, "explore.md", "---\ndescription: my explore\ntools: Read\n---\nmine")
    found = load_definitions(tmp_path, known_tools=["Read", "Grep", "GitDiff", "LS"])
    assert set(found) >= {"explore", "general", "reviewer"}
    assert found["explore"].instructions == "mine"  # the project's file wins
    _write(tmp_path, "typo.md", "---\ndescription: d\ntools: Raed\n---\n")
    with pytest.raises(AgentDefinitionError) as info:
        load_definitions(tmp_path, known_tools=["Read", "Grep", "GitDiff"])
    assert info.value.field == "tools" and "'Raed'" in str(info.value)
    assert "typo.md" in info.value.source
