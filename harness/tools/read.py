"""Read: a file's lines numbered like `cat -n`, with offset/limit; binary files, images and
folders are described instead of dumped. Records what was read for stale-read protection."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path
from typing import Any

from pydantic import Field

from harness.tools._files import (
    TextFile,
    display_path,
    fingerprint_bytes,
    is_binary,
    resolve_path,
)
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

DEFAULT_LIMIT = 2000
MAX_LINE_CHARS = 2000
MAX_OUTPUT_CHARS = 100_000
IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP"}


class ReadInput(ToolInput):
    file_path: str = Field(description="Absolute path, or relative to the project root.")
    offset: int | None = Field(
        default=None, ge=1, description="First line to show (1-based). Default: 1."
    )
    limit: int | None = Field(
        default=None, ge=1, description=f"Number of lines to show. Default: {DEFAULT_LIMIT}."
    )


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header of a PNG, GIF, JPEG or WebP; None if unknown."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            chunk = data[12:16]
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return w & 0x3FFF, h & 0x3FFF
            if chunk == b"VP8L":
                bits = int.from_bytes(data[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
            if chunk == b"VP8X":
                w = int.from_bytes(data[24:27], "little") + 1
                h = int.from_bytes(data[27:30], "little") + 1
                return w, h
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                length = struct.unpack(">H", data[i + 2:i + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    h, w = struct.unpack(">HH", data[i + 5:i + 9])
                    return w, h
                i += 2 + length
    except struct.error:
        return None
    return None


def _human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def format_lines(text: str, offset: int, limit: int) -> tuple[str, int, int, int]:
    """Numbered lines [offset, offset+limit) → (body, first shown, last shown, total lines)."""
    lines = text.splitlines()
    total = len(lines)
    start = offset - 1
    out: list[str] = []
    used = 0
    last = start
    for n, line in enumerate(lines[start:start + limit], start=offset):
        if len(line) > MAX_LINE_CHARS:
            line = (
                line[:MAX_LINE_CHARS]
                + f" … [line truncated: {len(line)} characters, {MAX_LINE_CHARS} shown]"
            )
        row = f"{n:>6}\t{line}"
        if used + len(row) > MAX_OUTPUT_CHARS and out:
            break
        out.append(row)
        used += len(row) + 1
        last = n
    return "\n".join(out), offset, last, total


class Read(BaseTool):
    name = "Read"
    description = (
        "Read a text file. Lines come numbered (`cat -n` style: number, tab, content). "
        f"Shows up to {DEFAULT_LIMIT} lines from `offset`; use `offset`/`limit` for longer "
        "files. Binary files and images are described, not dumped; for folders use LS or Glob. "
        "Read a file before editing or overwriting it."
    )
    Input = ReadInput
    category = "read"
    concurrent_safe = True

    async def run(self, input: ReadInput, ctx: ToolContext) -> ToolOutput:  # type: ignore[override]
        path = resolve_path(input.file_path, ctx)
        return await asyncio.to_thread(self._read, path, input, ctx)

    def _read(self, path: Path, input: ReadInput, ctx: ToolContext) -> ToolOutput:
        shown = display_path(path, ctx)
        if not path.exists():
            hint = ""
            parent = path.parent
            if parent.is_dir():
                similar = sorted(p.name for p in parent.iterdir() if p.stem == path.stem)[:5]
                if similar:
                    hint = f" Files with a similar name there: {', '.join(similar)}."
            raise ToolError(f"{shown} does not exist.{hint} Use Glob to find the file.")
        if path.is_dir():
            raise ToolError(
                f"{shown} is a directory, not a file: use LS to list it or Glob to find files in it"
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ToolError(f"cannot read {shown}: {exc.strerror or exc}") from None
        fp = fingerprint_bytes(path, data)
        ctx.file_reads[str(path)] = fp
        meta: dict[str, Any] = {"file_reads": {str(path): fp.to_json()}}

        kind = IMAGE_SUFFIXES.get(path.suffix.lower())
        if kind is not None:
            dims = image_size(data)
            size = f"{dims[0]}×{dims[1]} pixels, " if dims else ""
            meta["image"] = {"format": kind, "width": dims[0] if dims else None,
                             "height": dims[1] if dims else None, "bytes": len(data)}
            return ToolOutput(
                f"{shown} is a {kind} image ({size}{_human_size(len(data))}); "
                "its pixels are not shown as text.",
                metadata=meta,
            )
        if is_binary(data):
            return ToolOutput(
                f"{shown} is a binary file ({_human_size(len(data))}); its content is not shown. "
                "Use Bash (e.g. `file`, `xxd | head`) if you need to inspect it.",
                metadata=meta,
            )
        if not data:
            return ToolOutput(f"{shown} is empty (0 bytes).", metadata=meta)

        text = TextFile.decode(data).text
        offset = input.offset or 1
        limit = input.limit or DEFAULT_LIMIT
        body, first, last, total = format_lines(text, offset, limit)
        if offset > max(total, 1):
            raise ToolError(
                f"offset {offset} is past the end of {shown}, which has {total} lines; "
                f"use an offset between 1 and {total}"
            )
        if last < total:
            body += (
                f"\n\n[truncated: showing lines {first}-{last} of {total}; "
                f"read more with offset={last + 1}]"
            )
        return ToolOutput(body, metadata=meta)
