"""Edit: replace an exact string in a file. The string must occur once (or `replace_all`);
the file must have been read in its current version; line endings and encoding are kept."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from harness.tools._files import (
    TextFile,
    check_fresh,
    display_path,
    record_write,
    resolve_path,
    take_snapshot,
    unified_diff,
    write_atomic,
)
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput


class EditSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old_string: str = Field(description="Exact text to replace, including indentation.")
    new_string: str = Field(description="The text to put in its place.")
    replace_all: bool = Field(default=False, description="Replace every occurrence.")


class EditInput(ToolInput):
    file_path: str = Field(description="Absolute path, or relative to the project root.")
    old_string: str = Field(description="Exact text to replace, including indentation.")
    new_string: str = Field(description="The text to put in its place.")
    replace_all: bool = Field(default=False, description="Replace every occurrence.")


def apply_edits(text: str, edits: Sequence[EditSpec], shown: str) -> str:
    """Apply edits in order to `text`; a ToolError names the first edit that cannot apply."""
    many = len(edits) > 1
    for i, edit in enumerate(edits, start=1):
        which = f"edit {i}: " if many else ""
        old = edit.old_string.replace("\r\n", "\n")
        new = edit.new_string.replace("\r\n", "\n")
        if old == "":
            if text == "" and i == 1:  # filling an empty file
                text = new
                continue
            raise ToolError(
                f"{which}old_string is empty; give the exact text to replace "
                "(use Write to replace a whole file)"
            )
        if old == new:
            raise ToolError(f"{which}old_string and new_string are the same; nothing would change")
        count = text.count(old)
        if count == 0:
            hint = ""
            if re.match(r"\s*\d+\t", old):
                hint = " (it starts with a line number: drop the `N<tab>` prefix Read shows)"
            elif old.strip() and text.count(old.strip()) > 0:
                hint = " (it does occur with different leading/trailing whitespace)"
            raise ToolError(
                f"{which}old_string was not found in {shown}{hint}; Read the file again and "
                "copy the exact text, including indentation"
            )
        if count > 1 and not edit.replace_all:
            raise ToolError(
                f"{which}old_string occurs {count} times in {shown}; include more surrounding "
                "lines to make it unique, or set replace_all to change all of them"
            )
        text = text.replace(old, new) if edit.replace_all else text.replace(old, new, 1)
    return text


class FileChange:
    """A checked, computed change to one file: what both Edit and MultiEdit write."""

    def __init__(self, path: Path, fmt: TextFile, new_text: str, ctx: ToolContext) -> None:
        self.path, self.fmt, self.new_text = path, fmt, new_text
        self.data = fmt.encode(new_text)
        self.diff = unified_diff(fmt.text, new_text, display_path(path, ctx))

    @classmethod
    def plan(cls, raw_path: str, edits: Sequence[EditSpec], ctx: ToolContext) -> FileChange:
        path = resolve_path(raw_path, ctx)
        shown = display_path(path, ctx)
        data = check_fresh(path, ctx)
        if data is None:
            raise ToolError(
                f"{shown} does not exist; use Write to create a new file, or Glob to find the "
                "right path"
            )
        if b"\x00" in data[:8192]:
            raise ToolError(f"{shown} is a binary file; Edit only changes text files")
        fmt = TextFile.decode(data)
        return cls(path, fmt, apply_edits(fmt.text, edits, shown), ctx)

    async def write(self, ctx: ToolContext) -> dict[str, dict]:
        await take_snapshot(self.path, ctx)
        try:
            await asyncio.to_thread(write_atomic, self.path, self.data)
        except OSError as exc:
            raise ToolError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        return record_write(self.path, self.data, ctx)


class Edit(BaseTool[EditInput]):
    name = "Edit"
    description = (
        "Replace an exact string in a file you have read. old_string must match the file "
        "exactly (indentation included, without the line-number prefix Read shows) and occur "
        "once, unless replace_all is set. Line endings and encoding are kept."
    )
    Input = EditInput
    category = "write"

    @staticmethod
    def _edits(input: EditInput) -> list[EditSpec]:
        return [EditSpec(old_string=input.old_string, new_string=input.new_string,
                         replace_all=input.replace_all)]

    async def preview(self, input: EditInput, ctx: ToolContext) -> str:
        try:
            change = await asyncio.to_thread(FileChange.plan, input.file_path, self._edits(input),
                                             ctx)
        except ToolError as exc:
            return f"(cannot preview: {exc})"
        return change.diff

    async def revalidate(self, input: EditInput, ctx: ToolContext) -> None:
        await asyncio.to_thread(FileChange.plan, input.file_path, self._edits(input), ctx)

    async def run(self, input: EditInput, ctx: ToolContext) -> ToolOutput:
        change = await asyncio.to_thread(FileChange.plan, input.file_path, self._edits(input), ctx)
        reads = await change.write(ctx)
        count = change.fmt.text.count(input.old_string.replace("\r\n", "\n"))
        what = f"{count} occurrences" if input.replace_all and count > 1 else "1 occurrence"
        return ToolOutput(
            f"Edited {display_path(change.path, ctx)}: replaced {what}.",
            metadata={"diff": change.diff, "file_reads": reads},
        )
