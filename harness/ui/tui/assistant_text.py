"""Assistant text rendered as Markdown while it streams, at a cost bounded per update.

The text is cut into segments at blank lines outside code fences; finished segments are
rendered once (one widget each), and only the open tail is re-rendered per batch of
deltas (at most every FLUSH_SECONDS). So a 20,000-token answer costs per update what its
last paragraph costs, not what the whole answer costs.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

SEGMENT_CHARS = 600
FLUSH_SECONDS = 0.05
KEY_GRACE = 0.03  # seconds after a key press during which streamed text waits
_FENCES = ("```", "~~~")


_MARKDOWN: Any = None


def _markdown_class() -> Any:
    """Rich's Markdown with left-aligned h1; imported on first use (markdown-it costs ~30 ms
    of start-up otherwise)."""
    global _MARKDOWN
    if _MARKDOWN is None:
        from rich.markdown import Heading
        from rich.markdown import Markdown as RichMarkdown

        class _LeftHeading(Heading):
            LEVEL_ALIGN: ClassVar[dict[str, Any]] = {**Heading.LEVEL_ALIGN, "h1": "left"}

        class _Markdown(RichMarkdown):
            elements: ClassVar[dict[str, Any]] = {**RichMarkdown.elements,
                                                  "heading_open": _LeftHeading}

        _MARKDOWN = _Markdown
    return _MARKDOWN


def _outside_fence(text: str) -> bool:
    fences = sum(1 for line in text.split("\n") if line.lstrip().startswith(_FENCES))
    return fences % 2 == 0


def split_point(text: str) -> int:
    """Index just after the last blank line outside a code fence (0 if there is none)."""
    pos = text.rfind("\n\n")
    while pos > 0:
        if _outside_fence(text[:pos]):
            return pos + 2
        pos = text.rfind("\n\n", 0, pos)
    return 0


def segments_of(text: str) -> list[str]:
    """Whole text → segments of roughly SEGMENT_CHARS (used for text that did not stream)."""
    parts: list[str] = []
    while len(text) > SEGMENT_CHARS:
        cut = split_point(text[: SEGMENT_CHARS * 2])
        if cut == 0:
            cut = split_point(text)
            if cut == 0:
                break
        parts.append(text[:cut])
        text = text[cut:]
    parts.append(text)
    return parts


class MarkdownSegment(Widget):
    """One segment, rendered to strips once per (text, width) and served line by line, so
    layout and repaint never re-render Markdown that did not change."""

    DEFAULT_CSS = "MarkdownSegment { height: auto; }"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self._strips: list[Strip] = []
        self._width: int | None = None

    def set_text(self, text: str) -> None:
        """New text; a relayout of the screen only when the height changed."""
        self.text = text
        before = len(self._strips)
        self._width = None
        width = self.content_size.width
        if width > 0 and self.is_mounted:
            self.refresh(layout=len(self._lines(width)) != before)
        else:
            self.refresh(layout=True)

    def _lines(self, width: int) -> list[Strip]:
        if width != self._width and width > 0:
            dark = getattr(self.app.current_theme, "dark", True)
            md = _markdown_class()(self.text, code_theme="ansi_dark" if dark else "ansi_light",
                           hyperlinks=False)
            console = self.app.console
            lines = console.render_lines(md, console.options.update_width(width),
                                         style=self.rich_style, pad=False)
            self._strips = [Strip(line) for line in lines]
            self._width = width
        return self._strips

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        strips = self._lines(width)
        return strips[y] if y < len(strips) else Strip.blank(width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._width = None  # theme or colours changed: render again


class AssistantText(Widget):
    DEFAULT_CSS = """
    AssistantText { height: auto; layout: vertical; }
    """

    def __init__(self, entry: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry
        self._segments = segments_of(entry.text)
        self._pending: list[str] = []
        self._timer: Any = None
        self._finished = False

    @property
    def source(self) -> str:
        return "".join(self._segments)

    @property
    def idle(self) -> bool:
        return not self._pending

    def compose(self) -> ComposeResult:
        for text in self._segments:
            yield MarkdownSegment(text)

    def on_mount(self) -> None:
        # Deltas (or the end) may arrive between construction and mounting.
        if self._pending:
            self.call_after_refresh(self.flush, True)
            if not self._finished:
                self._timer = self.set_interval(FLUSH_SECONDS, self.flush)

    def feed(self, delta: str) -> None:
        self._pending.append(delta)
        if self._timer is None and self.is_mounted and not self._finished:
            self._timer = self.set_interval(FLUSH_SECONDS, self.flush)

    def flush(self, force: bool = False) -> None:
        if not self._pending or not self.children:
            return
        if not force and time.monotonic() - getattr(self.app, "last_key_at", 0.0) < KEY_GRACE:
            return  # a key was just pressed: let its frame go out first, render next tick
        tail = self._segments[-1] + "".join(self._pending)
        self._pending.clear()
        last = self.children[-1]
        assert isinstance(last, MarkdownSegment)
        if len(tail) > SEGMENT_CHARS and (cut := split_point(tail)):
            self._segments[-1] = tail[:cut]
            last.set_text(tail[:cut])
            tail = tail[cut:]
            self._segments.append(tail)
            self.mount(MarkdownSegment(tail))
        else:
            self._segments[-1] = tail
            last.set_text(tail)

    def finish(self) -> None:
        self._finished = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.flush(force=True)
