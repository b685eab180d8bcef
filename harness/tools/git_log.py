"""GitLog: recent commits of HEAD (works on a detached HEAD and before the first commit)."""

from __future__ import annotations

from pydantic import Field

from harness.tools._git import cap, describe_head, head_state, in_thread, open_repo, rel_path
from harness.tools.base import BaseTool, ToolContext, ToolInput, ToolOutput


class GitLogInput(ToolInput):
    max_count: int = Field(default=20, ge=1, le=500, description="How many commits (newest first).")
    path: str | None = Field(default=None, description="Only commits touching this path.")


def log_text(ctx: ToolContext, max_count: int, path: str | None) -> str:
    repo = open_repo(ctx)
    _branch, sha = head_state(repo)
    if sha is None:
        return f"{describe_head(repo)}: the log is empty."
    args = [f"--max-count={max_count}", "--date=short", "--format=%h %ad %an: %s"]
    if path:
        args += ["--", rel_path(ctx, repo, path)]
    body = repo.git.log(*args)
    if not body.strip():
        return f"No commits touch {path}." if path else "No commits."
    return f"{describe_head(repo)}\n{body}"


class GitLog(BaseTool[GitLogInput]):
    name = "GitLog"
    description = "Show recent commits (short hash, date, author, subject), newest first."
    Input = GitLogInput
    category = "read"
    concurrent_safe = True

    async def run(self, input: GitLogInput, ctx: ToolContext) -> ToolOutput:
        return ToolOutput(cap(await in_thread("git log", log_text, ctx, input.max_count,
                                              input.path)))
