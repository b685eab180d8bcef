"""MultiEdit: several exact-string edits to one file, applied in order, all or nothing."""

from __future__ import annotations

import asyncio

from pydantic import Field

from harness.tools._files import display_path
from harness.tools._schema import inline_refs
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput
from harness.tools.edit import EditSpec, FileChange


class MultiEditInput(ToolInput):
    file_path: str = Field(description="Absolute path, or relative to the project root.")
    edits: list[EditSpec] = Field(
        min_length=1,
        description="Edits applied in order, each to the result of the previous one. If any "
        "edit cannot apply, none is written.",
    )


class MultiEdit(BaseTool[MultiEditInput]):
    name = "MultiEdit"
    description = (
        "Make several exact-string edits to one file you have read, in order, in one step. "
        "Each edit follows Edit's rules and sees the result of the previous ones; if any edit "
        "fails the file is left unchanged."
    )
    Input = MultiEditInput
    category = "write"

    def schema(self) -> dict:
        return inline_refs(super().schema())

    async def preview(self, input: MultiEditInput, ctx: ToolContext) -> str:
        try:
            change = await asyncio.to_thread(FileChange.plan, input.file_path, input.edits, ctx)
        except ToolError as exc:
            return f"(cannot preview: {exc})"
        return change.diff

    async def revalidate(self, input: MultiEditInput, ctx: ToolContext) -> None:
        await asyncio.to_thread(FileChange.plan, input.file_path, input.edits, ctx)

    async def run(self, input: MultiEditInput, ctx: ToolContext) -> ToolOutput:
        # Every edit is applied in memory first; only a fully successful result is written.
        change = await asyncio.to_thread(FileChange.plan, input.file_path, input.edits, ctx)
        reads = await change.write(ctx)
        return ToolOutput(
            f"Edited {display_path(change.path, ctx)}: applied {len(input.edits)} edits.",
            metadata={"diff": change.diff, "file_reads": reads},
        )
