from __future__ import annotations

import os

import pytest

from harness.tools.base import ToolError
from harness.tools.edit import Edit
from harness.tools.multiedit import MultiEdit
from harness.tools.read import Read
from harness.tools.write import Write


async def call(tool, ctx, **kw):
    return await tool.run(tool.parse(kw), ctx)


async def read(ctx, path):
    return await call(Read(), ctx, file_path=str(path))


# --- Write ---------------------------------------------------------------------------


async def test_write_creates_new_file_with_parents_and_diff(project, ctx):
    out = await call(Write(), ctx, file_path="src/new.py", content="print(1)\n")
    assert (project / "src/new.py").read_text() == "print(1)\n"
    assert out.metadata["diff"].startswith("--- /dev/null\n+++ b/src/new.py")
    assert str(project / "src/new.py") in ctx.file_reads  # a later Edit needs no re-read


async def test_write_existing_file_never_read_fails(project, ctx):
    (project / "a.txt").write_text("old\n")
    with pytest.raises(ToolError, match=r"has not been read.*read it first"):
        await call(Write(), ctx, file_path="a.txt", content="new\n")
    assert (project / "a.txt").read_text() == "old\n"


async def test_write_after_read_replaces_content(project, ctx):
    (project / "a.txt").write_text("old\n")
    await read(ctx, project / "a.txt")
    out = await call(Write(), ctx, file_path="a.txt", content="new\n")
    assert (project / "a.txt").read_text() == "new\n"
    assert "-old\n+new\n" in out.metadata["diff"]
    assert out.content.startswith("Updated a.txt")


async def test_write_changed_since_read_fails(project, ctx):
    (project / "a.txt").write_text("old\n")
    await read(ctx, project / "a.txt")
    (project / "a.txt").write_text("someone else\n")
    with pytest.raises(ToolError, match="changed since read — read it again"):
        await call(Write(), ctx, file_path="a.txt", content="new\n")


async def test_write_keeps_crlf_and_bom_of_existing_file(project, ctx):
    p = project / "w.txt"
    p.write_bytes(b"\xef\xbb\xbfone\r\ntwo\r\n")
    await read(ctx, p)
    await call(Write(), ctx, file_path="w.txt", content="uno\ndos\n")
    assert p.read_bytes() == b"\xef\xbb\xbfuno\r\ndos\r\n"


async def test_write_preview_shows_diff_without_writing(project, ctx):
    p = project / "a.txt"
    p.write_text("old\n")
    await read(ctx, p)
    tool = Write()
    preview = await tool.preview(tool.parse({"file_path": "a.txt", "content": "new\n"}), ctx)
    assert "-old\n+new" in preview and p.read_text() == "old\n"


async def test_write_keeps_file_mode(project, ctx):
    p = project / "run.sh"
    p.write_text("#!/bin/sh\n")
    p.chmod(0o755)
    await read(ctx, p)
    await call(Write(), ctx, file_path="run.sh", content="#!/bin/sh\necho hi\n")
    assert os.stat(p).st_mode & 0o777 == 0o755


# --- Edit ----------------------------------------------------------------------------


async def test_edit_replaces_unique_string_and_returns_diff(project, ctx):
    p = project / "m.py"
    p.write_text("def f():\n    return 1\n")
    await read(ctx, p)
    out = await call(Edit(), ctx, file_path="m.py", old_string="return 1", new_string="return 2")
    assert p.read_text() == "def f():\n    return 2\n"
    assert "-    return 1\n+    return 2" in out.metadata["diff"]
    assert out.metadata["file_reads"][str(p)]["size"] == p.stat().st_size


async def test_edit_missing_string_fails_with_hint(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\n")
    await read(ctx, p)
    with pytest.raises(ToolError, match=r"old_string was not found in m.py"):
        await call(Edit(), ctx, file_path="m.py", old_string="b = 1", new_string="b = 2")


async def test_edit_with_line_number_prefix_gets_a_hint(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\n")
    await read(ctx, p)
    with pytest.raises(ToolError, match="drop the `N<tab>` prefix"):
        await call(Edit(), ctx, file_path="m.py", old_string="     1\ta = 1", new_string="a = 2")


async def test_edit_not_unique_fails_and_says_how_many(project, ctx):
    p = project / "m.py"
    p.write_text("x = 1\nx = 1\nx = 1\n")
    await read(ctx, p)
    with pytest.raises(ToolError, match=r"occurs 3 times.*replace_all"):
        await call(Edit(), ctx, file_path="m.py", old_string="x = 1", new_string="x = 2")
    assert p.read_text() == "x = 1\nx = 1\nx = 1\n"


async def test_edit_replace_all_changes_every_occurrence(project, ctx):
    p = project / "m.py"
    p.write_text("x = 1\nx = 1\n")
    await read(ctx, p)
    out = await call(Edit(), ctx, file_path="m.py", old_string="x = 1", new_string="y = 1",
                     replace_all=True)
    assert p.read_text() == "y = 1\ny = 1\n" and "2 occurrences" in out.content


async def test_edit_missing_file_fails_pointing_to_write(project, ctx):
    with pytest.raises(ToolError, match="does not exist; use Write"):
        await call(Edit(), ctx, file_path="nope.py", old_string="a", new_string="b")


async def test_edit_never_read_fails(project, ctx):
    (project / "m.py").write_text("a\n")
    with pytest.raises(ToolError, match="read it first"):
        await call(Edit(), ctx, file_path="m.py", old_string="a", new_string="b")


async def test_edit_changed_since_read_fails_in_run_and_revalidate(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\n")
    await read(ctx, p)
    p.write_text("a = 1\nb = 2\n")
    tool = Edit()
    inp = tool.parse({"file_path": "m.py", "old_string": "a = 1", "new_string": "a = 3"})
    with pytest.raises(ToolError, match="changed since read"):
        await tool.revalidate(inp, ctx)
    with pytest.raises(ToolError, match="changed since read"):
        await tool.run(inp, ctx)


async def test_edit_touch_without_content_change_still_allowed(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\n")
    await read(ctx, p)
    os.utime(p, ns=(1, 1))
    await call(Edit(), ctx, file_path="m.py", old_string="a = 1", new_string="a = 2")
    assert p.read_text() == "a = 2\n"


async def test_edit_second_edit_without_reread_is_allowed(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\nb = 1\n")
    await read(ctx, p)
    await call(Edit(), ctx, file_path="m.py", old_string="a = 1", new_string="a = 2")
    await call(Edit(), ctx, file_path="m.py", old_string="b = 1", new_string="b = 2")
    assert p.read_text() == "a = 2\nb = 2\n"


async def test_edit_keeps_crlf_line_endings(project, ctx):
    p = project / "win.txt"
    p.write_bytes(b"first\r\nsecond\r\nthird\r\n")
    await read(ctx, p)
    await call(Edit(), ctx, file_path="win.txt", old_string="first\nsecond",
               new_string="one\ntwo\nthree")
    assert p.read_bytes() == b"one\r\ntwo\r\nthree\r\nthird\r\n"


async def test_edit_keeps_utf8_bom(project, ctx):
    p = project / "bom.cs"
    p.write_bytes(b"\xef\xbb\xbfclass A {}\n")
    await read(ctx, p)
    await call(Edit(), ctx, file_path="bom.cs", old_string="A", new_string="Bé")
    assert p.read_bytes() == b"\xef\xbb\xbf" + "class Bé {}\n".encode()


async def test_edit_keeps_latin1_encoding(project, ctx):
    p = project / "old.txt"
    p.write_bytes("naïve café\n".encode("latin-1"))
    await read(ctx, p)
    await call(Edit(), ctx, file_path="old.txt", old_string="café", new_string="crème")
    assert p.read_bytes() == "naïve crème\n".encode("latin-1")


async def test_edit_binary_file_refused(project, ctx):
    p = project / "b.bin"
    p.write_bytes(b"ab\x00cd")
    await read(ctx, p)
    with pytest.raises(ToolError, match="binary"):
        await call(Edit(), ctx, file_path="b.bin", old_string="ab", new_string="xy")


async def test_edit_calls_snapshot_before_changing_file(project, ctx):
    p = project / "m.py"
    p.write_text("a\n")
    await read(ctx, p)
    seen = []

    async def snap(path):
        seen.append((path, path.read_text()))

    ctx.snapshot = snap
    await call(Edit(), ctx, file_path="m.py", old_string="a", new_string="b")
    assert seen == [(p, "a\n")]


async def test_edit_preview_is_unified_diff(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\n")
    await read(ctx, p)
    tool = Edit()
    prev = await tool.preview(
        tool.parse({"file_path": "m.py", "old_string": "1", "new_string": "2"}), ctx)
    assert prev.startswith("--- a/m.py\n+++ b/m.py\n@@") and "+a = 2" in prev


# --- MultiEdit -----------------------------------------------------------------------


async def test_multiedit_applies_edits_in_order(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\nb = 2\n")
    await read(ctx, p)
    out = await call(MultiEdit(), ctx, file_path="m.py", edits=[
        {"old_string": "a = 1", "new_string": "a = 10"},
        {"old_string": "a = 10\nb", "new_string": "a = 11\nc"},
    ])
    assert p.read_text() == "a = 11\nc = 2\n" and "applied 2 edits" in out.content
    assert "+a = 11" in out.metadata["diff"]


async def test_multiedit_is_all_or_nothing(project, ctx):
    p = project / "m.py"
    p.write_text("a = 1\nb = 2\n")
    await read(ctx, p)
    with pytest.raises(ToolError, match="edit 2: old_string was not found"):
        await call(MultiEdit(), ctx, file_path="m.py", edits=[
            {"old_string": "a = 1", "new_string": "a = 10"},
            {"old_string": "zzz", "new_string": "y"},
        ])
    assert p.read_text() == "a = 1\nb = 2\n"


async def test_multiedit_requires_at_least_one_edit(project, ctx):
    with pytest.raises(ToolError, match="edits"):
        MultiEdit().parse({"file_path": "m.py", "edits": []})
