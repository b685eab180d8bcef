"""The inline prompt's history: prompt-toolkit's `History` over the one per-project file
the TUI uses too (harness/ui/history.py), so Up recalls prompts typed in either."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit.history import History

from harness.ui.history import PromptHistory, history_path


class SharedHistory(History):
    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.prompts = PromptHistory(path)

    def load_history_strings(self) -> Iterable[str]:
        self.prompts.load()
        return list(reversed(self.prompts.entries))  # prompt-toolkit wants newest first

    def store_string(self, string: str) -> None:
        self.prompts.add(string)


def project_history(project_root: Path) -> SharedHistory:
    return SharedHistory(history_path(project_root))
