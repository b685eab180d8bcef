"""Reversibility grades: how bad is it if this call turns out to be a mistake?

reversible: nothing changes (reads). recoverable: git or harness's own snapshots can undo it
(edits inside the project, commits, most commands confined by the sandbox). irreversible:
deleting or overwriting data nobody has a copy of, pushes, network side effects, anything
outside the project. Session grants never cover irreversible calls.
"""

from __future__ import annotations

from harness.permissions.types import Category, Grade


def grade_for(category: Category, *, inside: bool = True, destructive: bool = False) -> Grade:
    if category in ("read", "meta"):
        return "reversible"
    if category in ("git_push", "network") or destructive or not inside:
        return "irreversible"
    return "recoverable"


def describe(grade: Grade) -> str:
    """One phrase for prompts: what undoing this call would take."""
    return {
        "reversible": "changes nothing",
        "recoverable": "can be undone (git or harness snapshots)",
        "irreversible": "cannot be undone",
    }[grade]
