"""Fixtures for the permission tests: a real git repository and the shared corpora."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

CORPUS_DIR = Path(os.environ.get("HARNESS_CORPUS_DIR")
                  or Path(__file__).resolve().parents[3] / "shared" / "corpus")


def load_corpus(name: str) -> list[dict]:
    path = CORPUS_DIR / name
    if not path.is_file():
        message = f"corpus {path} not found (set HARNESS_CORPUS_DIR)"
        if os.environ.get("CI") == "true":  # CI has shared/ beside the clone: missing is a bug
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def git_init(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return git_init(tmp_path / "proj")
