"""The bottom toolbar: mode (Shift+Tab cycles it), model, context use, tokens, cost."""

from __future__ import annotations

from typing import Any

from prompt_toolkit.formatted_text import FormattedText

from harness.model.pricing import cost_text

_MODE_STYLE = {
    "default": "",
    "acceptEdits": "fg:ansigreen bold",
    "plan": "fg:ansicyan bold",
    "bypassPermissions": "fg:ansired bold",
}


def human_tokens(n: int) -> str:
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}k"
    return f"{n / 1_000_000:.2f}M"


def toolbar_fragments(session: Any) -> FormattedText:
    """Read at every redraw; everything comes from the session's public properties."""
    mode = session.mode
    window = max(1, int(getattr(session, "context_window", 0) or 1))
    ctx = int(getattr(session, "context_tokens", 0) or 0)
    usage = session.usage
    parts: list[tuple[str, str]] = [
        ("", " mode: "),
        (_MODE_STYLE.get(mode, ""), mode),
        ("", " (shift+tab) │ "),
        ("", session.model_name),
        ("", f" │ context {100 * ctx / window:.0f}%"),
        ("", f" │ {human_tokens(usage.total)} tokens"),
        ("", f" │ {cost_text(session.cost_usd, session.cost_known)}"),
        ("", f" │ {session.thread_id or 'new thread'} "),
    ]
    return FormattedText(parts)


def toolbar_text(session: Any) -> str:
    return "".join(text for _, text in toolbar_fragments(session))
