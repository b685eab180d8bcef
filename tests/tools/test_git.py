from __future__ import annotations

import pytest

from harness.tools.base import ToolContext, ToolError
from harness.tools.git_commit import GitCommit
from harness.tools.git_diff import GitDiff
from harness.tools.git_log import GitLog
from harness.tools.git_push import GitPush
from harness.tools.git_status import GitStatus
from tests.tools.conftest import git


async def call(tool, ctx, **kw):
    return await tool.run(tool.parse(kw), ctx)


def commit_file(repo, name, text, msg):
    (repo / name).write_text(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", msg)


@pytest.fixture
def committed(repo):
    commit_file(repo, "a.txt", "one\n", "first commit")
    commit_file(repo, "b.txt", "two\n", "second commit")
    return repo


@pytest.fixture
def with_remote(committed, tmp_path):
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(committed, "remote", "add", "origin", str(bare))
    git(committed, "push", "-q", "-u", "origin", "main")
    return committed, bare


# --- status / diff / log -------------------------------------------------------------


async def test_git_status_lists_staged_unstaged_untracked(committed, ctx):
    (committed / "a.txt").write_text("changed\n")
    (committed / "new.txt").write_text("n\n")
    (committed / "b.txt").write_text("staged\n")
    git(committed, "add", "b.txt")
    out = (await call(GitStatus(), ctx)).content
    assert out.startswith("On branch main")
    assert "Staged (will be committed):\n  M b.txt" in out
    assert "Not staged:\n  M a.txt" in out and "Untracked:\n  new.txt" in out


async def test_git_status_no_commits_yet(repo, ctx):
    out = (await call(GitStatus(), ctx)).content
    assert "no commits yet" in out and "Working tree clean." in out


async def test_git_status_detached_head(committed, ctx):
    git(committed, "checkout", "-q", "--detach", "HEAD~1")
    assert "HEAD detached at" in (await call(GitStatus(), ctx)).content


async def test_git_tools_outside_repository_give_clear_error(project, ctx):
    with pytest.raises(ToolError, match="not inside a git repository"):
        await call(GitStatus(), ctx)


async def test_git_diff_unstaged_staged_and_path(committed, ctx):
    (committed / "a.txt").write_text("one\nmore\n")
    (committed / "b.txt").write_text("two!\n")
    git(committed, "add", "b.txt")
    unstaged = await call(GitDiff(), ctx)
    assert "+more" in unstaged.content and "two!" not in unstaged.content
    staged = await call(GitDiff(), ctx, staged=True)
    assert "+two!" in staged.content and "more" not in staged.content
    only_a = await call(GitDiff(), ctx, path="a.txt")
    assert "a.txt" in only_a.content and "b.txt" not in only_a.content
    assert only_a.metadata["diff"].startswith("diff --git")


async def test_git_diff_nothing_says_so(committed, ctx):
    out = await call(GitDiff(), ctx, staged=True)
    assert out.content.startswith("No staged changes")


async def test_git_diff_staged_before_first_commit(repo, ctx):
    (repo / "x.txt").write_text("x\n")
    git(repo, "add", "x.txt")
    assert "+x" in (await call(GitDiff(), ctx, staged=True)).content


async def test_git_log_lists_newest_first_with_max_count(committed, ctx):
    out = (await call(GitLog(), ctx, max_count=1)).content
    assert "second commit" in out and "first commit" not in out
    full = (await call(GitLog(), ctx)).content.splitlines()
    assert full[0] == "On branch main" and full[1].endswith("Test: second commit")


async def test_git_log_path_filter(committed, ctx):
    out = (await call(GitLog(), ctx, path="a.txt")).content
    assert "first commit" in out and "second commit" not in out


async def test_git_log_no_commits_yet(repo, ctx):
    assert "no commits yet" in (await call(GitLog(), ctx)).content


async def test_git_log_detached_head(committed, ctx):
    git(committed, "checkout", "-q", "--detach", "HEAD~1")
    out = (await call(GitLog(), ctx)).content
    assert out.startswith("HEAD detached at") and "first commit" in out
    assert "second commit" not in out


# --- commit --------------------------------------------------------------------------


async def test_git_commit_refuses_when_nothing_staged(committed, ctx):
    (committed / "a.txt").write_text("unstaged\n")
    tool = GitCommit()
    inp = tool.parse({"message": "x"})
    with pytest.raises(ToolError, match=r"nothing is staged.*git add"):
        await tool.run(inp, ctx)
    with pytest.raises(ToolError, match="nothing is staged"):
        await tool.revalidate(inp, ctx)
    assert "nothing is staged" in await tool.preview(inp, ctx)


async def test_git_commit_preview_shows_staged_diff_and_commit_works(committed, ctx):
    (committed / "a.txt").write_text("one\nthree\n")
    git(committed, "add", "a.txt")
    tool = GitCommit()
    inp = tool.parse({"message": "Add three\n\nbody"})
    preview = await tool.preview(inp, ctx)
    assert "git commit -m 'Add three'" in preview and "+three" in preview
    out = await tool.run(inp, ctx)
    assert out.content.startswith("Committed ") and "on main: Add three" in out.content
    assert "+three" in out.metadata["diff"]
    assert git(committed, "log", "-1", "--format=%B").strip() == "Add three\n\nbody"


async def test_git_commit_first_commit_in_empty_repo(repo, ctx):
    (repo / "x.txt").write_text("x\n")
    git(repo, "add", "x.txt")
    out = await call(GitCommit(), ctx, message="initial")
    assert "on main: initial" in out.content


# --- push ----------------------------------------------------------------------------


async def test_git_push_no_remote_is_clear_error(committed, ctx):
    tool = GitPush()
    with pytest.raises(ToolError, match=r"no remote to push to.*git remote add"):
        await tool.run(tool.parse({}), ctx)
    assert "no remote" in await tool.preview(tool.parse({}), ctx)


async def test_git_push_detached_head_is_clear_error(with_remote, ctx):
    repo, _ = with_remote
    git(repo, "checkout", "-q", "--detach", "HEAD")
    with pytest.raises(ToolError, match="HEAD is detached"):
        await call(GitPush(), ctx)


async def test_git_push_preview_lists_outgoing_commits_then_pushes(with_remote, ctx):
    repo, bare = with_remote
    commit_file(repo, "c.txt", "3\n", "third commit")
    commit_file(repo, "d.txt", "4\n", "fourth commit")
    tool = GitPush()
    inp = tool.parse({})
    preview = await tool.preview(inp, ctx)
    assert preview.startswith(f"git push origin main  →  {bare}")
    assert "2 commit(s) would go out:" in preview
    assert "fourth commit" in preview and "third commit" in preview
    assert "second commit" not in preview
    out = await tool.run(inp, ctx)
    assert "Pushed main to origin" in out.content and "2 commit(s)" in out.content
    remote_head = git(bare, "rev-parse", "refs/heads/main").strip()
    assert remote_head == git(repo, "rev-parse", "HEAD").strip()


async def test_git_push_new_branch_preview(with_remote, ctx):
    repo, bare = with_remote
    git(repo, "switch", "-q", "-c", "feature")
    commit_file(repo, "f.txt", "f\n", "feature work")
    tool = GitPush()
    preview = await tool.preview(tool.parse({}), ctx)
    assert "origin/feature (a new branch on the remote)" in preview
    assert "1 commit(s) would go out:" in preview and "feature work" in preview
    await tool.run(tool.parse({}), ctx)
    assert git(bare, "log", "--format=%s", "-1", "feature").strip() == "feature work"


async def test_git_push_rejected_when_remote_moved(with_remote, ctx, tmp_path):
    repo, bare = with_remote
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    commit_file(other, "o.txt", "o\n", "someone else's commit")
    git(other, "push", "-q", "origin", "main")
    commit_file(repo, "mine.txt", "m\n", "my commit")
    with pytest.raises(ToolError, match=r"push rejected by origin.*git pull --rebase"):
        await call(GitPush(), ctx)


async def test_git_push_unknown_remote(with_remote, ctx):
    with pytest.raises(ToolError, match="no remote named 'upstream'"):
        await call(GitPush(), ctx, remote="upstream")


async def test_git_tools_use_bash_cwd_for_repository(tmp_path):
    outer = tmp_path / "outer"
    inner = outer / "inner"
    inner.mkdir(parents=True)
    git(inner, "init", "-q")
    ctx = ToolContext(project_root=outer, cwd=inner, sandbox_enabled=False)
    assert "no commits yet" in (await call(GitStatus(), ctx)).content


# --- repository-supplied programs never run -------------------------------------------


PLANTED = ("fsmonitor", "external-diff", "textconv", "clean", "smudge", "process", "pager",
           "hook", "gpg", "credential", "askpass", "ssh", "receive-pack", "editor")


@pytest.fixture
def planted(with_remote, tmp_path):
    """A repository whose own .git/config names a canary-writing program in every place git
    may run one, with .gitattributes routing *.txt through them and hooks in place."""
    repo, _bare = with_remote
    canaries = tmp_path / "canaries"
    canaries.mkdir()
    programs = {}
    for name in PLANTED:
        script = tmp_path / f"planted-{name}"
        script.write_text(f"#!/bin/sh\ntouch {canaries}/{name}\ncat >/dev/null 2>&1\nexit 1\n")
        script.chmod(0o755)
        programs[name] = str(script)
    hooks = tmp_path / "planted-hooks"
    hooks.mkdir()
    for hook in ("pre-commit", "commit-msg", "post-commit", "prepare-commit-msg", "pre-push",
                 "post-index-change", "reference-transaction"):
        for folder in (hooks, repo / ".git" / "hooks"):
            (folder / hook).write_text(f"#!/bin/sh\ntouch {canaries}/hook-{hook}\n")
            (folder / hook).chmod(0o755)
    settings = {
        "core.fsmonitor": programs["fsmonitor"],
        "diff.external": programs["external-diff"],
        "diff.evil.textconv": programs["textconv"],
        "diff.evil.command": programs["external-diff"],
        "filter.evil.clean": programs["clean"],
        "filter.evil.smudge": programs["smudge"],
        "filter.evil.process": programs["process"],
        "filter.evil.required": "true",
        "core.pager": programs["pager"],
        "pager.log": programs["pager"],
        "core.hooksPath": str(hooks),
        "log.showSignature": "true",
        "gpg.program": programs["gpg"],
        "credential.helper": f"!{programs['credential']}",
        "core.askPass": programs["askpass"],
        "core.sshCommand": programs["ssh"],
        "core.editor": programs["editor"],
        "remote.origin.receivepack": programs["receive-pack"],
    }
    for key, value in settings.items():
        git(repo, "config", key, value)
    (repo / ".gitattributes").write_text("*.txt diff=evil filter=evil\n")
    return repo, canaries


def unplanted_git(repo, *args):
    """Set-up git commands of the tests themselves, with the plants switched off."""
    git(repo, "-c", "filter.evil.clean=", "-c", "filter.evil.smudge=", "-c",
        "filter.evil.process=", "-c", "filter.evil.required=false", "-c", "core.fsmonitor=false",
        "-c", "core.hooksPath=/dev/null", *args)


def _assert_nothing_ran(canaries):
    assert sorted(p.name for p in canaries.iterdir()) == []


async def test_read_only_git_tools_run_no_planted_program(planted, ctx):
    repo, canaries = planted
    (repo / "a.txt").write_text("changed\n")
    (repo / "b.txt").write_text("staged change\n")
    unplanted_git(repo, "add", "b.txt")
    _assert_nothing_ran(canaries)
    status = (await call(GitStatus(), ctx)).content
    assert "Not staged:\n  M a.txt" in status and "Staged (will be committed):\n  M b.txt" in status
    unstaged = (await call(GitDiff(), ctx)).content
    assert "+changed" in unstaged
    staged = (await call(GitDiff(), ctx, staged=True)).content
    assert "+staged change" in staged
    log = (await call(GitLog(), ctx)).content
    assert "second commit" in log
    _assert_nothing_ran(canaries)


async def test_git_commit_runs_no_planted_program_or_hook(planted, ctx):
    repo, canaries = planted
    git(repo, "config", "commit.gpgSign", "false")
    (repo / "c.txt").write_text("three\n")
    unplanted_git(repo, "add", "c.txt")
    tool = GitCommit()
    preview = await tool.preview(tool.parse({"message": "third"}), ctx)
    assert "c.txt" in preview
    out = await call(tool, ctx, message="third")
    assert out.content.startswith("Committed ")
    _assert_nothing_ran(canaries)


async def test_git_commit_with_planted_signing_runs_no_planted_gpg(planted, ctx):
    repo, canaries = planted
    git(repo, "config", "commit.gpgSign", "true")
    (repo / "c.txt").write_text("three\n")
    unplanted_git(repo, "add", "c.txt")
    try:
        await call(GitCommit(), ctx, message="signed?")
    except ToolError:
        pass  # the user's real gpg may have no key: failing is fine, running the plant is not
    _assert_nothing_ran(canaries)


async def test_git_push_runs_no_planted_program_or_hook(planted, ctx):
    repo, canaries = planted
    unplanted_git(repo, "commit", "-q", "--allow-empty", "-m", "out")
    tool = GitPush()
    preview = await tool.preview(tool.parse({}), ctx)
    assert "1 commit(s) would go out" in preview
    out = await call(tool, ctx)
    assert out.content.startswith("Pushed main to origin")
    _assert_nothing_ran(canaries)


async def test_git_push_refuses_a_local_remote_the_sandbox_could_write(committed, ctx):
    inner = committed / "inner.git"
    git(committed, "init", "-q", "--bare", str(inner))
    git(committed, "remote", "add", "inside", str(inner))
    with pytest.raises(ToolError, match="hooks outside the sandbox"):
        await call(GitPush(), ctx, remote="inside")


async def test_git_tools_get_no_credentials(committed, ctx, monkeypatch):
    from harness.tools._git import open_repo

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-never-passed-0123456789")
    monkeypatch.setenv("SOME_SERVICE_TOKEN", "token-value-0123456789")
    repo = open_repo(ctx)
    env = repo.git.environment()
    assert env["ANTHROPIC_API_KEY"] == "" and env["SOME_SERVICE_TOKEN"] == ""
    # What git itself sees: run `env` through git's own alias-free path.
    shown = repo.git.execute(["git", "var", "GIT_EDITOR"])
    assert shown == "true"
