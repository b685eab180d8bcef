"""The /rewind question: after a step is picked, nothing is restored until the person
chooses files, conversation (a fork at that step) or both; Esc cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from harness.ui.rewind import REWIND_OPTIONS, RewindChoice


class RewindDialog(ModalScreen["RewindChoice | None"]):
    """Dismisses with the chosen RewindChoice, or None (cancelled)."""

    BINDINGS = [
        *(Binding(o.key, f"choose('{o.choice}')", o.choice, show=False)
          for o in REWIND_OPTIONS),
        Binding("escape", "choose('')", "cancel", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="rewind")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="rewind"):
            yield Static(Text(self.question, style="bold"), id="rewind-question")
            options = Text()
            for option in REWIND_OPTIONS:
                options.append(f"\n {option.key} ", style="bold reverse")
                options.append(f" {option.label}")
            options.append("\n Esc ", style="bold reverse")
            options.append(" cancel — nothing is restored")
            yield Static(options, id="rewind-options")

    def on_mount(self) -> None:
        self.set_focus(None)  # keys only: a stray Enter chooses nothing

    def action_choose(self, choice: str) -> None:
        picked: RewindChoice | None = next(
            (o.choice for o in REWIND_OPTIONS if o.choice == choice), None)
        self.dismiss(picked)
