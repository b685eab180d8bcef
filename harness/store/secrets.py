"""Keep secrets out of the store: values of secret-looking environment variables are
replaced by `[redacted:NAME]` in an event's JSON before it is written."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping

# Names that hold credentials by convention; matched case-insensitively.
_SECRET_NAME = re.compile(
    r"^(ANTHROPIC_API_KEY|.*_TOKEN|.*_SECRET|.*_KEY|.*PASSWORD.*|.*_API_KEY|.*SECRET_.*)$",
    re.IGNORECASE,
)
# Shorter values would redact ordinary words and numbers all over the log.
MIN_SECRET_LENGTH = 8


_cache: tuple[object, list[tuple[str, str]]] | None = None


def secret_values(environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(name, value) of secret-looking variables, longest value first so that a secret
    containing another is replaced whole."""
    global _cache
    if environ is None:
        # Scanning and decoding the environment on every append would cost more than the
        # database write; re-scan only when the environment's raw contents change.
        raw = getattr(os.environ, "_data", None)
        key = tuple(raw.items()) if isinstance(raw, dict) else tuple(os.environ.items())
        if _cache is not None and _cache[0] == key:
            return _cache[1]
        found = _scan(os.environ)
        _cache = (key, found)
        return found
    return _scan(environ)


def _scan(env: Mapping[str, str]) -> list[tuple[str, str]]:
    found = [
        (name, value)
        for name, value in env.items()
        if len(value) >= MIN_SECRET_LENGTH and _SECRET_NAME.match(name)
    ]
    found.sort(key=lambda item: len(item[1]), reverse=True)
    return found


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` (an event's JSON) with every verbatim secret value replaced."""
    for name, value in secret_values(environ):
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]  # as it appears inside JSON
        for form in {value, escaped}:
            if form in text:
                text = text.replace(form, f"[redacted:{name}]")
    return text
