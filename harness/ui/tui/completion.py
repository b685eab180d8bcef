"""What the prompt completes: slash commands and `@path` from the project's files.

The file list is the kit's (harness/ui/files.py), the same as the inline prompt's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from harness.ui.slash import SLASH_COMMANDS


@dataclass(frozen=True, slots=True)
class Token:
    """The word under the cursor that completion would replace."""

    kind: str  # "slash" | "path"
    text: str  # without the leading '/' or '@'
    row: int
    start: int  # column of the '/' or '@'
    end: int


def token_at(text: str, row: int, col: int) -> Token | None:
    lines = text.split("\n")
    if row >= len(lines):
        return None
    line = lines[row]
    before = line[:col]
    if row == 0 and before.startswith("/") and " " not in before and len(lines) == 1:
        return Token("slash", before[1:], 0, 0, len(line))
    start = max(before.rfind(" "), before.rfind("\t")) + 1
    word = before[start:]
    if word.startswith("@"):
        end = col
        while end < len(line) and not line[end].isspace():
            end += 1
        return Token("path", word[1:], row, start, end)
    return None


def slash_matches(prefix: str) -> list[tuple[str, str]]:
    return [(c, h) for c, h in SLASH_COMMANDS.items() if c[1:].startswith(prefix.lower())]


def path_matches(files: list[str], query: str, limit: int = 8) -> list[str]:
    """Prefix of the path first, then prefix of the file name, then substring."""
    q = query.lower()
    if not q:
        return files[:limit]
    ranked: list[tuple[int, int, str]] = []
    for path in files:
        low = path.lower()
        if low == q:
            continue  # the folder already typed (`@src/`): offer what is in it
        if low.startswith(q):
            rank = 0
        elif os.path.basename(low).startswith(q):
            rank = 1
        elif q in low:
            rank = 2
        else:
            continue
        ranked.append((rank, len(path), path))
        if len(ranked) > 4000:
            break
    ranked.sort()
    return [p for _, _, p in ranked[:limit]]
