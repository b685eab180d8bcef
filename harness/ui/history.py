"""Prompt history kept across sessions: one file per project under $HARNESS_HOME/history/,
shared by the TUI and `--inline` (Up in one recalls what was typed in the other).

One JSON string per line, so multi-line prompts survive; only the newest MAX_ENTRIES are
read back, and appends never rewrite the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

MAX_ENTRIES = 1000


def history_path(project_root: Path) -> Path:
    """`history/<folder name>-<hash of the full path>.jsonl`: readable and collision-free."""
    from harness.config.home import harness_home

    resolved = str(Path(project_root).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(resolved).name)[:40] or "root"
    return harness_home() / "history" / f"{name}-{digest}.jsonl"


class PromptHistory:
    """Browse with previous()/next(); `add` appends to memory and to the file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: list[str] = []
        self._cursor: int | None = None  # index into entries while browsing
        self._draft = ""

    def load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        loaded: list[str] = []
        for line in lines[-MAX_ENTRIES:]:
            try:
                value = json.loads(line)
            except ValueError:
                continue  # a torn line from a crash: skip it, keep the rest
            if isinstance(value, str) and value:
                loaded.append(value)
        self.entries = loaded + self.entries

    def add(self, text: str) -> None:
        self._cursor = None
        if not text.strip() or (self.entries and self.entries[-1] == text):
            return
        self.entries.append(text)
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(text, ensure_ascii=False) + "\n")
        except OSError:
            pass  # history is a convenience; a read-only home must not break the prompt

    def previous(self, current: str) -> str | None:
        if not self.entries:
            return None
        if self._cursor is None:
            self._draft = current
            self._cursor = len(self.entries)
        if self._cursor == 0:
            return None
        self._cursor -= 1
        return self.entries[self._cursor]

    def next(self) -> str | None:
        if self._cursor is None:
            return None
        self._cursor += 1
        if self._cursor >= len(self.entries):
            self._cursor = None
            return self._draft
        return self.entries[self._cursor]

    def reset(self) -> None:
        self._cursor = None
