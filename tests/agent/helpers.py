"""Helpers for agent tests: a git project in a temp dir and a CLI runner."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from harness.cli import main


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "hello.py").write_text('print("hello")\n')
    (root / "notes.txt").write_text("alpha\nbeta\n")
    return root


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def tool_results(body: dict) -> list[dict]:
    """Every tool_result block in a recorded request body."""
    found = []
    for message in body["messages"]:
        if message["role"] == "user" and isinstance(message["content"], list):
            found += [b for b in message["content"] if b.get("type") == "tool_result"]
    return found


def result_text(block: dict) -> str:
    content = block["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)
