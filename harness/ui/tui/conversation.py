"""The scrolling conversation: user turns, streamed Markdown, thinking, tool cards, notices.

Everything shown is kept as a list of `Entry` values; only a window of the newest entries
is mounted as widgets (older ones mount in chunks when the view reaches the top), so a
thread of thousands of steps costs what its visible part costs. Streamed text is buffered
and rendered in batches by AssistantText.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Collapsible, Static

from harness.ui.tui.assistant_text import AssistantText
from harness.ui.tui.tool_card import ToolCard, ToolInfo

WINDOW = 150  # entries kept mounted while following the tail
CHUNK = 60  # entries mounted (or unmounted) at a time


@dataclass
class Entry:
    kind: str  # user | text | thinking | tool | notice
    text: str = ""
    style: str = ""  # notice: info | warn | error
    tool: ToolInfo | None = None
    widget: Widget | None = field(default=None, repr=False)


class ThinkingBlock(Collapsible):
    def __init__(self, entry: Entry, expanded: bool = False) -> None:
        self.entry = entry
        self._body = Static(Text(entry.text, style="dim italic"), classes="thinking-body")
        super().__init__(self._body, title="thinking", collapsed=not expanded, classes="thinking")

    def feed(self, delta: str) -> None:
        self.entry.text += delta
        if not self.collapsed:
            self._body.update(Text(self.entry.text, style="dim italic"))

    def _watch_collapsed(self, collapsed: bool) -> None:
        super()._watch_collapsed(collapsed)
        if not collapsed:
            self._body.update(Text(self.entry.text, style="dim italic"))


def build_widget(entry: Entry, show_thinking: bool = False) -> Widget:
    if entry.kind == "user":
        return Static(Text(entry.text), classes="user-turn")
    if entry.kind == "text":
        return AssistantText(entry, classes="assistant-text")
    if entry.kind == "thinking":
        return ThinkingBlock(entry, expanded=show_thinking)
    if entry.kind == "tool":
        assert entry.tool is not None
        return ToolCard(entry.tool)
    return Static(Text(entry.text), classes=f"notice -{entry.style or 'info'}")


class Conversation(VerticalScroll):
    """Owns the entries; the app calls add/feed/update and never touches widgets."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[Entry] = []
        self.first_mounted = 0  # entries[first_mounted:] are mounted
        self.show_thinking = False
        self._loading_earlier = False
        self._earlier_marker = Static("", classes="earlier")
        self._earlier_marker.display = False

    # --- entries ----------------------------------------------------------------------

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        if self.is_mounted:
            follow = self.at_bottom()
            self._mount_entry(entry)
            if follow:
                self._prune_top()  # the anchor keeps the view on the newest entry
        return entry

    def add_many(self, entries: list[Entry]) -> None:
        """Bulk load (history on open/resume): only the newest WINDOW get widgets."""
        self.entries.extend(entries)
        self._remount_tail()

    def clear_entries(self) -> None:
        self.entries.clear()
        self.first_mounted = 0
        self.remove_children()
        self._earlier_marker = Static("", classes="earlier")
        self._earlier_marker.display = False
        if self.is_mounted:
            self.mount(self._earlier_marker)

    def notice(self, text: str, style: str = "info") -> Entry:
        return self.add(Entry("notice", text=text, style=style))

    def feed(self, entry: Entry, delta: str) -> None:
        if entry.kind == "text":
            entry.text += delta
            widget = entry.widget
            if isinstance(widget, AssistantText):
                widget.feed(delta)  # scrolls along in its batched flush, not per delta
        elif entry.kind == "thinking":
            if isinstance(entry.widget, ThinkingBlock):
                entry.widget.feed(delta)
            else:
                entry.text += delta

    def finish(self, entry: Entry) -> None:
        if isinstance(entry.widget, AssistantText):
            entry.widget.finish()

    def remove_entry(self, entry: Entry) -> None:
        if entry in self.entries:
            index = self.entries.index(entry)
            self.entries.pop(index)
            if index < self.first_mounted:
                self.first_mounted -= 1
        if entry.widget is not None:
            entry.widget.remove()
            entry.widget = None

    def update_tool(self, entry: Entry) -> None:
        if isinstance(entry.widget, ToolCard):
            entry.widget.refresh_info()

    # --- windowing --------------------------------------------------------------------

    def on_mount(self) -> None:
        self.anchor()  # follow new output until the user scrolls up; back at the end, follow
        self._remount_tail()

    def at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 2

    def _mount_entry(self, entry: Entry) -> None:
        entry.widget = build_widget(entry, self.show_thinking)
        self.mount(entry.widget)

    def _remount_tail(self) -> None:
        if not self.is_mounted:
            return
        for entry in self.entries[self.first_mounted:]:
            entry.widget = None
        self.remove_children()
        self._earlier_marker = Static("", classes="earlier")  # the old one is being removed
        self.first_mounted = max(0, len(self.entries) - WINDOW)
        widgets: list[Widget] = [self._earlier_marker]
        for entry in self.entries[self.first_mounted:]:
            entry.widget = build_widget(entry, self.show_thinking)
            widgets.append(entry.widget)
        self._update_marker()
        self.mount_all(widgets)
        self.call_after_refresh(self.scroll_end, animate=False)

    def _update_marker(self) -> None:
        hidden = self.first_mounted
        self._earlier_marker.display = hidden > 0
        self._earlier_marker.update(
            f"▲ {hidden} earlier entries — scroll up (or press Home) to load them"
        )

    def _prune_top(self) -> None:
        """While following the tail, keep at most WINDOW + CHUNK widgets mounted."""
        mounted = len(self.entries) - self.first_mounted
        if mounted <= WINDOW + CHUNK:
            return
        drop = self.entries[self.first_mounted:self.first_mounted + CHUNK]
        for entry in drop:
            if entry.widget is not None:
                entry.widget.remove()
                entry.widget = None
        self.first_mounted += len(drop)
        self._update_marker()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and self.first_mounted > 0 and not self._loading_earlier:
            self.load_earlier()

    def load_earlier(self) -> None:
        if self.first_mounted == 0:
            return
        self._loading_earlier = True
        start = max(0, self.first_mounted - CHUNK)
        widgets = []
        for entry in self.entries[start:self.first_mounted]:
            entry.widget = build_widget(entry, self.show_thinking)
            widgets.append(entry.widget)
        self.first_mounted = start
        self._update_marker()
        height_before = self.virtual_size.height
        if self._earlier_marker.parent is self:
            self.mount_all(widgets, after=self._earlier_marker)
        else:
            self.mount_all(widgets, before=0)

        def keep_position() -> None:
            grown = self.virtual_size.height - height_before
            self.scroll_to(y=max(grown, 1), animate=False)
            self._loading_earlier = False

        self.call_after_refresh(keep_position)

    def mounted_count(self) -> int:
        return sum(1 for e in self.entries if e.widget is not None)
