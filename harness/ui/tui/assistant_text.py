"""Assistant text rendered as Markdown while it streams, at a cost bounded per update.

The text is cut into segments at blank lines outside code fences; finished segments are
rendered once (one widget each), and only the open tail is re-rendered per batch of
deltas (at most every FLUSH_SECONDS). So a 20,000-token answer costs per update what its
last paragraph costs, not what the whole answer costs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markdown import Heading
from rich.markdown import Markdown as RichMarkdown
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

SEGMENT_CHARS = 1500
FLUSH_SECONDS = 0.04
_FENCES = ("```", "~~~")


class _LeftHeading(Heading):
    LEVEL_ALIGN: ClassVar[dict[str, Any]] = {**Heading.LEVEL_ALIGN, "h1": "left"}


class _Markdown(RichMarkdown):
    elements: ClassVar[dict[str, Any]] = {**RichMarkdown.elements, "heading_open": _LeftHeading}


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


class AssistantText(Widget):
    DEFAULT_CSS = """
    AssistantText { height: auto; layout: vertical; }
    AssistantText > Static { height: auto; }
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

    def _render_md(self, text: str) -> RichMarkdown:
        dark = getattr(self.app.current_theme, "dark", True)
        return _Markdown(text, code_theme="ansi_dark" if dark else "ansi_light",
                         hyperlinks=False)

    def compose(self) -> ComposeResult:
        for text in self._segments:
            yield Static(self._render_md(text))

    def on_mount(self) -> None:
        # Deltas (or the end) may arrive between construction and mounting.
        if self._pending:
            self.call_after_refresh(self.flush)
            if not self._finished:
                self._timer = self.set_interval(FLUSH_SECONDS, self.flush)

    def feed(self, delta: str) -> None:
        self._pending.append(delta)
        if self._timer is None and self.is_mounted and not self._finished:
            self._timer = self.set_interval(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        if not self._pending or not self.children:
            return
        tail = self._segments[-1] + "".join(self._pending)
        self._pending.clear()
        view = self.parent
        follow = bool(getattr(view, "at_bottom", lambda: False)())
        last = self.children[-1]
        if len(tail) > SEGMENT_CHARS and (cut := split_point(tail)):
            self._segments[-1] = tail[:cut]
            last.update(self._render_md(tail[:cut]))  # type: ignore[attr-defined]
            tail = tail[cut:]
            self._segments.append(tail)
            self.mount(Static(self._render_md(tail)))
        else:
            self._segments[-1] = tail
            last.update(self._render_md(tail))  # type: ignore[attr-defined]
        if follow and view is not None:
            view.call_after_refresh(view.scroll_end, animate=False)  # type: ignore[attr-defined]

    def finish(self) -> None:
        self._finished = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.flush()
