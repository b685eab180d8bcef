"""GitDiff: unstaged (default) or staged changes, optionally for one path (read-only)."""

from __future__ import annotations

from pydantic import Field

from harness.tools._git import cap, in_thread, open_repo, rel_path
from harness.tools._git_safety import DIFF_FLAGS
from harness.tools.base import BaseTool, ToolContext, ToolInput, ToolOutput


class GitDiffInput(ToolInput):
    staged: bool = Field(default=False, description="Show staged changes (what would be "
                                                    "committed) instead of unstaged ones.")
    path: str | None = Field(default=None, description="Only this file or folder.")


def diff_text(ctx: ToolContext, staged: bool, path: str | None) -> str:
    repo = open_repo(ctx)
    args = ["--no-color", *DIFF_FLAGS, "--ignore-submodules=all"]
    if staged:
        args.append("--cached")
    if path:
        args += ["--", rel_path(ctx, repo, path)]
    return repo.git.diff(*args)


class GitDiff(BaseTool[GitDiffInput]):
    name = "GitDiff"
    description = (
        "Show a unified diff of unstaged changes (default) or, with staged=true, of the "
        "changes staged for the next commit; `path` limits it to one file or folder."
    )
    Input = GitDiffInput
    category = "read"
    concurrent_safe = True

    async def run(self, input: GitDiffInput, ctx: ToolContext) -> ToolOutput:
        diff = await in_thread("git diff", diff_text, ctx, input.staged, input.path)
        if not diff.strip():
            which = "staged" if input.staged else "unstaged"
            other = "unstaged (staged=false)" if input.staged else "staged (staged=true)"
            where = f" in {input.path}" if input.path else ""
            return ToolOutput(f"No {which} changes{where}. Try the {other} ones, or GitStatus.")
        return ToolOutput(cap(diff), metadata={"diff": diff})
