"""Glob: files whose path matches a glob pattern, newest first, skipping what .gitignore
ignores. Listing is done by ripgrep (`rg --files`), which is fast on large trees."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field

from harness.tools._files import display_path, resolve_path
from harness.tools._hidden import hidden_filter, skipped_note
from harness.tools._rg import COMMON_ARGS, MAX_SCANNED, rg_newest_first
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

MAX_RESULTS = 200
GLOB_CHARS = set("*?[{")


class GlobInput(ToolInput):
    pattern: str = Field(
        description="Glob relative to `path`: `*` stays within one folder, `**` crosses "
        "folders, e.g. `**/*.py`, `src/**/test_*.ts`, `*.{json,toml}`."
    )
    path: str | None = Field(
        default=None, description="Folder to search in. Default: the project root."
    )


def split_absolute(pattern: str) -> tuple[str | None, str]:
    """`/abs/dir/**/*.py` → ("/abs/dir", "**/*.py"): the fixed prefix becomes the base."""
    if not os.path.isabs(pattern):
        return None, pattern
    parts = Path(pattern).parts
    for i, part in enumerate(parts):
        if GLOB_CHARS & set(part):
            return str(Path(*parts[:i])), "/".join(parts[i:])
    return str(Path(*parts[:-1])), parts[-1]


def anchored(pattern: str) -> str:
    """Standard glob meaning in gitignore syntax: the pattern matches from the base folder."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    if pattern.startswith("**/") or pattern.startswith("/"):
        return pattern
    return "/" + pattern


class Glob(BaseTool[GlobInput]):
    name = "Glob"
    description = (
        "Find files by name pattern (e.g. `**/*.py`, `src/**/*.ts`). Returns paths newest "
        f"first, at most {MAX_RESULTS}; files ignored by .gitignore are skipped. Use Grep to "
        "search file contents."
    )
    Input = GlobInput
    category = "read"
    concurrent_safe = True

    async def run(self, input: GlobInput, ctx: ToolContext) -> ToolOutput:
        base_raw, pattern = split_absolute(input.pattern)
        if base_raw is not None and input.path is None:
            base = resolve_path(base_raw, ctx)
        else:
            base = resolve_path(input.path, ctx) if input.path else ctx.project_root.resolve()
        if not pattern:
            raise ToolError("pattern is empty; give a glob such as `**/*.py`")
        if not base.exists():
            raise ToolError(f"{display_path(base, ctx)} does not exist; give an existing folder")
        if not base.is_dir():
            raise ToolError(f"{display_path(base, ctx)} is a file; `path` must be a folder")
        args = ["--files", *COMMON_ARGS, "--glob", anchored(pattern)]
        # Every match comes back (the sort stats them all anyway), so what the rules keep
        # out can be dropped before the cap and still be counted and named.
        rels, total, code, stderr = await rg_newest_first(args, base, MAX_SCANNED)
        if code not in (0, 1):
            raise ToolError(f"invalid glob {input.pattern!r}: {stderr or 'rg failed'}")
        hidden = hidden_filter(ctx, self.name)
        folder = str(base)
        skipped = [rel for rel in rels if hidden(os.path.join(folder, rel)) is not None]
        if skipped:
            gone = set(skipped)
            rels = [rel for rel in rels if rel not in gone]
            total -= len(skipped)
        shown_base = display_path(base, ctx)
        prefix = "" if base == ctx.project_root.resolve() else str(base)
        if prefix and not os.path.isabs(shown_base):
            prefix = shown_base
        note = skipped_note([os.path.join(prefix, rel) if prefix else rel for rel in skipped])
        if not rels:
            return ToolOutput(f"No files match {input.pattern!r} in {shown_base}.{note}",
                              metadata={"count": 0, "skipped": len(skipped)})
        paths = [os.path.join(prefix, rel) if prefix else rel for rel in rels[:MAX_RESULTS]]
        body = "\n".join(paths[:MAX_RESULTS])
        dropped = total - len(paths)
        if dropped > 0:
            body += (
                f"\n\n[{dropped} more matching files not shown (newest {MAX_RESULTS} listed); "
                "narrow the pattern or the path]"
            )
        return ToolOutput(body + note, metadata={"count": total, "skipped": len(skipped)})
