"""Glob: files whose path matches a glob pattern, newest first, skipping what .gitignore
ignores. Listing is done by ripgrep (`rg --files`), which is fast on large trees."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from pydantic import Field

from harness.tools._files import display_path, resolve_path
from harness.tools._rg import COMMON_ARGS, find_rg
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

MAX_RESULTS = 200
MAX_SCANNED = 200_000  # paths considered for sorting; beyond this the tree is too broad
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


def _stat_batch(dir_fd: int, rels: list[bytes]) -> list[tuple[float, bytes]]:
    out = []
    stat = os.stat
    for rel in rels:
        try:
            out.append((stat(rel, dir_fd=dir_fd).st_mtime, rel))
        except OSError:
            continue  # vanished while listing
    return out


async def list_newest_first(base: Path, args: list[str]) -> tuple[list[str], int, int, str]:
    """Run `rg --files`, stat-ing batches of paths in worker threads while rg still walks
    the tree (the stat of every match is what newest-first costs; overlapping hides most of
    it). Returns (paths newest first, total listed, rg exit code, rg stderr)."""
    proc = await asyncio.create_subprocess_exec(
        find_rg(), *args, cwd=str(base), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    loop = asyncio.get_running_loop()
    err_task = asyncio.ensure_future(proc.stderr.read())
    dir_fd = os.open(base, os.O_RDONLY)
    try:
        batches: list[asyncio.Future] = []
        buf, total = b"", 0
        while True:
            chunk = await proc.stdout.read(1 << 16)
            if not chunk:
                break
            lines = (buf + chunk).split(b"\n")
            buf = lines.pop()
            if total < MAX_SCANNED and lines:
                batches.append(loop.run_in_executor(None, _stat_batch, dir_fd, lines))
            total += len(lines)
        if buf:
            total += 1
            batches.append(loop.run_in_executor(None, _stat_batch, dir_fd, [buf]))
        code = await proc.wait()
        stamped = [item for batch in await asyncio.gather(*batches) for item in batch]
    finally:
        os.close(dir_fd)
    stamped.sort(key=lambda item: (-item[0], item[1]))
    paths = [rel.decode("utf-8", "replace") for _, rel in stamped[:MAX_RESULTS]]
    stderr = (await err_task).decode("utf-8", "replace").strip()
    return paths, total, code, stderr


class Glob(BaseTool):
    name = "Glob"
    description = (
        "Find files by name pattern (e.g. `**/*.py`, `src/**/*.ts`). Returns paths newest "
        f"first, at most {MAX_RESULTS}; files ignored by .gitignore are skipped. Use Grep to "
        "search file contents."
    )
    Input = GlobInput
    category = "read"
    concurrent_safe = True

    async def run(self, input: GlobInput, ctx: ToolContext) -> ToolOutput:  # type: ignore[override]
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
        rels, total, code, stderr = await list_newest_first(base, args)
        if code not in (0, 1):
            raise ToolError(f"invalid glob {input.pattern!r}: {stderr or 'rg failed'}")
        shown_base = display_path(base, ctx)
        if not rels:
            return ToolOutput(f"No files match {input.pattern!r} in {shown_base}.",
                              metadata={"count": 0})
        prefix = "" if base == ctx.project_root.resolve() else str(base)
        if prefix and not os.path.isabs(shown_base):
            prefix = shown_base
        paths = [os.path.join(prefix, rel) if prefix else rel for rel in rels]
        body = "\n".join(paths[:MAX_RESULTS])
        dropped = total - len(paths)
        if dropped > 0:
            body += (
                f"\n\n[{dropped} more matching files not shown (newest {MAX_RESULTS} listed); "
                "narrow the pattern or the path]"
            )
        return ToolOutput(body, metadata={"count": total})
