"""Tool definitions come from a disk cache keyed by the tool modules' sources."""

from __future__ import annotations

import json

from harness.tools.registry import DEFAULT_TOOL_NAMES, default_tools, tool_schemas


def test_default_tool_names_match_the_registry_order():
    assert tuple(t.name for t in default_tools()) == DEFAULT_TOOL_NAMES


def test_schemas_are_cached_and_identical_to_fresh_ones(tmp_path):
    tools = default_tools()
    fresh = [t.schema() for t in tools]
    assert tool_schemas(tools, tmp_path) == fresh  # builds and writes the cache
    (cache,) = tmp_path.glob("tool-schemas-*.json")
    data = json.loads(cache.read_text())
    data["Read"]["description"] = "from the cache"
    cache.write_text(json.dumps(data))
    again = tool_schemas(tools, tmp_path)
    assert again[0]["description"] == "from the cache"  # served from disk, not rebuilt
    assert again[1:] == fresh[1:]


def test_a_broken_cache_file_is_rebuilt(tmp_path):
    tools = default_tools()
    tool_schemas(tools, tmp_path)
    (cache,) = tmp_path.glob("tool-schemas-*.json")
    cache.write_text("{not json")
    assert tool_schemas(tools, tmp_path) == [t.schema() for t in tools]
    assert json.loads(cache.read_text())["Read"] == tools[0].schema()  # and written again
