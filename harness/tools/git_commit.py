"""GitCommit: commit what is staged. The approval shows the staged diff; nothing staged is
a clear refusal rather than an empty commit."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from harness.tools._git import cap, head_state, in_thread, open_repo
from harness.tools._git_safety import DIFF_FLAGS
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput


class GitCommitInput(ToolInput):
    message: str = Field(description="The commit message: a short subject line, then details.")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("message must not be empty")
        return value


def staged_diff(repo: Any) -> str:
    return repo.git.diff("--cached", "--no-color", *DIFF_FLAGS)


def _require_staged(repo: Any) -> str:
    diff = staged_diff(repo)
    if not diff.strip():
        raise ToolError(
            "nothing is staged, so there is nothing to commit; stage files first with Bash "
            "`git add PATH` (see GitStatus for what changed)"
        )
    return diff


def _preview(ctx: ToolContext, message: str) -> str:
    repo = open_repo(ctx)
    diff = _require_staged(repo)
    stat = repo.git.diff("--cached", "--stat", "--no-color", *DIFF_FLAGS)
    return f"git commit -m {message.splitlines()[0]!r}\n{stat}\n\n{cap(diff)}"


def _commit(ctx: ToolContext, message: str) -> tuple[str, str]:
    repo = open_repo(ctx, "commit")
    diff = _require_staged(repo)
    # Git hooks are off (see _git_safety): they are the repository's code, and this runs
    # outside the sandbox. `git commit` through Bash runs them, sandboxed.
    repo.git.commit("--quiet", "-m", message)  # argv, not a shell: any text is safe
    branch, sha = head_state(repo)
    stat = repo.git.show("--stat", "--format=", "--no-color", *DIFF_FLAGS, "HEAD").strip()
    where = branch or "detached HEAD"
    short = sha[:7] if sha else "?"
    return f"Committed {short} on {where}: {message.splitlines()[0]}\n{stat}", diff


class GitCommit(BaseTool[GitCommitInput]):
    name = "GitCommit"
    description = (
        "Commit the staged changes with a message (stage files first with Bash `git add`). "
        "Refuses when nothing is staged. Does not run the repository's git hooks; to run "
        "them, commit with Bash `git commit`."
    )
    Input = GitCommitInput
    category = "shell"

    async def preview(self, input: GitCommitInput, ctx: ToolContext) -> str:
        try:
            return await in_thread("git commit preview", _preview, ctx, input.message)
        except ToolError as exc:
            return f"(cannot preview: {exc})"

    async def revalidate(self, input: GitCommitInput, ctx: ToolContext) -> None:
        await in_thread("git commit", lambda: _require_staged(open_repo(ctx)))

    async def run(self, input: GitCommitInput, ctx: ToolContext) -> ToolOutput:
        text, diff = await in_thread("git commit", _commit, ctx, input.message)
        return ToolOutput(text, metadata={"diff": diff})
