"""GitStatus: branch, upstream and changed files of the repository (read-only)."""

from __future__ import annotations

from typing import Any

from harness.tools._git import cap, describe_head, in_thread, open_repo
from harness.tools.base import BaseTool, ToolContext, ToolInput, ToolOutput


class GitStatusInput(ToolInput):
    pass


def status_text(ctx: ToolContext) -> str:
    repo = open_repo(ctx)
    lines = [describe_head(repo), f"Repository: {repo.working_tree_dir}"]
    # Submodules are not entered: their own config was not checked for planted programs.
    raw: Any = repo.git.status("--porcelain=v1", "--branch", "--untracked-files=all",
                               "--ignore-submodules=all")
    rows = raw.splitlines()
    if rows and rows[0].startswith("## "):
        header = rows.pop(0)
        if "..." in header:
            lines.append("Tracking: " + header[3:].split("...", 1)[1])
    staged, unstaged, untracked = [], [], []
    for row in rows:
        x, y, name = row[0], row[1], row[3:]
        if x == "?":
            untracked.append(name)
            continue
        if x not in " !":
            staged.append(f"{x} {name}")
        if y not in " !":
            unstaged.append(f"{y} {name}")
    for title, items in (("Staged (will be committed)", staged),
                         ("Not staged", unstaged), ("Untracked", untracked)):
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
    if not rows:
        lines.append("Working tree clean.")
    return cap("\n".join(lines))


class GitStatus(BaseTool[GitStatusInput]):
    name = "GitStatus"
    description = (
        "Show the git status: current branch (or detached HEAD), upstream tracking, and the "
        "staged, unstaged and untracked files (M modified, A added, D deleted, R renamed)."
    )
    Input = GitStatusInput
    category = "read"
    concurrent_safe = True

    async def run(self, input: GitStatusInput, ctx: ToolContext) -> ToolOutput:
        return ToolOutput(await in_thread("git status", status_text, ctx))
