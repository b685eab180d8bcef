"""Text rendering for the inline front-end: colour policy, Pygments highlighting, and a
streaming Markdown renderer that prints complete lines as they arrive.

Everything here returns plain `str`; with colour off (NO_COLOR, TERM=dumb, not a TTY)
the strings hold no escape codes at all, so logs and pipes stay clean.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable
from typing import TextIO

RESET = "\x1b[0m"
_SGR = {
    "bold": "1", "dim": "2", "italic": "3", "underline": "4",
    "red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36",
    "grey": "90",
}


def color_enabled(stream: TextIO | None = None, environ: dict[str, str] | None = None) -> bool:
    """The no-color.org convention first, then FORCE_COLOR, then "is it a colour terminal"."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM", "") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed stream
        return False


class Palette:
    """Wraps text in SGR codes, or returns it untouched when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles or not text:
            return text
        codes = ";".join(_SGR[s] for s in styles)
        return f"\x1b[{codes}m{text}{RESET}"


def highlight(code: str, language: str | None, *, color: bool, filename: str | None = None) -> str:
    """Pygments highlighting (16-colour, readable on light and dark terminals)."""
    if not color or not code:
        return code
    from pygments import highlight as _highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import get_lexer_by_name, guess_lexer_for_filename
    from pygments.util import ClassNotFound

    lexer = None
    try:
        if language:
            lexer = get_lexer_by_name(language)
        elif filename:
            lexer = guess_lexer_for_filename(filename, code)
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return code
    out = _highlight(code, lexer, TerminalFormatter())
    # Pygments always ends with a newline; keep the caller's choice.
    return out if code.endswith("\n") else out.rstrip("\n")


def highlight_diff(diff: str, *, color: bool) -> str:
    return highlight(diff, "diff", color=color)


def highlight_command(command: str, *, color: bool) -> str:
    return highlight(command, "bash", color=color)


_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+#.-]*)")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_STRONG = re.compile(r"\*\*([^*\n]+)\*\*|__([^_\n]+)__")
_NUMBERED = re.compile(r"^(\s*)(\d+[.)])\s+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
Width = Callable[[], int]


class MarkdownStream:
    """Feeds model text in arbitrary chunks; emits rendered lines as soon as they complete.

    Code fences are buffered until they close so the whole block is highlighted with the
    fence's language; tables are buffered until their last row and drawn as a grid (rich);
    prose is word-wrapped to `width` (bullets keep a hanging indent) and gets light inline
    styling (headings, bullets, `code`, **bold**) when colour is on.
    """

    def __init__(
        self, emit: Callable[[str], None], *, color: bool, indent: str = "",
        width: Width | None = None,
    ) -> None:
        self._emit = emit
        self._p = Palette(color)
        self._color = color
        self._indent = indent
        self._width = width  # None: no wrapping (the caller's lines are kept as they are)
        self._partial = ""
        self._fence: str | None = None
        self._fence_lang = ""
        self._fence_lines: list[str] = []
        self._table: list[str] = []
        self.started = False

    def feed(self, text: str) -> None:
        self._partial += text
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            self._line(line)

    def finish(self) -> None:
        """The block is complete: flush the last partial line and any unclosed fence."""
        if self._partial:
            self._line(self._partial)
            self._partial = ""
        if self._fence is not None:
            self._flush_fence()
        self._flush_table()

    def discard(self) -> None:
        """Drop unflushed text (the model call is being retried)."""
        self._partial = ""
        self._fence = None
        self._fence_lines = []
        self._table = []

    def _out(self, line: str) -> None:
        self.started = True
        self._emit(f"{self._indent}{line}\n")

    def _line(self, line: str) -> None:
        fence = _FENCE.match(line)
        if self._fence is not None:
            if fence and fence.group(1).startswith(self._fence[0]) and not fence.group(2):
                self._flush_fence()
                if not self._color:
                    self._out(line)
            else:
                self._fence_lines.append(line)
            return
        if _TABLE_ROW.match(line) or (self._table and _TABLE_RULE.match(line)):
            self._table.append(line)
            return
        self._flush_table()
        if fence:
            self._fence, self._fence_lang, self._fence_lines = fence.group(1), fence.group(2), []
            if not self._color:
                self._out(line)
            return
        for piece in self._wrap(line):
            self._out(self._style(piece))

    def _wrap(self, line: str) -> list[str]:
        """Prose word-wrapped to the width; a list item's later lines under its text."""
        if self._width is None or not line.strip() or line.startswith(("    ", "\t")):
            return [line]
        room = max(20, self._width() - len(self._indent))
        if len(line) <= room:
            return [line]
        m = _BULLET.match(line) or _NUMBERED.match(line)
        if m and m.re is _BULLET:
            hang = m.group(1) + "  "
        elif m:
            hang = m.group(1) + " " * (len(m.group(2)) + 1)
        else:
            hang = ""
        return textwrap.wrap(line, room, subsequent_indent=hang, break_long_words=False,
                             break_on_hyphens=False) or [line]

    def _flush_table(self) -> None:
        rows, self._table = self._table, []
        if not rows:
            return
        if len(rows) < 2 or not _TABLE_RULE.match(rows[1]):  # not a table after all
            for row in rows:
                self._out(self._style(row))
            return
        width = (self._width() if self._width else 100) - len(self._indent)
        for line in render_table(rows, width=max(20, width), color=self._color):
            self._out(line)

    def _flush_fence(self) -> None:
        code = "\n".join(self._fence_lines)
        lang = self._fence_lang or None
        if self._color:
            body = highlight(code, lang, color=True) if lang else self._p(code, "cyan")
            for line in body.split("\n") if code else []:
                self._out("  " + line)
        else:
            for line in self._fence_lines:
                self._out(line)
        self._fence, self._fence_lang, self._fence_lines = None, "", []

    def _style(self, line: str) -> str:
        if not self._color:
            return line
        p = self._p
        m = _HEADING.match(line)
        if m:
            styles = ("bold", "underline") if len(m.group(1)) == 1 else ("bold",)
            return p(m.group(2), *styles)
        m = _BULLET.match(line)
        if m:
            line = f"{m.group(1)}• {m.group(2)}"
        line = _INLINE_CODE.sub(lambda g: p(g.group(1), "cyan"), line)
        return _STRONG.sub(lambda g: p(g.group(1) or g.group(2), "bold"), line)


def _cells(row: str) -> list[str]:
    """A table row's cells; `\\|` is a pipe inside a cell."""
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _cell_text(cell: str) -> object:
    """A cell's inline Markdown (`code`, **bold**) as rich Text, markers removed."""
    from rich.text import Text

    out = Text()
    pos = 0
    for m in re.finditer(r"`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__", cell):
        out.append(cell[pos:m.start()])
        if m.group(1) is not None:
            out.append(m.group(1), style="cyan")
        else:
            out.append(m.group(2) or m.group(3), style="bold")
        pos = m.end()
    out.append(cell[pos:])
    return out


def render_table(rows: list[str], *, width: int, color: bool) -> list[str]:
    """A GFM table (header, rule, body rows) drawn as a grid that fits `width` columns:
    rich wraps long cells; alignment follows the rule row's colons."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    header, rule, body = _cells(rows[0]), _cells(rows[1]), [_cells(r) for r in rows[2:]]
    table = Table(box=box.SQUARE, header_style="bold", show_edge=True, pad_edge=True)
    for i, name in enumerate(header):
        spec = rule[i] if i < len(rule) else ""
        justify = ("center" if spec.startswith(":") and spec.endswith(":")
                   else "right" if spec.endswith(":") else "left")
        table.add_column(_cell_text(name), justify=justify, overflow="fold")  # type: ignore[arg-type]
    for cells in body:
        cells = (cells + [""] * len(header))[: len(header)]
        table.add_row(*[_cell_text(c) for c in cells])  # type: ignore[arg-type]
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
        no_color=not color, highlight=False, emoji=False, soft_wrap=False,
    )
    console.print(table)
    return [line.rstrip() for line in buf.getvalue().rstrip("\n").split("\n")]


def render_markdown(
    text: str, *, color: bool, indent: str = "", width: Width | None = None
) -> str:
    """A complete Markdown block rendered the same way the stream renders it."""
    out: list[str] = []
    md = MarkdownStream(out.append, color=color, indent=indent, width=width)
    md.feed(text)
    md.finish()
    return "".join(out)


def truncate(text: str, width: int) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
