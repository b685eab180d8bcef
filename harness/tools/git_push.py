"""GitPush: push a branch to a remote. Always shown for approval with the remote, the
branch and the commits that would go out; never forces."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from harness.tools._git import head_state, in_thread, open_repo
from harness.tools._git_safety import (
    RepositoryProgramError,
    inside_any,
    local_remote_path,
    push_flags,
    tool_env,
)
from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

PUSH_TIMEOUT = 120
MAX_LISTED = 50


class GitPushInput(ToolInput):
    remote: str | None = Field(
        default=None, description="Remote name. Default: the branch's upstream, else origin."
    )
    branch: str | None = Field(default=None, description="Branch to push. Default: current.")


@dataclass(slots=True)
class PushPlan:
    remote: str
    url: str
    branch: str
    remote_ref_known: bool
    set_upstream: bool
    commits: list[str]

    def describe(self) -> str:
        target = f"{self.remote}/{self.branch}"
        state = "as of the last fetch" if self.remote_ref_known else "a new branch on the remote"
        lines = [f"git push {self.remote} {self.branch}  →  {self.url}",
                 f"remote branch: {target} ({state})"]
        if self.commits:
            lines.append(f"{len(self.commits)} commit(s) would go out:")
            lines += [f"  {c}" for c in self.commits[:MAX_LISTED]]
            if len(self.commits) > MAX_LISTED:
                lines.append(f"  … and {len(self.commits) - MAX_LISTED} more")
        else:
            lines.append("no new commits to send (the remote seems up to date)")
        return "\n".join(lines)


def plan_push(ctx: ToolContext, remote: str | None, branch: str | None) -> tuple[Any, PushPlan]:
    repo = open_repo(ctx)
    current, sha = head_state(repo)
    if branch is None:
        if current is None:
            raise ToolError(
                f"HEAD is detached (at {sha[:7] if sha else '?'}), so there is no branch to "
                "push; check out a branch (`git switch NAME`) or give `branch`"
            )
        branch = current
    if branch not in [h.name for h in repo.heads]:
        raise ToolError(f"there is no local branch {branch!r}; local branches: "
                        f"{', '.join(h.name for h in repo.heads) or '(none — no commits yet)'}")
    names = [r.name for r in repo.remotes]
    if not names:
        raise ToolError(
            "this repository has no remote to push to; ask the user for one and add it with "
            "Bash `git remote add origin URL`"
        )
    head = repo.heads[branch]
    tracking = head.tracking_branch()
    if remote is None:
        if tracking is not None:
            remote = tracking.remote_name
        elif "origin" in names:
            remote = "origin"
        elif len(names) == 1:
            remote = names[0]
        else:
            raise ToolError(f"several remotes and no upstream for {branch!r}: give `remote`, "
                            f"one of {', '.join(names)}")
    if remote not in names:
        raise ToolError(f"no remote named {remote!r}; remotes: {', '.join(names)}")
    url = repo.remote(remote).url
    ref = f"refs/remotes/{remote}/{branch}"
    known = True
    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
    except Exception:
        known = False
    if known:
        log = repo.git.log("--format=%h %s", f"{ref}..refs/heads/{branch}")
    else:
        log = repo.git.log("--format=%h %s", f"refs/heads/{branch}", "--not",
                           f"--remotes={remote}")
    commits = [line for line in log.splitlines() if line.strip()]
    return repo, PushPlan(remote, url, branch, known, tracking is None, commits)


def _refuse_local_target_in_sandbox_reach(ctx: ToolContext, repo: Any, plan: PushPlan) -> None:
    """A push to a repository on this machine runs that repository's hooks and config here,
    outside the sandbox: refused when sandboxed commands could have written them."""
    target = local_remote_path(plan.url, Path(repo.working_tree_dir or repo.git_dir))
    if target is None:
        return
    reach = [ctx.project_root, *ctx.sandbox_writable]
    if inside_any(target, reach):
        raise ToolError(
            f"the remote {plan.remote} ({plan.url}) is a repository inside the folders "
            "sandboxed commands may write; pushing to it would run its hooks outside the "
            "sandbox. Push with Bash `git push` (sandboxed) instead")


def _push(ctx: ToolContext, remote: str | None, branch: str | None) -> str:
    import git

    repo, plan = plan_push(ctx, remote, branch)
    _refuse_local_target_in_sandbox_reach(ctx, repo, plan)
    try:
        repo.git.update_environment(**tool_env(
            Path(repo.working_tree_dir or repo.git_dir), "push",
            ctx.sandbox_env_include, ctx.sandbox_env_exclude))
    except RepositoryProgramError as exc:
        raise ToolError(str(exc)) from None
    args = ["--porcelain", *push_flags(Path(repo.working_tree_dir or repo.git_dir))]
    if plan.set_upstream:
        args.append("--set-upstream")
    refspec = f"refs/heads/{plan.branch}:refs/heads/{plan.branch}"
    try:
        out = repo.git.push(*args, plan.remote, refspec, kill_after_timeout=PUSH_TIMEOUT)
    except git.GitCommandError as exc:
        text = f"{exc.stdout or ''}\n{exc.stderr or ''}"
        if "[rejected]" in text or "non-fast-forward" in text or "fetch first" in text:
            raise ToolError(
                f"push rejected by {plan.remote}: {plan.remote}/{plan.branch} has commits your "
                f"branch does not have. Fetch and integrate them (Bash `git pull --rebase "
                f"{plan.remote} {plan.branch}`), then push again. Do not force-push unless the "
                "user asks for it."
            ) from None
        if "[remote rejected]" in text:
            reason = text.split("[remote rejected]", 1)[1].strip().splitlines()[0]
            raise ToolError(f"the remote refused the push: {reason}") from None
        raise
    if "[up to date]" in out:
        return f"{plan.remote}/{plan.branch} is already up to date; nothing was pushed."
    sent = len(plan.commits)
    return f"Pushed {plan.branch} to {plan.remote} ({plan.url}): {sent} commit(s).\n" + "\n".join(
        f"  {c}" for c in plan.commits[:MAX_LISTED]
    )


class GitPush(BaseTool[GitPushInput]):
    name = "GitPush"
    description = (
        "Push a branch (default: the current one) to a remote (default: its upstream, else "
        "origin). Always needs the user's approval; never force-pushes."
    )
    Input = GitPushInput
    category = "git_push"

    async def preview(self, input: GitPushInput, ctx: ToolContext) -> str:
        try:
            _repo, plan = await in_thread("git push preview", plan_push, ctx, input.remote,
                                          input.branch)
        except ToolError as exc:
            return f"(cannot push: {exc})"
        return plan.describe()

    async def revalidate(self, input: GitPushInput, ctx: ToolContext) -> None:
        await in_thread("git push", plan_push, ctx, input.remote, input.branch)

    async def run(self, input: GitPushInput, ctx: ToolContext) -> ToolOutput:
        return ToolOutput(await in_thread("git push", _push, ctx, input.remote, input.branch))
