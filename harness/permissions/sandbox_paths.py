"""Paths inside the writable folders that sandboxed commands must not change: git's config,
hooks and info of every repository found there (nested ones, submodules, worktrees, bare
repos), the `.git` pointer files, harness's own `.harness/`, agent definitions, MCP server
lists and the scripts of configured hooks. The bubblewrap sandbox re-binds them read-only.

Only filesystem metadata is read; the walk skips dependency folders and stops after
`MAX_DIRS` folders, so it stays cheap enough to run before every command.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable
from pathlib import Path

# Inside a git dir: what can make git run a program, or redirect where git reads its config.
GITDIR_PROTECTED = ("config", "config.worktree", "hooks", "info", "commondir")
# Created empty when missing, so that a command cannot add them (git makes them anyway).
GITDIR_CREATE = ("hooks", "info")
# Inside a project root: definitions harness (or another agent) loads and acts on.
PROJECT_PROTECTED = (".harness", ".claude/agents", ".claude/commands", ".claude/skills",
                     ".claude/settings.json", ".claude/settings.local.json", ".mcp.json")
# Folders no repository worth protecting lives in, and that are big to walk.
SKIP_DIRS = frozenset({"node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".cache", "site-packages"})
MAX_DIRS = 20_000


def is_git_dir(path: Path) -> bool:
    """A git dir by content (what git itself checks): HEAD, objects/ and refs/."""
    try:
        return (path / "HEAD").is_file() and (path / "objects").is_dir() and \
            (path / "refs").is_dir()
    except OSError:
        return False


def _gitfile_target(dotgit: Path) -> Path | None:
    try:
        text = dotgit.read_text(encoding="utf-8", errors="replace")[:4096].strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:"):].strip())
    if not target.is_absolute():
        target = dotgit.parent / target
    return Path(os.path.realpath(target))


def _commondir(gitdir: Path) -> Path | None:
    try:
        text = (gitdir / "commondir").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    target = Path(text) if Path(text).is_absolute() else gitdir / text
    return Path(os.path.realpath(target))


class _Finder:
    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.gitdirs: list[Path] = []
        self.files: list[Path] = []  # .git pointer files
        self.visited = 0
        self.truncated = False

    def inside(self, path: Path) -> bool:
        return any(path == r or r in path.parents for r in self.roots)

    def add_gitdir(self, gitdir: Path) -> None:
        if gitdir in self.gitdirs or not self.inside(gitdir):
            return
        self.gitdirs.append(gitdir)
        common = _commondir(gitdir)
        if common is not None:
            self.add_gitdir(common)
        # Submodules and linked worktrees keep their own git dirs in here.
        for sub in ("modules", "worktrees"):
            self._walk_gitdir_children(gitdir / sub, depth=0)

    def _walk_gitdir_children(self, folder: Path, depth: int) -> None:
        if depth > 6 or not folder.is_dir():
            return
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                child = Path(entry.path)
                if is_git_dir(child):
                    self.add_gitdir(child)
                else:
                    self._walk_gitdir_children(child, depth + 1)

    def walk(self, root: Path) -> None:
        stack = [root]
        while stack:
            folder = stack.pop()
            self.visited += 1
            if self.visited > MAX_DIRS:
                self.truncated = True
                return
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                path = Path(entry.path)
                if entry.name == ".git":
                    if entry.is_dir(follow_symlinks=False):
                        self.add_gitdir(path)
                    elif entry.is_file(follow_symlinks=False):
                        self.files.append(path)
                        target = _gitfile_target(path)
                        if target is not None and is_git_dir(target):
                            self.add_gitdir(target)
                    continue
                if not entry.is_dir(follow_symlinks=False) or entry.name in SKIP_DIRS:
                    continue
                if is_git_dir(path):  # a bare repository (or a git dir by another name)
                    self.add_gitdir(path)
                    continue
                stack.append(path)


def _between(folder: Path, roots: list[Path]) -> list[Path]:
    """`folder` and its ancestors below the writable root containing it, outermost first."""
    chain: list[Path] = []
    while folder not in roots and any(r in folder.parents for r in roots):
        chain.append(folder)
        folder = folder.parent
    return chain[::-1]


def hook_scripts(commands: Iterable[str], project_root: Path) -> list[Path]:
    """Files named in configured hook commands (`./hooks/check.sh`, `python tools/gate.py`)."""
    found: list[Path] = []
    for command in commands:
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        for word in words:
            if "/" not in word and not word.endswith((".sh", ".py", ".js", ".rb", ".pl")):
                continue
            path = Path(os.path.expanduser(word))
            if not path.is_absolute():
                path = project_root / path
            real = Path(os.path.realpath(path))
            if real.is_file() and real not in found:
                found.append(real)
    return found


def configured_hook_scripts(settings, project_root: Path) -> tuple[Path, ...]:
    """The script files of every hook in `settings` (a harness.config.schema.Settings)."""
    commands = [hook.command for name in type(settings.hooks).model_fields
                for hook in getattr(settings.hooks, name)]
    return tuple(hook_scripts(commands, project_root))


def protected_paths(
    project_root: Path, writable: Iterable[Path] = (), extra: Iterable[Path] = ()
) -> tuple[list[Path], bool]:
    """(existing paths to re-bind, whether the walk stopped early at MAX_DIRS): git dirs
    and the folders leading to them (to be bound writable onto themselves, so they cannot
    be moved away and replaced) come before their protected contents; `writable_binds`
    tells them apart.

    `writable` are all folders the command may write (project root included); `extra` are
    further files to protect (hook scripts). Missing `hooks/`, `info/` and the project's
    `.harness/` are created empty first, so a command cannot create them."""
    root = Path(os.path.realpath(project_root))
    roots = [Path(os.path.realpath(p)) for p in (root, *writable)]
    roots = [r for i, r in enumerate(roots) if r not in roots[:i]]
    finder = _Finder(roots)
    for r in roots:
        if r.is_dir():
            finder.walk(r)
    out: list[Path] = []
    for gitdir in finder.gitdirs:
        # The git dir, and the folders leading to it, are bound onto themselves (writable):
        # a mount point cannot be renamed, so none can be moved away and replaced by a
        # folder holding a planted repository.
        for folder in _between(gitdir.parent, roots):
            if folder not in out:
                out.append(folder)
        out.append(gitdir)
        for name in GITDIR_PROTECTED:
            path = gitdir / name
            if name in GITDIR_CREATE and not path.exists():
                try:
                    path.mkdir()
                except OSError:
                    continue
            if path.exists() or path.is_symlink():
                out.append(path)
    out += finder.files
    harness_dir = root / ".harness"
    if not harness_dir.exists():
        try:
            harness_dir.mkdir()
        except OSError:
            pass
    for rel in PROJECT_PROTECTED:
        path = root / rel
        if path.exists():
            out.append(path)
    for path in extra:
        if path.exists() and finder.inside(Path(os.path.realpath(path))):
            out.append(path)
    unique: list[Path] = []
    for p in out:
        if p not in unique:
            unique.append(p)
    return unique, finder.truncated


def writable_binds(paths: list[Path]) -> set[Path]:
    """Which of `protected_paths` are folders bound writable (git dirs and their parents)."""
    out: set[Path] = set()
    for p in paths:
        if is_git_dir(p):
            out.add(p)
            out.update(q for q in paths if q in p.parents)
    return out


def missing_commondirs(argv: list[str]) -> list[Path]:
    """`commondir` paths that do not exist in the `.git` folders a bubblewrap argv re-binds
    (a `.git` folder never has one; only linked worktrees' git dirs do)."""
    out = []
    for i, arg in enumerate(argv[:-2]):
        if arg == "--bind" and argv[i + 1] == argv[i + 2] and argv[i + 1].endswith("/.git"):
            path = Path(argv[i + 1]) / "commondir"
            if not path.exists():
                out.append(path)
    return out
