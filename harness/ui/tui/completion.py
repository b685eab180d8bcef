"""What the prompt completes: slash commands and `@path` from the project's files.

The file list comes from `git ls-files` (tracked + untracked, ignored excluded) in a git
repository, else from a walk that honours `.gitignore` through pathspec.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.ui.slash import SLASH_COMMANDS

MAX_FILES = 50_000
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__", ".harness"}


@dataclass(frozen=True, slots=True)
class Token:
    """The word under the cursor that completion would replace."""

    kind: str  # "slash" | "path"
    text: str  # without the leading '/' or '@'
    row: int
    start: int  # column of the '/' or '@'
    end: int


def token_at(text: str, row: int, col: int) -> Token | None:
    lines = text.split("\n")
    if row >= len(lines):
        return None
    line = lines[row]
    before = line[:col]
    if row == 0 and before.startswith("/") and " " not in before and len(lines) == 1:
        return Token("slash", before[1:], 0, 0, len(line))
    start = max(before.rfind(" "), before.rfind("\t")) + 1
    word = before[start:]
    if word.startswith("@"):
        end = col
        while end < len(line) and not line[end].isspace():
            end += 1
        return Token("path", word[1:], row, start, end)
    return None


def slash_matches(prefix: str) -> list[tuple[str, str]]:
    return [(c, h) for c, h in SLASH_COMMANDS.items() if c[1:].startswith(prefix.lower())]


def path_matches(files: list[str], query: str, limit: int = 8) -> list[str]:
    """Prefix of the path first, then prefix of the file name, then substring."""
    q = query.lower()
    if not q:
        return files[:limit]
    ranked: list[tuple[int, int, str]] = []
    for path in files:
        low = path.lower()
        if low.startswith(q):
            rank = 0
        elif os.path.basename(low).startswith(q):
            rank = 1
        elif q in low:
            rank = 2
        else:
            continue
        ranked.append((rank, len(path), path))
        if len(ranked) > 4000:
            break
    ranked.sort()
    return [p for _, _, p in ranked[:limit]]


def project_files(root: Path) -> list[str]:
    """Relative paths of the project's files, gitignore-aware; blocking (run in a thread)."""
    if (root / ".git").exists():
        try:
            out = subprocess.run(
                ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                cwd=root, capture_output=True, timeout=10, check=True,
            ).stdout
            files = sorted({p for p in out.decode("utf-8", "replace").split("\0") if p})
            return files[:MAX_FILES]
        except (OSError, subprocess.SubprocessError):
            pass  # no git binary or a broken repo: fall back to walking
    return _walk(root)


def _walk(root: Path) -> list[str]:
    import pathspec

    patterns: list[str] = []
    ignore = root / ".gitignore"
    if ignore.is_file():
        patterns = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    spec = pathspec.PathSpec.from_lines("gitwildmatch", patterns)
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
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
