"""GitPython plumbing shared by the git tools: opening the repository, HEAD state, capped
output, and turning git's failures into errors the model can act on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from harness.tools._git_safety import Purpose, RepositoryProgramError, tool_env
from harness.tools.base import ToolContext, ToolError

T = TypeVar("T")
MAX_CHARS = 40_000


def open_repo(ctx: ToolContext, purpose: Purpose = "read") -> Any:
    """The repository at the tool's working folder, with git set up to run none of the
    programs the repository's own config names (see `_git_safety`) and no credentials in
    its environment."""
    import git  # GitPython: imported on first use, never on the CLI start-up path

    try:
        repo = git.Repo(ctx.workdir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ToolError(
            f"{ctx.workdir} is not inside a git repository; run `git init` (with the user's "
            "agreement) or work in a repository"
        ) from None
    except git.GitCommandNotFound:  # pragma: no cover - git is a hard requirement here
        raise ToolError("the git program was not found; install git") from None
    try:
        env = tool_env(Path(repo.working_tree_dir or repo.git_dir), purpose,
                       ctx.sandbox_env_include, ctx.sandbox_env_exclude)
    except RepositoryProgramError as exc:
        raise ToolError(str(exc)) from None
    repo.git.update_environment(**env)
    return repo


def head_state(repo: Any) -> tuple[str | None, str | None]:
    """(branch name or None when detached, commit sha or None when there are no commits)."""
    sha = repo.head.commit.hexsha if repo.head.is_valid() else None
    branch = None if repo.head.is_detached else repo.head.reference.name
    return branch, sha


def describe_head(repo: Any) -> str:
    branch, sha = head_state(repo)
    if branch is None:
        return f"HEAD detached at {sha[:7] if sha else '?'} (not on a branch)"
    if sha is None:
        return f"On branch {branch} — no commits yet"
    return f"On branch {branch}"


def cap(text: str, limit: int = MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return (
        f"{text[:half]}\n\n[… {len(text) - limit} characters omitted of {len(text)}; "
        "narrow with `path` …]\n\n" + text[-half:]
    )


def git_failure(exc: Exception, action: str) -> ToolError:
    stderr = (getattr(exc, "stderr", "") or "").strip()
    stdout = (getattr(exc, "stdout", "") or "").strip()
    detail = "\n".join(x for x in (stderr, stdout) if x)
    for prefix in ("stderr: '", "stdout: '"):
        detail = detail.replace(prefix, "")
    detail = detail.strip().strip("'").strip()
    if "Please tell me who you are" in detail or "empty ident" in detail:
        return ToolError(
            f"{action} failed: git has no author identity. Ask the user to set it "
            "(`git config user.name 'Name'` and `git config user.email you@example.com`)"
        )
    return ToolError(f"{action} failed: {detail or exc}")


async def in_thread(action: str, fn: Callable[..., T], *args: Any) -> T:
    """Run blocking GitPython work off the event loop; git errors become ToolErrors."""
    import git

    try:
        return await asyncio.to_thread(fn, *args)
    except git.GitCommandError as exc:
        raise git_failure(exc, action) from None


def rel_path(ctx: ToolContext, repo: Any, raw: str) -> str:
    """A pathspec for git: relative to the repository's top folder."""
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = ctx.project_root / path
    try:
        return str(path.resolve().relative_to(Path(repo.working_tree_dir).resolve())) or "."
    except ValueError:
        raise ToolError(f"{raw} is outside the repository at {repo.working_tree_dir}") from None
