"""Read: a file's lines numbered like `cat -n`, with offset/limit; binary files, images and
folders are described instead of dumped. Records what was read for stale-read protection."""

from __future__ import annotations

import asyncio
import hashlib
import struct
from pathlib import Path
from typing import Any

from pydantic import Field

from harness.tools._files import (
    BINARY_SNIFF,
    TextFile,
    display_path,
    fingerprint_bytes,
    is_binary,
    resolve_path,
)
from harness.tools.base import (
    BaseTool,
    FileFingerprint,
    ToolContext,
    ToolError,
    ToolInput,
    ToolOutput,
)

DEFAULT_LIMIT = 2000
MAX_LINE_CHARS = 2000
MAX_OUTPUT_CHARS = 100_000
LARGE_FILE = 16 * 1024 * 1024  # above this, stream instead of loading the whole file
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


def split_lines(text: str) -> list[str]:
    """Lines as editors and ripgrep count them: split on "\n" only (str.splitlines would
    also split on form feeds and other separators, shifting every later line number)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def ends_with_newline(fh: Any) -> bool:
    """Whether the file ends with a newline (so no unterminated last line remains)."""
    fh.seek(-1, 2)
    return fh.read(1) == b"\n"


def format_lines(lines: list[str], first: int) -> tuple[str, int]:
    """Number `lines` from `first` (`cat -n` style) → (body, number of the last line shown);
    long lines are cut, and the body stops before MAX_OUTPUT_CHARS."""
    out: list[str] = []
    used = 0
    last = first - 1
    for n, line in enumerate(lines, start=first):
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
    return "\n".join(out), last


class Read(BaseTool[ReadInput]):
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

    async def run(self, input: ReadInput, ctx: ToolContext) -> ToolOutput:
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
            if path.stat().st_size > LARGE_FILE:
                return self._read_large(path, shown, input, ctx)
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

        lines = split_lines(TextFile.decode(data).text)
        offset = input.offset or 1
        limit = input.limit or DEFAULT_LIMIT
        return self._numbered(lines[offset - 1:offset - 1 + limit], offset, len(lines), shown,
                              len(data), meta)

    @staticmethod
    def _numbered(selected: list[str], offset: int, total: int, shown: str, size: int,
                  meta: dict[str, Any]) -> ToolOutput:
        if offset > max(total, 1):
            raise ToolError(
                f"offset {offset} is past the end of {shown}, which has {total} lines; "
                f"use an offset between 1 and {total}"
            )
        body, last = format_lines(selected, offset)
        if last < total:
            body += (
                f"\n\n[truncated: showing lines {offset}-{last} of {total} "
                f"({_human_size(size)}); read more with offset={last + 1}]"
            )
        return ToolOutput(body, metadata=meta)

    def _read_large(self, path: Path, shown: str, input: ReadInput, ctx: ToolContext) -> ToolOutput:
        """Big files are streamed: hashed in chunks, only the wanted lines decoded."""
        offset = input.offset or 1
        limit = input.limit or DEFAULT_LIMIT
        digest = hashlib.sha256()
        wanted: list[bytes] = []
        total = size = 0
        with path.open("rb") as fh:
            head = fh.read(BINARY_SNIFF)
            fh.seek(0)
            kind = IMAGE_SUFFIXES.get(path.suffix.lower())
            binary = kind is not None or is_binary(head)
            current = b""  # the wanted line being assembled from bounded pieces
            while piece := fh.readline(1 << 20):  # bounded: a one-line file never fills memory
                digest.update(piece)
                size += len(piece)
                lineno = total + 1
                if not binary and offset <= lineno < offset + limit and len(current) < (
                    4 * MAX_LINE_CHARS
                ):
                    current += piece
                if piece.endswith(b"\n"):
                    total += 1
                    if current:
                        wanted.append(current if current.endswith(b"\n") else current + b"\n")
                        current = b""
            if size and not ends_with_newline(fh):
                total += 1
                if current:
                    wanted.append(current)
        fp = FileFingerprint(path.stat().st_mtime_ns, size, digest.hexdigest())
        ctx.file_reads[str(path)] = fp
        meta: dict[str, Any] = {"file_reads": {str(path): fp.to_json()}}
        if binary:
            what = f"a {kind} image" if kind else "a binary file"
            return ToolOutput(f"{shown} is {what} ({_human_size(size)}); its content is not "
                              "shown.", metadata=meta)
        selected = split_lines(TextFile.decode(b"".join(wanted)).text)
        return self._numbered(selected, offset, total, shown, size, meta)
