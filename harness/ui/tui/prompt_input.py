"""The multi-line prompt: Enter sends, Shift+Enter / Ctrl+J add a line, ↑/↓ walk history,
Tab (or Enter) takes the highlighted slash-command or `@path` completion; Tab never moves
focus away from the prompt."""

from __future__ import annotations

import time
from typing import Any

from textual import events
from textual.message import Message
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option

from harness.ui.history import PromptHistory
from harness.ui.tui.completion import Token, path_matches, slash_matches, token_at


class CompletionMenu(OptionList):
    """Shown above the prompt while there is something to complete; never takes focus."""

    can_focus = False


class PromptInput(TextArea):
    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, history: PromptHistory, **kwargs: Any) -> None:
        super().__init__(
            "", soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
            compact=True, **kwargs,
        )
        self.prompt_history = history
        self.files: list[str] = []
        self.menu: CompletionMenu | None = None
        self._token: Token | None = None
        self._values: list[str] = []
        # Until the first frame, a newline is an Enter: typed while the terminal was still
        # in cooked mode (harness starting), the tty turned the Enter's CR into LF (ICRNL).
        self.starting = True

    # --- keys -------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        self.app.last_key_at = time.monotonic()  # type: ignore[attr-defined]
        key = event.key
        if key == "ctrl+j" and self.starting:
            key = "enter"
        if key in ("enter", "tab") and self._menu_open():
            event.stop()
            event.prevent_default()
            if key == "tab" or not self._completion_is_current():
                self.accept_completion()
                return
            if key == "enter":
                self._close_menu()
        if key == "tab":
            # Tab only completes: it never moves focus out of the prompt (an empty prompt,
            # or one just completed, would otherwise send the next keys to a card).
            event.stop()
            event.prevent_default()
            self.update_completion()
            return
        if key == "enter":
            event.stop()
            event.prevent_default()
            self.submit()
            return
        if key in ("shift+enter", "ctrl+j", "alt+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if key == "escape" and self._menu_open():
            event.stop()
            event.prevent_default()
            self._close_menu()
            return
        await super()._on_key(event)

    def action_cursor_up(self, select: bool = False) -> None:
        if self._menu_open() and self.menu is not None:
            self.menu.action_cursor_up()
            return
        if not select and self.cursor_location[0] == 0:
            text = self.prompt_history.previous(self.text)
            if text is not None:
                self._set_text(text)
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if self._menu_open() and self.menu is not None:
            self.menu.action_cursor_down()
            return
        if not select and self.cursor_location[0] == self.document.line_count - 1:
            text = self.prompt_history.next()
            if text is not None:
                self._set_text(text)
            return
        super().action_cursor_down(select)

    def submit(self) -> None:
        text = self.text
        if not text.strip():
            return
        self.prompt_history.add(text)
        self.clear()
        self._close_menu()
        self.post_message(self.Submitted(text))

    def _set_text(self, text: str) -> None:
        self.load_text(text)
        last = self.document.line_count - 1
        self.move_cursor((last, len(self.document.get_line(last))))

    # --- completion -------------------------------------------------------------------

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.update_completion()

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        if self._menu_open():
            self.update_completion()

    def update_completion(self) -> None:
        row, col = self.cursor_location
        token = token_at(self.text, row, col)
        values: list[tuple[str, str]] = []
        if token is not None and token.kind == "slash":
            values = [(c, f"{c:<10} [dim]{h}[/dim]") for c, h in slash_matches(token.text)]
        elif token is not None and token.kind == "path":
            values = [(f"@{p}", f"@{p}") for p in path_matches(self.files, token.text)]
        self._token = token if values else None
        self._values = [v for v, _ in values]
        menu = self.menu
        if menu is None:
            return
        if not values:
            self._close_menu()
            return
        menu.set_options([Option(label) for _, label in values])
        menu.highlighted = 0
        menu.display = True

    def _menu_open(self) -> bool:
        return self.menu is not None and self.menu.display and self._token is not None

    def _completion_is_current(self) -> bool:
        """Enter on a fully typed slash command sends it instead of re-completing."""
        token = self._token
        if token is None or self.menu is None or self.menu.highlighted is None:
            return True
        chosen = self._values[self.menu.highlighted]
        typed = ("/" if token.kind == "slash" else "@") + token.text
        return chosen == typed

    def _close_menu(self) -> None:
        self._token = None
        if self.menu is not None:
            self.menu.display = False

    def accept_completion(self) -> None:
        token = self._token
        menu = self.menu
        if token is None or menu is None or menu.highlighted is None:
            return
        value = self._values[menu.highlighted]
        folder = value.endswith("/")  # `@src/` goes on into the folder: no space after it
        self.replace(value if folder else value + " ", (token.row, token.start),
                     (token.row, token.end))
        self._close_menu()
        if folder:
            self.update_completion()
