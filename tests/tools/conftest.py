"""Fixtures for tool tests: a real project folder and a ToolContext over it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.tools.base import ToolContext


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root.resolve()


@pytest.fixture
def ctx(project: Path) -> ToolContext:
    return ToolContext(project_root=project, thread_id="t-test", sandbox_enabled=False)


def git(cwd: Path, *args: str) -> str:
    env_args = ["-c", "user.name=Test", "-c", "user.email=test@example.com",
                "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *env_args, *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(project: Path) -> Path:
    git(project, "init", "-q")
    git(project, "config", "user.name", "Test")
    git(project, "config", "user.email", "test@example.com")
    git(project, "config", "commit.gpgsign", "false")
    return project
