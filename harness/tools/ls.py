"""LS: one folder's entries with their type and size; .gitignored entries and `.git` are
skipped (the .gitignore files from the project root down to the folder all apply)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from harness.tools._files import display_path, resolve_path
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

if TYPE_CHECKING:  # imported lazily at run time: LS is rarely the first tool used
    import pathspec

MAX_ENTRIES = 500


class LSInput(ToolInput):
    path: str = Field(
        default=".", description="Folder to list: absolute, or relative to the project root."
    )


def _ignore_specs(folder: Path, root: Path) -> list[tuple[Path, pathspec.GitIgnoreSpec]]:
    import pathspec

    try:
        parts = folder.relative_to(root).parts
        chain = [root] + [root.joinpath(*parts[:i]) for i in range(1, len(parts) + 1)]
    except ValueError:  # outside the project: only the folder's own .gitignore
        chain = [folder]
    specs = []
    for base in chain:
        gi = base / ".gitignore"
        if gi.is_file():
            try:
                lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            specs.append((base, pathspec.GitIgnoreSpec.from_lines(lines)))
    return specs


def _ignored(
    path: Path, is_dir: bool, specs: list[tuple[Path, pathspec.GitIgnoreSpec]]
) -> bool:
    for base, spec in specs:
        rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        if spec.match_file(rel):
            return True
    return False


def _human(n: int) -> str:
    for unit in ("B", "K", "M", "G"):
        if n < 1024 or unit == "G":
            return f"{n}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def list_folder(folder: Path, root: Path) -> tuple[list[str], int, int]:
    specs = _ignore_specs(folder, root)
    rows: list[tuple[int, str, str]] = []
    skipped = 0
    with os.scandir(folder) as it:
        for entry in it:
            if entry.name == ".git":
                skipped += 1
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
                size = entry.stat().st_size if not is_dir else 0
            except OSError:
                is_link, is_dir, size = True, False, 0
            if _ignored(Path(entry.path), is_dir, specs):
                skipped += 1
                continue
            if is_dir:
                rows.append((0, entry.name + "/", "dir" + (" (symlink)" if is_link else "")))
            else:
                kind = "symlink" if is_link else "file"
                rows.append((1, entry.name, f"{kind} {_human(size)}"))
    rows.sort(key=lambda r: (r[0], r[1].lower()))
    return [f"{name:<40} {desc}" for _, name, desc in rows], len(rows), skipped


class LS(BaseTool[LSInput]):
    name = "LS"
    description = (
        "List a folder: each entry with its type and size, folders first. Entries ignored by "
        ".gitignore and the .git folder are skipped. Use Glob to find files across folders."
    )
    Input = LSInput
    category = "read"
    concurrent_safe = True

    async def run(self, input: LSInput, ctx: ToolContext) -> ToolOutput:
        folder = resolve_path(input.path, ctx)
        shown = display_path(folder, ctx)
        if not folder.exists():
            raise ToolError(f"{shown} does not exist; give an existing folder (LS . lists the "
                            "project root)")
        if not folder.is_dir():
            raise ToolError(f"{shown} is a file, not a folder: use Read to see its content")
        try:
            rows, total, skipped = await asyncio.to_thread(
                list_folder, folder, ctx.project_root.resolve()
            )
        except OSError as exc:
            raise ToolError(f"cannot list {shown}: {exc.strerror or exc}") from None
        if not rows:
            note = f" ({skipped} ignored entries skipped)" if skipped else ""
            return ToolOutput(f"{shown}/ is empty{note}.", metadata={"count": 0})
        body = [f"{shown}/"] + ["  " + r for r in rows[:MAX_ENTRIES]]
        if total > MAX_ENTRIES:
            body.append(f"[{total - MAX_ENTRIES} more entries not shown; use Glob to narrow]")
        if skipped:
            body.append(f"[{skipped} ignored entries skipped (.gitignore, .git)]")
        return ToolOutput("\n".join(body), metadata={"count": total})
