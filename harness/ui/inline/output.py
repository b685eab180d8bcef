"""Writing to the scrollback in order, whether or not a prompt-toolkit app is on screen.

With no app running, text goes straight to the terminal (so a permission prompt never
appears before the diff it is about). While one runs (the turn status line, the input
line), text is batched and printed above it through `run_in_terminal`.
"""

from __future__ import annotations

import asyncio
from typing import TextIO

from prompt_toolkit.application import get_app_or_none, run_in_terminal


class ScrollbackWriter:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._pending: list[str] = []
        self._scheduled: asyncio.Future[None] | None = None

    def write(self, text: str) -> None:
        app = get_app_or_none()
        if app is None or not app.is_running:
            self._pending.append(text)
            self._drain()
            return
        self._pending.append(text)
        if self._scheduled is None or self._scheduled.done():
            self._scheduled = run_in_terminal(self._drain)  # type: ignore[assignment]

    def _drain(self) -> None:
        if not self._pending:
            return
        text, self._pending = "".join(self._pending), []
        self.stream.write(text)
        self.stream.flush()
