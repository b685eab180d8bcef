"""Make tool and model values encodable everywhere they go (store, API, terminal, JSON).

A file name that is not UTF-8 reaches Python as lone surrogates (`surrogateescape`), which
no UTF-8 encoder accepts; a NUL byte breaks terminals and some databases. Both are shown
as escapes instead (`\\xff`, `\\x00`, `\\ud800`), so a poisoned name becomes readable text
and never an exception.
"""

from __future__ import annotations

import re
from typing import Any

_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a raw byte smuggled in by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code == 0:
        return "\\x00"
    return f"\\u{code:04x}"


def storable_text(text: str, *, keep_nul: bool = False) -> str:
    """`text` with every character no encoder takes (and NUL, unless kept) as an escape.

    Tool inputs keep NUL (JSON carries it as `\\u0000`, and a tool may mean it); outputs
    shown to people and models do not."""
    pattern = _SURROGATE if keep_nul else _UNENCODABLE
    if pattern.search(text) is None:  # the common case costs one scan
        return text
    return pattern.sub(_escape, text)


def storable(value: Any, *, keep_nul: bool = False) -> Any:
    """A JSON-like value (str, list, dict, scalars) with every string made storable."""
    if isinstance(value, str):
        return storable_text(value, keep_nul=keep_nul)
    if isinstance(value, dict):
        return {
            storable_text(str(k), keep_nul=keep_nul): storable(v, keep_nul=keep_nul)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [storable(v, keep_nul=keep_nul) for v in value]
    return value
