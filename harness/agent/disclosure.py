"""What the model is told when its call did not go as it sent it: a person edited the
input (a compact diff of what ran), or something other than a person refused it (the
headless policy, a rule, the mode, a hook), naming who refused and how to allow it."""

from __future__ import annotations

import difflib
import json
from typing import Any

EDIT_NOTE_CAP = 8_000  # characters of diff; past it the model is told to re-read
_INLINE = 120  # a string field longer than this (or multi-line) is shown as a diff


def _short_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _field_change(key: str, sent: Any, ran: Any) -> list[str]:
    if isinstance(sent, str) and isinstance(ran, str) and (
        "\n" in sent or "\n" in ran or max(len(sent), len(ran)) > _INLINE
    ):
        diff = difflib.unified_diff(
            sent.splitlines(), ran.splitlines(),
            fromfile=f"{key} (you sent)", tofile=f"{key} (what ran)", lineterm="", n=2,
        )
        return list(diff)
    return [f"{key}: {_short_json(sent)} → {_short_json(ran)}"]


def input_diff(sent: dict[str, Any], ran: dict[str, Any]) -> str:
    """A compact, field-by-field diff of the input the model sent and the one that ran."""
    lines: list[str] = []
    for key in [*sent, *(k for k in ran if k not in sent)]:
        if key not in ran:
            lines.append(f"{key}: removed (you sent {_short_json(sent[key])})")
        elif key not in sent:
            lines.append(f"{key}: added {_short_json(ran[key])}")
        elif sent[key] != ran[key]:
            lines += _field_change(key, sent[key], ran[key])
    text = "\n".join(lines) or "(no field changed)"
    if len(text) > EDIT_NOTE_CAP:
        text = text[:EDIT_NOTE_CAP] + "\n… (diff cut; read the files again before relying on them)"
    return text


def edit_note(tool: str, sent: dict[str, Any], ran: dict[str, Any]) -> str:
    """The text put before the result of a call a person edited before it ran, so the
    model's picture of the files matches what actually happened."""
    full = _short_json(ran)
    shown = f"\nThe input that ran: {full}" if len(full) <= 1_500 else ""
    return (
        f"[harness] The user edited this {tool} call before approving it: what ran is NOT "
        "the input you sent, and the result below is of the edited call.\n"
        f"Changes (yours → what ran):\n{input_diff(sent, ran)}{shown}\n\n"
    )


# --- refusals that no person made -------------------------------------------------------


def how_to_allow(tool: str, category: str, rule: str | None) -> str:
    """How the user could let such a call run in a later non-interactive run."""
    if rule:
        ways = [f"`--allowed-tools '{rule}'`",
                f"the rule {rule!r} in `[permissions] allow` of .harness/config.toml"]
    else:
        ways = [f"an allow rule for {tool} (`--allowed-tools RULE` or `[permissions] allow` "
                "in .harness/config.toml)"]
    if category == "write":
        ways.append("`--permission-mode acceptEdits`")
    ways.append("`--on-ask interrupt` (the run stops and waits for a person's answer)")
    return "; ".join(ways)


def policy_refusal(tool: str, reason: str, category: str, rule: str | None) -> str:
    """Headless `--on-ask deny`: no person saw the call; the run's policy refused it."""
    return (
        f"Not run: {tool} needs a person's approval ({reason}), but this is a non-interactive "
        "run with --on-ask deny, so nobody was asked: the run's policy refused it, not the "
        f"user. The user could allow such calls with {how_to_allow(tool, category, rule)}. "
        "Try another way that needs no approval, or stop and explain what you need."
    )


def rule_refusal(reason: str, rule: str | None, mode: str) -> str:
    """A deny rule or the mode's table refused the call; no person was asked."""
    who = f"the deny rule {rule}" if rule else f"the permission mode ({mode})"
    return (
        f"Permission denied by {who}, not by a person: {reason}. Do not retry the same call; "
        "find another way or explain."
    )


def hook_refusal(reason: str) -> str:
    return (
        "Blocked by a pre_tool_use hook (a command the user configured, not a person): "
        f"{reason}"
    )
