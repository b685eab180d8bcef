from __future__ import annotations

import os

import pytest

from harness.tools.base import ToolError
from harness.tools.glob import Glob
from harness.tools.grep import Grep
from harness.tools.ls import LS


async def call(tool, ctx, **kw):
    return await tool.run(tool.parse(kw), ctx)


@pytest.fixture
def tree(project):
    (project / "src/pkg").mkdir(parents=True)
    (project / "build").mkdir()
    (project / ".github").mkdir()
    (project / ".gitignore").write_text("build/\n*.log\n")
    (project / "top.py").write_text("import os\nTODO = 1\n")
    (project / "src/a.py").write_text("def alpha():\n    return 'needle'\n")
    (project / "src/pkg/b.py").write_text("x = 1\n# Needle here\ny = 2\nz = 3\n")
    (project / "src/c.ts").write_text("const needle = 1;\n")
    (project / "build/out.py").write_text("needle\n")
    (project / "debug.log").write_text("needle\n")
    (project / ".github/ci.yml").write_text("needle: yes\n")
    for i, name in enumerate(["top.py", "src/a.py", "src/pkg/b.py"]):
        os.utime(project / name, (1_000_000 + i * 1000, 1_000_000 + i * 1000))
    return project


# --- Glob ----------------------------------------------------------------------------


async def test_glob_recursive_pattern_newest_first_and_gitignore_aware(tree, ctx):
    out = await call(Glob(), ctx, pattern="**/*.py")
    assert out.content.splitlines() == ["src/pkg/b.py", "src/a.py", "top.py"]


async def test_glob_star_stays_in_base_folder(tree, ctx):
    assert (await call(Glob(), ctx, pattern="*.py")).content == "top.py"


async def test_glob_with_path_and_subfolder_pattern(tree, ctx):
    out = await call(Glob(), ctx, pattern="pkg/*.py", path="src")
    assert out.content == "src/pkg/b.py"


async def test_glob_finds_hidden_folders(tree, ctx):
    assert ".github/ci.yml" in (await call(Glob(), ctx, pattern="**/*.yml")).content


async def test_glob_absolute_pattern_uses_its_prefix_as_base(tree, ctx):
    out = await call(Glob(), ctx, pattern=str(tree / "src" / "**" / "*.ts"))
    assert out.content == "src/c.ts"


async def test_glob_no_match_says_so(tree, ctx):
    assert "No files match" in (await call(Glob(), ctx, pattern="**/*.rs")).content


async def test_glob_missing_folder_is_error(tree, ctx):
    with pytest.raises(ToolError, match="does not exist"):
        await call(Glob(), ctx, pattern="*", path="nope")


async def test_glob_caps_results_and_says_how_many_dropped(project, ctx):
    for i in range(230):
        (project / f"f{i}.txt").write_text("")
    out = await call(Glob(), ctx, pattern="*.txt")
    assert len([line for line in out.content.splitlines() if line.endswith(".txt")]) == 200
    assert "[30 more matching files not shown" in out.content


# --- Grep ----------------------------------------------------------------------------


async def test_grep_files_mode_default_skips_ignored(tree, ctx):
    out = await call(Grep(), ctx, pattern="needle")
    files = set(out.content.splitlines())
    assert files == {"src/a.py", "src/c.ts", ".github/ci.yml"}


async def test_grep_case_insensitive_and_type_filter(tree, ctx):
    out = await call(Grep(), ctx, pattern="needle", **{"-i": True}, type="py")
    assert set(out.content.splitlines()) == {"src/a.py", "src/pkg/b.py"}


async def test_grep_glob_filter(tree, ctx):
    out = await call(Grep(), ctx, pattern="needle", glob="*.ts")
    assert out.content == "src/c.ts"


async def test_grep_content_mode_with_line_numbers_and_context(tree, ctx):
    out = await call(Grep(), ctx, pattern="Needle", output_mode="content", path="src/pkg",
                     **{"-A": 1, "-B": 1})
    assert out.content.splitlines() == [
        "src/pkg/b.py-1-x = 1", "src/pkg/b.py:2:# Needle here", "src/pkg/b.py-3-y = 2"]


async def test_grep_count_mode(tree, ctx):
    out = await call(Grep(), ctx, pattern="=", output_mode="count", path="src/pkg/b.py")
    assert out.content.strip() == "src/pkg/b.py:3"


async def test_grep_multiline(tree, ctx):
    out = await call(Grep(), ctx, pattern=r"alpha\(\):\n\s+return", multiline=True,
                     output_mode="files_with_matches")
    assert out.content == "src/a.py"


async def test_grep_no_match(tree, ctx):
    assert "No matches" in (await call(Grep(), ctx, pattern="zzzqqq")).content


async def test_grep_invalid_regex_is_tool_error(tree, ctx):
    with pytest.raises(ToolError, match=r"search failed.*regex"):
        await call(Grep(), ctx, pattern="foo(")


async def test_grep_unknown_type_is_tool_error(tree, ctx):
    with pytest.raises(ToolError, match="type-list"):
        await call(Grep(), ctx, pattern="x", type="nosuchlang")


async def test_grep_head_limit_caps_and_counts_dropped(project, ctx):
    (project / "many.txt").write_text("hit\n" * 50)
    out = await call(Grep(), ctx, pattern="hit", output_mode="content", head_limit=10)
    assert len([ln for ln in out.content.splitlines() if ln.startswith("many.txt:")]) == 10
    assert "[40 more lines not shown (10 of 50)" in out.content


async def test_grep_schema_uses_dash_aliases(ctx):
    props = Grep().schema()["input_schema"]["properties"]
    assert {"-i", "-n", "-A", "-B", "-C", "head_limit", "multiline"} <= set(props)


# --- LS ------------------------------------------------------------------------------


async def test_ls_lists_type_and_size_skipping_ignored(tree, ctx):
    out = await call(LS(), ctx, path=".")
    text = out.content
    assert "src/" in text and "top.py" in text and "file 19B" in text
    assert "build" not in text and "debug.log" not in text
    assert "ignored entries skipped" in text


async def test_ls_nested_gitignore_applies(tree, ctx):
    (tree / "src/.gitignore").write_text("c.ts\n")
    out = await call(LS(), ctx, path="src")
    assert "a.py" in out.content and "c.ts" not in out.content


async def test_ls_file_path_is_error(tree, ctx):
    with pytest.raises(ToolError, match="is a file"):
        await call(LS(), ctx, path="top.py")


async def test_ls_missing_is_error(tree, ctx):
    with pytest.raises(ToolError, match="does not exist"):
        await call(LS(), ctx, path="missing")


async def test_ls_caps_entries(project, ctx):
    for i in range(520):
        (project / f"f{i:03}").write_text("")
    out = await call(LS(), ctx, path=".")
    assert "[20 more entries not shown" in out.content
