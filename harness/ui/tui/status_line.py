"""The one-line status bar: mode, model, context use, tokens, cost, thread id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from harness.model.pricing import cost_text
from harness.ui.formatting import human_tokens

if TYPE_CHECKING:  # the protocol (pydantic) loads after the first frame
    from harness.protocol.session import Session

MODE_STYLE = {
    "default": "bold",
    "acceptEdits": "bold green",
    "plan": "bold cyan",
    "bypassPermissions": "bold red reverse",
}


class StatusLine(Static):
    """Rendered from a session-like object; `state` says what the agent is doing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.state = "starting…"

    def show(self, session: Session | None, state: str | None = None) -> None:
        if state is not None:
            self.state = state
        text = Text(no_wrap=True, overflow="ellipsis")
        if session is None:
            text.append(f" {self.state}", style="dim")
            self.update(text)
            return
        mode = session.mode
        text.append(f" {mode} ", style=MODE_STYLE.get(mode, "bold"))
        if self.state:
            text.append(f"· {self.state} ", style="italic")
        text.append(f"· {session.model_name} ")
        window = max(int(session.context_window or 0), 1)
        pct = 100 * int(session.context_tokens or 0) / window
        text.append(f"· ctx {pct:.0f}% ", style="bold yellow" if pct >= 80 else "")
        usage = session.usage
        total = int(getattr(usage, "total", 0) or 0)
        cost = cost_text(float(session.cost_usd or 0), session.cost_known, 3)
        text.append(f"· {human_tokens(total)} tok · {cost} ")
        text.append(f"· {str(session.thread_id)[:12] or 'new thread'}", style="dim")
        self.update(text)
