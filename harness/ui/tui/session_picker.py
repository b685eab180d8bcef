"""Pickers: this project's threads (/resume, /sessions) and a thread's steps (/fork, /rewind).

Ages are computed against a `now` passed in, so snapshots stay the same from run to run.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from harness.ui.formatting import age

STATE_STYLE = {
    "running": "green", "awaiting_approval": "bold yellow", "done": "dim",
    "failed": "red", "cancelled": "dim", "abandoned": "bold magenta",
}


def thread_label(thread: Any, now: float, current: str | None) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("● " if thread.thread_id == current else "  ", style="bold")
    text.append(f"{age(now - thread.updated_at):>8}  ", style="dim")
    state = thread.state
    label = "ABANDONED" if state == "abandoned" else state.replace("_", " ")
    text.append(f"{label:<17} ", style=STATE_STYLE.get(state, ""))
    text.append(thread.title or "(untitled)")
    text.append(f"  {thread.thread_id[:12]}", style="dim")
    return text


class _Picker(ModalScreen[Any]):
    BINDINGS = [Binding("escape", "cancel", "cancel", show=False)]

    def __init__(self, title: str, options: list[tuple[Any, Text]], empty: str) -> None:
        super().__init__(classes="picker")
        self._title = title
        self._values = [v for v, _ in options]
        self._labels = [label for _, label in options]
        self._empty = empty

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Text(self._title, style="bold"), id="picker-title")
            if self._labels:
                yield OptionList(*[Option(label) for label in self._labels], id="choices")
            else:
                yield Static(self._empty, id="picker-empty")
            yield Static(Text.assemble((" ↑↓ ", "bold reverse"), " choose   ",
                                       (" Enter ", "bold reverse"), " open   ",
                                       (" Esc ", "bold reverse"), " cancel"), id="picker-keys")

    def on_mount(self) -> None:
        if self._labels:
            choices = self.query_one("#choices", OptionList)
            choices.highlighted = self._initial_index()
            choices.focus()

    def _initial_index(self) -> int:
        return 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._values[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ThreadPicker(_Picker):
    """Dismisses with the chosen thread id, or None."""

    def __init__(self, threads: list[Any], now: float, current: str | None = None,
                 title: str = "Threads of this project") -> None:
        options = [(t.thread_id, thread_label(t, now, current)) for t in threads]
        super().__init__(title, options, "No threads yet in this project.")


class StepPicker(_Picker):
    """Dismisses with the chosen seq, or None; starts on the newest step."""

    def __init__(self, steps: list[tuple[int, str, str]], title: str) -> None:
        options = []
        for seq, who, summary in steps:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append(f"{seq:>6}  ", style="dim")
            label.append(f"{who:<9} ", style="bold cyan" if who == "you" else "bold")
            label.append(summary.replace("\n", " "))
            options.append((seq, label))
        super().__init__(title, options, "No steps to choose from yet.")

    def _initial_index(self) -> int:
        return max(0, len(self._values) - 1)


def steps_of(history: list[tuple[int, Any]]) -> list[tuple[int, str, str]]:
    """User turns and assistant replies with their seq, for /fork and /rewind."""
    steps: list[tuple[int, str, str]] = []
    for seq, event in history:
        if event.type == "user_message":
            steps.append((seq, "you", event.text))
        elif event.type == "assistant_message":
            texts = [b.get("text", "") for b in event.content if b.get("type") == "text"]
            tools = [b.get("name", "") for b in event.content if b.get("type") == "tool_use"]
            summary = " ".join(t for t in texts if t).strip()
            if tools:
                summary = (summary + " " if summary else "") + f"[{', '.join(tools)}]"
            steps.append((seq, "assistant", summary or "(empty)"))
    return steps
