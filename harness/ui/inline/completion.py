"""Completion for the inline prompt: slash commands at the start of the input, and
`@path` anywhere, from the project's files (git-tracked and untracked-but-not-ignored,
or a .gitignore-aware walk outside git)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from harness.ui.files import project_files, with_folders
from harness.ui.slash import SLASH_COMMANDS


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
            self._files = with_folders(project_files(self.root))
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
