"""The project's files for `@path` completion, the same list in every front-end.

From `git ls-files` (tracked + untracked, ignored excluded, deleted-but-tracked dropped) in
a git repository, else from a walk that honours `.gitignore` through pathspec. Blocking:
front-ends call it off their event loop.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

MAX_FILES = 50_000
SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
    ".harness",
}


def project_files(root: Path) -> list[str]:
    """Relative paths of the project's files, sorted."""
    files = _git_files(root)
    return sorted(files if files is not None else _walk(root))


def with_folders(files: list[str]) -> list[str]:
    """The folders of `files` (with a trailing slash) first, then the files."""
    dirs: set[str] = set()
    for f in files:
        parts = f.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    return sorted(dirs) + sorted(files)


def _git_files(root: Path) -> list[str] | None:
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git binary or a broken repo: fall back to walking
    if out.returncode != 0:
        return None
    names = sorted({n for n in out.stdout.decode("utf-8", "replace").split("\0") if n})
    # ls-files lists deleted-but-tracked files too; completing them would mislead.
    return [n for n in names[:MAX_FILES] if (root / n).exists()]


def _walk(root: Path) -> list[str]:
    import pathspec

    patterns: list[str] = []
    ignore = root / ".gitignore"
    if ignore.is_file():
        patterns = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and not spec.match_file(rel_dir + d + "/")
        )
        for name in sorted(filenames):
            rel = rel_dir + name
            if not spec.match_file(rel):
                files.append(rel)
                if len(files) >= MAX_FILES:
                    return files
    return files
