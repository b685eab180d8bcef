from __future__ import annotations

import json

import pytest

from harness.tools.ask_user import AskUser
from harness.tools.base import ToolError
from harness.tools.registry import default_tools, tool_by_name
from harness.tools.todo import TodoWrite


async def test_todowrite_validates_and_returns_todos_metadata(ctx):
    tool = TodoWrite()
    todos = [
        {"content": "Write tests", "status": "completed"},
        {"content": "Fix bug", "status": "in_progress", "activeForm": "Fixing bug"},
        {"content": "Release", "status": "pending"},
    ]
    out = await tool.run(tool.parse({"todos": todos}), ctx)
    assert out.metadata["todos"] == todos
    assert "(1/3 done)" in out.content and "[~] Fix bug" in out.content


async def test_todowrite_rejects_unknown_status_and_blank_content():
    with pytest.raises(ToolError, match="status"):
        TodoWrite().parse({"todos": [{"content": "x", "status": "doing"}]})
    with pytest.raises(ToolError, match="content must not be empty"):
        TodoWrite().parse({"todos": [{"content": "  ", "status": "pending"}]})


async def test_todowrite_empty_list_clears(ctx):
    tool = TodoWrite()
    out = await tool.run(tool.parse({"todos": []}), ctx)
    assert out.metadata["todos"] == [] and "cleared" in out.content


async def test_askuser_returns_the_answer_from_context(ctx):
    tool = AskUser()
    inp = tool.parse({"question": "Which database?"})
    assert await tool.preview(inp, ctx) == "Which database?"
    ctx.answer = "PostgreSQL"
    out = await tool.run(inp, ctx)
    assert out.content == "The user answered: PostgreSQL" and tool.category == "meta"


async def test_askuser_without_answer_is_tool_error(ctx):
    tool = AskUser()
    with pytest.raises(ToolError, match="no answer"):
        await tool.run(tool.parse({"question": "?"}), ctx)


def test_registry_order_is_fixed_and_names_match_architecture():
    names = [t.name for t in default_tools()]
    assert names == ["Read", "Write", "Edit", "MultiEdit", "Glob", "Grep", "LS", "Bash",
                     "GitStatus", "GitDiff", "GitLog", "GitCommit", "GitPush", "TodoWrite",
                     "AskUser"]


def test_registry_schemas_are_stable_json_with_the_contract_fields():
    first = json.dumps([t.schema() for t in default_tools()], sort_keys=False)
    second = json.dumps([t.schema() for t in default_tools()], sort_keys=False)
    assert first == second  # byte-identical: the prompt cache depends on it
    props = {t.name: set(t.schema()["input_schema"].get("properties", {}))
             for t in default_tools()}
    assert props["Read"] == {"file_path", "offset", "limit"}
    assert props["Write"] == {"file_path", "content"}
    assert props["Edit"] == {"file_path", "old_string", "new_string", "replace_all"}
    assert props["MultiEdit"] == {"file_path", "edits"}
    assert props["Glob"] == {"pattern", "path"}
    assert props["LS"] == {"path"}
    assert props["Bash"] == {"command", "timeout"}
    assert props["GitStatus"] == set()
    assert props["GitDiff"] == {"staged", "path"}
    assert props["GitLog"] == {"max_count", "path"}
    assert props["GitCommit"] == {"message"}
    assert props["GitPush"] == {"remote", "branch"}
    assert props["TodoWrite"] == {"todos"}
    assert props["AskUser"] == {"question"}


def test_registry_categories():
    cats = {t.name: t.category for t in default_tools()}
    assert cats["Read"] == cats["Glob"] == cats["Grep"] == cats["LS"] == "read"
    assert cats["Write"] == cats["Edit"] == cats["MultiEdit"] == "write"
    assert cats["Bash"] == cats["GitCommit"] == "shell"
    assert cats["GitPush"] == "git_push"
    assert cats["TodoWrite"] == cats["AskUser"] == "meta"


def test_tool_by_name():
    assert tool_by_name("Grep").name == "Grep"
    assert tool_by_name("Nope") is None


def test_schemas_have_no_refs_so_nested_items_are_inline():
    for tool in default_tools():
        text = json.dumps(tool.schema())
        assert "$ref" not in text and "$defs" not in text, tool.name
    edits = tool_by_name("MultiEdit").schema()["input_schema"]["properties"]["edits"]
    assert edits["items"]["required"] == ["old_string", "new_string"]
    todos = tool_by_name("TodoWrite").schema()["input_schema"]["properties"]["todos"]
    assert todos["items"]["properties"]["status"]["enum"] == ["pending", "in_progress",
                                                              "completed"]
