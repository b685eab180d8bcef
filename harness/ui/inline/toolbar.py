"""The bottom toolbar: mode (Shift+Tab cycles it), model, context use, tokens, cost."""

from __future__ import annotations

from prompt_toolkit.formatted_text import FormattedText

from harness.model.pricing import cost_text
from harness.protocol.session import Session
from harness.ui.formatting import human_tokens

_MODE_STYLE = {
    "default": "",
    "acceptEdits": "fg:ansigreen bold",
    "plan": "fg:ansicyan bold",
    "bypassPermissions": "fg:ansired bold",
}


def toolbar_fragments(session: Session) -> FormattedText:
    """Read at every redraw; everything comes from the session's public properties."""
    mode = session.mode
    window = max(1, session.context_window)
    ctx = session.context_tokens
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


def toolbar_text(session: Session) -> str:
    return "".join(text for _, text in toolbar_fragments(session))
