"""What Glob and Grep leave out: files a search finds that the permission rules would not
let Read show (likely secrets no rule allows, paths a deny or ask rule names). The result
says what was skipped, so the model knows to ask for a Read instead of guessing."""

from __future__ import annotations

import re
from collections.abc import Callable

from harness.permissions.paths import is_secret_text
from harness.tools.base import ToolContext

MAX_NAMED = 20
_GLOB_SPECIAL = re.compile(r"([*?\[\]{}\\!])")

Hidden = Callable[[str], "str | None"]


def hidden_filter(ctx: ToolContext, tool: str) -> Hidden:
    """(absolute path) -> why to leave it out, or None. Without the agent's rules (tests,
    tools used alone) likely secrets are left out."""
    if ctx.search_filter is not None:
        return ctx.search_filter(tool)
    return lambda path: "secret path" if is_secret_text(path) else None


def exclusion_glob(rel: str) -> str:
    """An rg `--glob` leaving out exactly `rel` (relative to rg's working folder)."""
    return "!/" + _GLOB_SPECIAL.sub(r"\\\1", rel)


def skipped_note(skipped: list[str]) -> str:
    """The line a result ends with when files were left out (count and names)."""
    if not skipped:
        return ""
    names = ", ".join(skipped[:MAX_NAMED])
    if len(skipped) > MAX_NAMED:
        names += f", and {len(skipped) - MAX_NAMED} more"
    noun = "file" if len(skipped) == 1 else "files"
    return (f"\n\n[skipped {len(skipped)} {noun} that may hold secrets or that a permission "
            f"rule keeps out of searches: {names}. Read one by name to ask for it, or add an "
            "allow rule such as Read(path)]")
