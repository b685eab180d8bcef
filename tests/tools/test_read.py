from __future__ import annotations

import hashlib
import struct
import zlib

import pytest

from harness.tools.base import ToolError
from harness.tools.read import Read


async def read(ctx, **kw):
    tool = Read()
    return await tool.run(tool.parse(kw), ctx)


async def test_read_numbers_lines_like_cat_n(project, ctx):
    (project / "a.txt").write_text("alpha\nbeta\n")
    out = await read(ctx, file_path="a.txt")
    assert out.content == "     1\talpha\n     2\tbeta"


async def test_read_records_fingerprint_in_ctx_and_metadata(project, ctx):
    data = b"hello\n"
    (project / "a.txt").write_bytes(data)
    out = await read(ctx, file_path=str(project / "a.txt"))
    key = str(project / "a.txt")
    fp = ctx.file_reads[key]
    assert fp.sha256 == hashlib.sha256(data).hexdigest() and fp.size == 6
    assert out.metadata["file_reads"][key] == fp.to_json()


async def test_read_offset_and_limit_select_lines(project, ctx):
    (project / "a.txt").write_text("".join(f"line{i}\n" for i in range(1, 11)))
    out = await read(ctx, file_path="a.txt", offset=4, limit=2)
    assert out.content.startswith("     4\tline4\n     5\tline5")
    assert "read more with offset=6" in out.content


async def test_read_big_file_truncated_with_marker_saying_how_to_continue(project, ctx):
    (project / "big.txt").write_text("".join(f"{i}\n" for i in range(5000)))
    out = await read(ctx, file_path="big.txt")
    assert "  2000\t1999" in out.content and "  2001\t" not in out.content
    assert "showing lines 1-2000 of 5000 (23.3 KB); read more with offset=2001" in out.content


async def test_read_long_line_truncated_with_marker(project, ctx):
    (project / "min.js").write_text("x" * 5000 + "\n")
    out = await read(ctx, file_path="min.js")
    assert "[line truncated: 5000 characters, 2000 shown]" in out.content
    assert len(out.content) < 2200


async def test_read_missing_file_is_tool_error_with_hint(project, ctx):
    (project / "main.rs").write_text("fn main(){}")
    with pytest.raises(ToolError, match=r"main\.py does not exist.*main\.rs.*Glob"):
        await read(ctx, file_path="main.py")


async def test_read_directory_refused_with_ls_hint(project, ctx):
    (project / "src").mkdir()
    with pytest.raises(ToolError, match=r"is a directory.*LS.*Glob"):
        await read(ctx, file_path="src")


async def test_read_binary_file_is_described_not_dumped(project, ctx):
    (project / "blob.bin").write_bytes(b"\x00\x01\x02garbage" * 100)
    out = await read(ctx, file_path="blob.bin")
    assert "binary file" in out.content and "garbage" not in out.content
    assert str(project / "blob.bin") in ctx.file_reads


def _png(w: int, h: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))


async def test_read_png_reports_dimensions(project, ctx):
    (project / "logo.png").write_bytes(_png(640, 480))
    out = await read(ctx, file_path="logo.png")
    assert "PNG image (640×480 pixels" in out.content
    assert out.metadata["image"]["width"] == 640


async def test_read_gif_and_jpeg_dimensions(project, ctx):
    (project / "a.gif").write_bytes(b"GIF89a" + struct.pack("<HH", 12, 34) + b"\x00" * 20)
    jpeg = (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 200, 300) + b"\x00" * 20)
    (project / "b.jpg").write_bytes(jpeg)
    assert "12×34" in (await read(ctx, file_path="a.gif")).content
    assert "300×200" in (await read(ctx, file_path="b.jpg")).content


async def test_read_empty_file_says_empty(project, ctx):
    (project / "e.txt").write_bytes(b"")
    assert "is empty" in (await read(ctx, file_path="e.txt")).content


async def test_read_offset_past_end_is_error(project, ctx):
    (project / "a.txt").write_text("one\n")
    with pytest.raises(ToolError, match="past the end"):
        await read(ctx, file_path="a.txt", offset=10)


async def test_read_latin1_file_decodes(project, ctx):
    (project / "l.txt").write_bytes("café\n".encode("latin-1"))
    assert "café" in (await read(ctx, file_path="l.txt")).content


async def test_read_unknown_field_is_tool_error():
    with pytest.raises(ToolError, match="invalid input for Read"):
        Read().parse({"file_path": "a", "bogus": 1})


async def test_read_counts_lines_like_editors_not_splitlines(project, ctx):
    (project / "ff.py").write_text("a\n\x0cb\nc\n")  # a form feed does not start a line
    out = await read(ctx, file_path="ff.py")
    assert out.content.splitlines()[-1] == "     3\tc"


async def test_read_crlf_file_shows_clean_lines(project, ctx):
    (project / "w.txt").write_bytes(b"one\r\ntwo\r\n")
    assert (await read(ctx, file_path="w.txt")).content == "     1\tone\n     2\ttwo"


@pytest.mark.parametrize("large", [False, True])
async def test_read_large_file_streamed_gives_same_result(project, ctx, monkeypatch, large):
    import harness.tools.read as read_mod

    if large:
        monkeypatch.setattr(read_mod, "LARGE_FILE", 10)
    data = "".join(f"line {i}\n" for i in range(1, 3001)) + "x" * 3000 + "\nlast"
    (project / "big.log").write_text(data)
    out = await read(ctx, file_path="big.log", offset=2999, limit=5)
    rows = out.content.split("\n\n")[0].splitlines()
    assert rows[0] == "  2999\tline 2999" and rows[1] == "  3000\tline 3000"
    assert rows[2].startswith("  3001\txxx") and "line truncated" in rows[2]
    assert rows[3] == "  3002\tlast" and len(rows) == 4
    fp = ctx.file_reads[str(project / "big.log")]
    assert fp.sha256 == hashlib.sha256(data.encode()).hexdigest() and fp.size == len(data)
    first = await read(ctx, file_path="big.log", limit=2)
    assert "showing lines 1-2 of 3002" in first.content


async def test_read_large_binary_file_streamed(project, ctx, monkeypatch):
    import harness.tools.read as read_mod

    monkeypatch.setattr(read_mod, "LARGE_FILE", 10)
    (project / "blob.bin").write_bytes(b"\x00" * 5000)
    out = await read(ctx, file_path="blob.bin")
    assert "binary file" in out.content and ctx.file_reads[str(project / "blob.bin")].size == 5000
