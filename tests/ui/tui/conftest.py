"""Fixtures for the TUI tests: a project folder and an app over the fake session."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.ui.history import PromptHistory
from harness.ui.tui.app import HarnessApp
from tests.ui.tui.fake_session import FakeSession, threads

NOW = 1_700_000_000.0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('hi')\n")
    (root / "README.md").write_text("# proj\n")
    (root / ".gitignore").write_text("build/\n")
    (root / "build").mkdir()
    (root / "build" / "out.bin").write_text("x")
    return root


def fake_app(project: Path, steps=None, **kwargs) -> tuple[HarnessApp, dict]:
    """An app whose connect() builds a FakeSession; `box['session']` holds it."""
    box: dict = {}

    async def connect(approver, sink):
        box["session"] = FakeSession(project, approver, sink, steps=steps,
                                     threads=threads(NOW))
        return box["session"]

    kwargs.setdefault("theme", "dark")
    app = HarnessApp(connect, project, history=PromptHistory(project / ".hist"),
                     now=lambda: NOW, **kwargs)
    return app, box
