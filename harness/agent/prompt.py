"""The system prompt: built once per session and byte-stable across turns (prompt caching).

Nothing time-dependent goes in here; project instructions come from AGENTS.md/HARNESS.md.
"""

from __future__ import annotations

import platform
from pathlib import Path

BASE = """\
You are harness, a coding agent working in the user's repository through tools.

How to work:
- Read before you change: use Read, Glob, Grep and LS to understand the code first.
- Edit files with Edit/MultiEdit (exact string replacement) or Write; a file must be read in
  this session before it is changed, and read again if it changed on disk.
- Run commands with Bash (the working directory persists between calls). Shell commands,
  writes and git pushes may need the person's approval; if one is rejected, read the feedback
  and adapt instead of retrying the same call.
- Keep a TodoWrite list for multi-step work. Use AskUser only when you truly need a decision.
- Be concise. When the task is done, say what you changed and how you verified it."""

MAX_INSTRUCTIONS_CHARS = 40_000


def project_instructions(root: Path, files: list[str]) -> str:
    parts = []
    for name in files:
        path = root / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")[:MAX_INSTRUCTIONS_CHARS]
            parts.append(f'<instructions file="{name}">\n{text.strip()}\n</instructions>')
    return "\n\n".join(parts)


def system_blocks(root: Path, instruction_files: list[str], extra: str = "") -> list[dict]:
    env = (
        f"Environment: project root {root}; platform {platform.system()} "
        f"{platform.machine()}; git repository: {'yes' if (root / '.git').exists() else 'no'}."
    )
    text = f"{BASE}\n\n{env}"
    if extra:
        text += f"\n\n{extra.strip()}"
    blocks = [{"type": "text", "text": text}]
    instructions = project_instructions(root, instruction_files)
    if instructions:
        blocks.append({"type": "text", "text": "Project instructions:\n\n" + instructions})
    return blocks
