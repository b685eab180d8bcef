"""File plumbing shared by Read, Write, Edit and MultiEdit: paths, fingerprints, encodings,
line endings, diffs, the stale-read check and atomic writes."""

from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness.tools.base import FileFingerprint, ToolContext, ToolError

BOM = b"\xef\xbb\xbf"
BINARY_SNIFF = 8192


def resolve_path(raw: str, ctx: ToolContext) -> Path:
    """Absolute path of `raw` (absolute, `~`, or relative to the project root), symlinks
    and `..` resolved so that the same file always has the same key in `ctx.file_reads`."""
    if not raw or not raw.strip():
        raise ToolError("file_path is empty: give an absolute path or one relative to the project")
    if "\x00" in raw:
        raise ToolError("file_path contains a NUL character; give a plain path")
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute():
        path = ctx.project_root / path
    return path.resolve()


def display_path(path: Path, ctx: ToolContext) -> str:
    """Project-relative when inside the project (shorter for the model), else absolute."""
    try:
        return str(path.relative_to(ctx.project_root.resolve()))
    except ValueError:
        return str(path)


def fingerprint_bytes(path: Path, data: bytes) -> FileFingerprint:
    st = path.stat()
    return FileFingerprint(st.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def is_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_SNIFF]


@dataclass(slots=True)
class TextFile:
    """A decoded text file and how to write it back the same way."""

    text: str  # line endings normalised to "\n" when the file is CRLF throughout
    encoding: str  # "utf-8" or "latin-1"
    bom: bool
    crlf: bool

    @classmethod
    def decode(cls, data: bytes) -> TextFile:
        bom = data.startswith(BOM)
        body = data[len(BOM):] if bom else data
        try:
            text, encoding = body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # latin-1 decodes any byte sequence, so legacy files round-trip byte for byte
            text, encoding = body.decode("latin-1"), "latin-1"
        crlf = "\r\n" in text and "\n" not in text.replace("\r\n", "")
        if crlf:
            text = text.replace("\r\n", "\n")
        return cls(text, encoding, bom, crlf)

    def encode(self, text: str) -> bytes:
        """`text` (with "\n" endings) in this file's line endings, encoding and BOM."""
        if self.crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        encoding = self.encoding
        if encoding == "latin-1":
            try:
                body = text.encode("latin-1")
            except UnicodeEncodeError:
                body = text.encode("utf-8")  # new characters latin-1 cannot hold
        else:
            body = text.encode(encoding)
        return (BOM if self.bom else b"") + body


NEW_FILE = TextFile("", "utf-8", False, False)


def unified_diff(old: str, new: str, name: str, *, existed: bool = True) -> str:
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{name}" if existed else "/dev/null",
        tofile=f"b/{name}",
    )
    lines = []
    for line in diff:
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def check_fresh(path: Path, ctx: ToolContext) -> bytes | None:
    """The file's current bytes (None when it does not exist), or a ToolError when the
    model has not read this version of it. Content (size + sha256) decides, not mtime
    alone, so a `touch` does not force a re-read."""
    if not path.exists():
        return None
    if path.is_dir():
        raise ToolError(f"{path} is a directory, not a file; give the path of a file inside it")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from None
    seen = ctx.file_reads.get(str(path))
    if seen is None:
        raise ToolError(
            f"{path} exists but has not been read in this session — read it first with Read, "
            "then make the change"
        )
    if seen.size != len(data) or seen.sha256 != hashlib.sha256(data).hexdigest():
        raise ToolError(
            f"{path} changed since read — read it again with Read, then redo the change "
            "against its current content"
        )
    return data


async def take_snapshot(path: Path, ctx: ToolContext) -> None:
    """Save the file's prior content for rewind (the agent dedupes per turn)."""
    if ctx.snapshot is not None:
        await ctx.snapshot(path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file + rename so a crash never leaves half a file; keeps the mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def record_write(path: Path, data: bytes, ctx: ToolContext) -> dict[str, dict]:
    """After a write the model knows the new content: remember it as read."""
    fp = fingerprint_bytes(path, data)
    ctx.file_reads[str(path)] = fp
    return {str(path): fp.to_json()}
