"""Completion for the inline prompt: slash commands at the start of the input, and
`@path` anywhere, from the project's files (git-tracked and untracked-but-not-ignored,
or a .gitignore-aware walk outside git)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from harness.ui.slash import SLASH_COMMANDS

_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".mypy_cache"}
MAX_FILES = 20_000


def project_files(root: Path) -> list[str]:
    """Relative paths (files, and their folders with a trailing slash), gitignore-aware."""
    files = _git_files(root)
    if files is None:
        files = _walk_files(root)
    dirs: set[str] = set()
    for f in files:
        parts = f.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    return sorted(dirs) + sorted(files)


def _git_files(root: Path) -> list[str] | None:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, timeout=5, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    names = [n for n in out.stdout.decode("utf-8", "replace").split("\0") if n]
    # ls-files lists deleted-but-tracked files too; completing them would mislead.
    return [n for n in names[:MAX_FILES] if (root / n).exists()]


def _walk_files(root: Path) -> list[str]:
    import pathspec

    patterns: list[str] = []
    ignore = root / ".gitignore"
    if ignore.is_file():
        patterns = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    out: list[str] = []
    for folder, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(folder, root)
        rel = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        dirnames[:] = [
            d for d in dirnames if d not in _SKIP_DIRS and not spec.match_file(rel + d + "/")
        ]
        out.extend(rel + f for f in filenames if not spec.match_file(rel + f))
        if len(out) >= MAX_FILES:
            break
    return out


class InlineCompleter(Completer):
    """Slash commands when the input starts with `/`; project paths after `@`."""

    def __init__(self, root: Path, *, refresh_seconds: float = 10.0) -> None:
        self.root = root
        self.refresh_seconds = refresh_seconds
        self._files: list[str] = []
        self._loaded_at = float("-inf")

    def files(self) -> list[str]:
        # Re-listed at most every few seconds: the model creates files as it works.
        if time.monotonic() - self._loaded_at > self.refresh_seconds:
            self._files = project_files(self.root)
            self._loaded_at = time.monotonic()
        return self._files

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        before = document.text_before_cursor
        if before.startswith("/") and " " not in before and "\n" not in before:
            for name, help_text in SLASH_COMMANDS.items():
                if name.startswith(before):
                    yield Completion(name, -len(before), display_meta=help_text)
            return
        word = before.split()[-1] if before and not before[-1].isspace() else ""
        if not word.startswith("@"):
            return
        typed = word[1:]
        low = typed.lower()
        # Next-level entries first, so `@src/` browses one folder at a time.
        prefix = [
            f for f in self.files()
            if f.startswith(typed) and f != typed and "/" not in f[len(typed):].rstrip("/")
        ]
        # Then files whose name (not folder) contains what was typed: `@app` finds src/app.py.
        chosen = set(prefix)
        contains = [
            f for f in self.files()
            if low and f not in chosen and low in f.rstrip("/").rsplit("/", 1)[-1].lower()
        ]
        for path in (prefix + contains)[:100]:
            yield Completion("@" + path, -len(word), display=path)
