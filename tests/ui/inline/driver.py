"""Drives one inline app on the real `AgentSession` through a prompt-toolkit input pipe."""

from __future__ import annotations

import asyncio
from pathlib import Path

from prompt_toolkit.history import InMemoryHistory

from harness.agent.session import SessionOptions, open_session
from harness.ui.inline.app import InlineApp
from harness.ui.inline.approver import InlineApprover
from harness.ui.inline.transcript import Transcript
from tests.ui.inline.waiting import wait_for


class Driver:
    """One inline app on a real session; `out` is everything printed to the scrollback."""

    def __init__(self, pipe, repo: Path, resume: str | None = None, *, vi: bool = False,
                 history=None) -> None:
        self.pipe, self.repo, self.resume, self.vi = pipe, repo, resume, vi
        self.history = history if history is not None else InMemoryHistory()
        self.out: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.out)

    async def open(self) -> InlineApp:
        """The session and the app, not yet running (for tests of the input line alone)."""
        transcript = Transcript(self.out.append, color=False)
        self.approver = InlineApprover(transcript, vi_mode=self.vi)
        opts = SessionOptions(project_root=self.repo, front_end="inline", resume=self.resume)
        self.session = await open_session(opts, approver=self.approver, sink=transcript)
        self.app = InlineApp(self.session, transcript, self.approver, vi_mode=self.vi,
                             patch=False, history=self.history)
        return self.app

    async def start(self) -> None:
        await self.open()
        self.task = asyncio.ensure_future(self.app.run())

    async def at_prompt(self) -> None:
        await wait_for(lambda: self.app._turn is None and self.app.prompt.app.is_running, 30)

    async def type(self, line: str) -> None:
        await self.at_prompt()
        self.pipe.send_text(line + "\r")

    async def until(self, fragment: str) -> None:
        await wait_for(lambda: fragment in self.text, 30)

    async def finish(self) -> int:
        await self.type("/quit")
        return await self.close()

    async def close(self) -> int:
        code = await asyncio.wait_for(self.task, 30)
        await self.session.close()
        return code
