"""Grep: search file contents with ripgrep (regex, glob/type filters, context lines), with
three output modes and caps that say how much was left out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field

from harness.tools._files import display_path, resolve_path
from harness.tools._hidden import exclusion_glob, hidden_filter, skipped_note
from harness.tools._rg import COMMON_ARGS, MAX_SCANNED, RgResult, rg_newest_first, run_rg
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

DEFAULT_LIMITS = {"content": 500, "files_with_matches": 200, "count": 200}
MAX_LINE_CHARS = 400
MAX_OUTPUT_CHARS = 60_000


class GrepInput(ToolInput):
    pattern: str = Field(description="Regular expression (Rust regex syntax, like ripgrep).")
    path: str | None = Field(
        default=None, description="File or folder to search. Default: the project root."
    )
    glob: str | None = Field(
        default=None, description="Only files matching this glob, e.g. `*.py`, `src/**/*.ts`."
    )
    type: str | None = Field(
        default=None, description="Only files of this ripgrep type, e.g. `py`, `js`, `rust`."
    )
    output_mode: Literal["content", "files_with_matches", "count"] = Field(
        default="files_with_matches",
        description="`content`: matching lines; `files_with_matches`: file paths (default); "
        "`count`: matches per file.",
    )
    i: bool = Field(default=False, alias="-i", description="Case-insensitive.")
    n: bool = Field(default=True, alias="-n", description="Line numbers (content mode).")
    A: int | None = Field(default=None, alias="-A", ge=0, description="Lines after each match.")
    B: int | None = Field(default=None, alias="-B", ge=0, description="Lines before each match.")
    C: int | None = Field(
        default=None, alias="-C", ge=0, description="Lines before and after each match."
    )
    head_limit: int | None = Field(
        default=None, ge=1, description="Show at most this many lines / files / counts."
    )
    multiline: bool = Field(
        default=False, description="Let the pattern span lines (`.` matches newlines)."
    )

    model_config = {"populate_by_name": True, "extra": "forbid"}


def rg_args(input: GrepInput) -> list[str]:
    args = [*COMMON_ARGS, "--color", "never", "--max-columns", str(MAX_LINE_CHARS),
            "--max-columns-preview"]
    if input.output_mode == "files_with_matches":
        args.append("--files-with-matches")
    elif input.output_mode == "count":
        args += ["--count", "--with-filename"]
    else:
        args += ["--no-heading", "--with-filename"]
        if input.n:
            args.append("--line-number")
        if input.C is not None:
            args += ["--context", str(input.C)]
        if input.A is not None:
            args += ["--after-context", str(input.A)]
        if input.B is not None:
            args += ["--before-context", str(input.B)]
    if input.i:
        args.append("--ignore-case")
    if input.multiline:
        args += ["--multiline", "--multiline-dotall"]
    if input.glob:
        args += ["--glob", input.glob]
    if input.type:
        args += ["--type", input.type]
    args += ["--regexp", input.pattern]
    return args


class Grep(BaseTool[GrepInput]):
    name = "Grep"
    description = (
        "Search file contents with a regular expression (ripgrep). Filter with `glob` or "
        "`type`; `output_mode` is `files_with_matches` (default, newest first), `content` "
        "(matching lines, with -A/-B/-C context and -n line numbers) or `count`. Files ignored "
        "by .gitignore are skipped. Results are capped; `head_limit` sets the cap."
    )
    Input = GrepInput
    category = "read"
    concurrent_safe = True

    def schema(self) -> dict:
        schema = self.Input.model_json_schema(by_alias=True)
        schema.pop("title", None)
        return {"name": self.name, "description": self.description, "input_schema": schema}

    async def run(self, input: GrepInput, ctx: ToolContext) -> ToolOutput:
        root = ctx.project_root.resolve()
        target = resolve_path(input.path, ctx) if input.path else root
        if not target.exists():
            raise ToolError(f"{display_path(target, ctx)} does not exist; give an existing path")
        # rg runs in the project root (paths come out project-relative); a folder outside
        # the project is searched from inside it, and its path is put back on each line.
        outside = target.is_dir() and not target.is_relative_to(root)
        cwd = target if outside else root
        operand = [] if outside or target == root else ["--", display_path(target, ctx)]
        skipped: list[str] = []
        args = rg_args(input)
        left = 1
        if target.is_dir():  # a file named outright was judged by the permission engine
            skipped, left = await self._left_out(input, ctx, cwd, operand)
            args += [arg for rel in skipped for arg in ("--glob", exclusion_glob(rel))]
        args += operand
        limit = input.head_limit or DEFAULT_LIMITS[input.output_mode]
        if not left:  # every file in scope was left out: rg would fail with nothing to search
            res = RgResult([], 0, 1, "")
        elif input.output_mode == "files_with_matches":
            paths, total, code, stderr = await rg_newest_first(args, cwd, limit)
            res = RgResult(paths, total, code, stderr)
        else:
            res = await run_rg(args, cwd, limit)
        if outside:
            res.lines = [line if line == "--" else f"{target}/{line}" for line in res.lines]
            skipped = [f"{target}/{rel}" for rel in skipped]
        note = skipped_note(skipped)
        if res.exit_code == 1 or (res.exit_code == 0 and res.total == 0):
            where = display_path(target, ctx) if target != root else "the project"
            return ToolOutput(f"No matches for {input.pattern!r} in {where}.{note}",
                              metadata={"count": 0, "skipped": len(skipped)})
        if res.exit_code != 0 and not res.lines:
            reason = res.stderr.splitlines()[-1] if res.stderr else f"rg exited {res.exit_code}"
            hint = (
                " — list known types with Bash `rg --type-list`" if "type" in reason.lower()
                else "; check the regex syntax (escape special characters like ( [ { . *)"
            )
            raise ToolError(f"search failed: {res.stderr or reason}{hint}")
        lines = res.lines
        body: list[str] = []
        used = 0
        for line in lines:
            if used + len(line) > MAX_OUTPUT_CHARS and body:
                break
            body.append(line)
            used += len(line) + 1
        text = "\n".join(body)
        dropped = res.total - len(body)
        unit = {"content": "lines", "files_with_matches": "files", "count": "files"}[
            input.output_mode
        ]
        if dropped > 0:
            text += (
                f"\n\n[{dropped} more {unit} not shown ({len(body)} of {res.total}); "
                "narrow the pattern, path, glob or type, or raise head_limit]"
            )
        return ToolOutput(text + note, metadata={"count": res.total, "skipped": len(skipped)})

    async def _left_out(self, input: GrepInput, ctx: ToolContext, cwd: Path,
                        operand: list[str]) -> tuple[list[str], int]:
        """The files in the search's scope (same folder, glob and type) that the rules keep
        out, relative to `cwd`, and how many files remain: listed by rg itself, so its
        filters mean what they mean."""
        args = ["--files", *COMMON_ARGS]
        if input.glob:
            args += ["--glob", input.glob]
        if input.type:
            args += ["--type", input.type]
        listing = await run_rg([*args, *operand], cwd, MAX_SCANNED)
        if listing.exit_code not in (0, 1):
            return [], 1  # a bad filter: the search itself reports it
        hidden = hidden_filter(ctx, self.name)
        folder = str(cwd)
        skipped = [rel for rel in listing.lines if hidden(os.path.join(folder, rel)) is not None]
        return skipped, listing.total - len(skipped)
