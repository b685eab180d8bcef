"""Command-line flags as dotted config overrides: the top (`flags`) layer of the config.

Shared by every front-end so `--model`, `--permission-mode` and friends mean the same
everywhere. Takes any object with the argparse attribute names; imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

# argparse attribute → dotted setting, for flags that carry a value.
VALUE_FLAGS: tuple[tuple[str, str], ...] = (
    ("permission_mode", "permissions.mode"),
    ("model", "model.name"),
    ("max_budget_usd", "agent.max_cost_usd"),
)


def flags_from_args(args: Any) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for attr, key in VALUE_FLAGS:
        value = getattr(args, attr, None)
        if value is not None:
            flags[key] = value
    if getattr(args, "allowed_tools", None):
        flags["permissions.allow"] = list(args.allowed_tools)
    if getattr(args, "disallowed_tools", None):
        flags["permissions.deny"] = list(args.disallowed_tools)
    if getattr(args, "allow_bypass", False):
        flags["permissions.allow_bypass"] = True
    if getattr(args, "vi", False):
        flags["ui.vi_mode"] = True
    return flags
