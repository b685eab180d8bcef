"""Write: create a file or replace its whole content. An existing file must have been read
(in its current version) first; its line endings, encoding and BOM are kept."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import Field

from harness.tools._files import (
    NEW_FILE,
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


class WriteInput(ToolInput):
    file_path: str = Field(description="Absolute path, or relative to the project root.")
    content: str = Field(description="The complete new content of the file.")


class Write(BaseTool[WriteInput]):
    name = "Write"
    description = (
        "Create a file, or replace the whole content of an existing one (read it first). "
        "Parent folders are created. Prefer Edit for changes to part of a file."
    )
    Input = WriteInput
    category = "write"

    def _plan(self, input: WriteInput, ctx: ToolContext) -> tuple[Path, bytes | None, bytes, str]:
        path = resolve_path(input.file_path, ctx)
        old = check_fresh(path, ctx)
        fmt = TextFile.decode(old) if old is not None else NEW_FILE
        new = fmt.encode(input.content)
        diff = unified_diff(fmt.text, input.content.replace("\r\n", "\n") if fmt.crlf
                            else input.content, display_path(path, ctx), existed=old is not None)
        return path, old, new, diff

    async def preview(self, input: WriteInput, ctx: ToolContext) -> str:
        try:
            return (await asyncio.to_thread(self._plan, input, ctx))[3]
        except ToolError as exc:
            return f"(cannot preview: {exc})"

    async def revalidate(self, input: WriteInput, ctx: ToolContext) -> None:
        await asyncio.to_thread(self._plan, input, ctx)

    async def run(self, input: WriteInput, ctx: ToolContext) -> ToolOutput:
        path, old, new, diff = await asyncio.to_thread(self._plan, input, ctx)
        await take_snapshot(path, ctx)
        try:
            await asyncio.to_thread(write_atomic, path, new)
        except OSError as exc:
            raise ToolError(
                f"cannot write {path}: {exc.strerror or exc}; check the folder exists and "
                "is writable"
            ) from None
        reads = record_write(path, new, ctx)
        shown = display_path(path, ctx)
        lines = input.content.count("\n") + (0 if input.content.endswith("\n") else 1)
        verb = "Updated" if old is not None else "Created"
        return ToolOutput(
            f"{verb} {shown} ({lines} lines, {len(new)} bytes).",
            metadata={"diff": diff, "file_reads": reads},
        )
