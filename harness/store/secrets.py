"""One redaction rule set for everything harness writes down: stored events (and the spill),
headless output, traces and logs.

Two rules, applied to any text (plain, or JSON where values appear escaped):
- the value of every environment variable whose name says it holds a credential
  (`*_KEY`, `*_KEY_ID`, `*SECRET*`, `*TOKEN*`, `*PASSWORD*`, `*CREDENTIAL*`, `*_AUTH*`, …)
  becomes `[redacted:NAME]`;
- the password of a URL (`scheme://user:PASSWORD@host`) becomes `[redacted]`, in any text;
  and a password found in any environment value's URL (`DATABASE_URL`) is redacted
  wherever it appears, alone too.
It runs on every append, so each rule starts with the cheapest test that can rule it out.

`redact(text)` is the entry point; `scrub` (an event's JSON) and `secret_values` are the
older names, kept.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

# Names that hold credentials by convention; matched case-insensitively.
_SECRET_NAME = re.compile(
    r"^(?:.*_KEY|.*_KEY_ID|.*API_?KEY.*|.*PRIVATE_?KEY.*|.*SECRET.*|.*TOKEN.*|.*PASSW(?:OR)?D.*"
    r"|.*PASSPHRASE.*|.*CREDENTIAL.*|.*_AUTH.*|.*_PAT|.*_PWD)$",
    re.IGNORECASE,
)
# Matched by the pattern but known to hold no secret (a socket path, a flag).
_NOT_SECRET = frozenset({"SSH_AUTH_SOCK", "TOKENIZERS_PARALLELISM"})
# Shorter values would redact ordinary words and numbers all over the log.
MIN_SECRET_LENGTH = 8

# The user:password@ right after a "://": the password stops at the first character a URL,
# a quote, a JSON escape or white space would end it with.
_USERINFO = re.compile(r"[^\s:/@\"'\\<>]*:([^\s@/\"'\\<>]+)@")
URL_MASK = "[redacted]"


def _url_password_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL password in `text`: found from each "://" (str.find, nearly
    free when there is none) with one anchored match, not by a regex over the whole text."""
    spans: list[tuple[int, int]] = []
    at = text.find("://")
    while at >= 0:
        m = _USERINFO.match(text, at + 3)
        if m:
            spans.append(m.span(1))
        at = text.find("://", at + 3)
    return spans


def redact_url_passwords(text: str) -> str:
    """Only the URL rule: `scheme://user:[redacted]@host` (store URLs in messages)."""
    if "://" not in text:
        return text
    spans = _url_password_spans(text)
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], URL_MASK]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a credential."""
    return name.upper() not in _NOT_SECRET and bool(_SECRET_NAME.match(name))


class Redactor:
    """The rule set for one environment, compiled: each secret's plain and JSON-escaped
    forms, longest first so that a secret containing another is replaced whole."""

    __slots__ = ("_forms",)

    def __init__(self, secrets: list[tuple[str, str]]) -> None:
        forms: list[tuple[str, str]] = []
        for name, value in secrets:
            mask = f"[redacted:{name}]"
            escaped = json.dumps(value, ensure_ascii=False)[1:-1]  # as it appears inside JSON
            forms.append((value, mask))
            if escaped != value:
                forms.append((escaped, mask))
        forms.sort(key=lambda item: len(item[0]), reverse=True)
        self._forms = tuple(forms)

    def __call__(self, text: str) -> str:
        for form, mask in self._forms:
            if form in text:
                text = text.replace(form, mask)
        return redact_url_passwords(text)


_cache: tuple[dict[Any, Any], list[tuple[str, str]], Redactor] | None = None


def _environment_rules() -> tuple[list[tuple[str, str]], Redactor]:
    global _cache
    # Scanning and decoding the environment on every append would cost more than the
    # database write; re-scan only when the environment's raw contents change.
    raw = getattr(os.environ, "_data", None)
    if not isinstance(raw, dict):
        raw = dict(os.environ)
    if _cache is not None and _cache[0] == raw:
        return _cache[1], _cache[2]
    found = _scan(os.environ)
    _cache = (dict(raw), found, Redactor(found))
    return found, _cache[2]


def secret_values(environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(name, value) of every secret in the environment, longest value first: values of
    secret-named variables, and passwords inside any variable's URL (named `NAME:url`)."""
    if environ is None:
        return _environment_rules()[0]
    return _scan(environ)


def _scan(env: Mapping[str, str]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for name, value in env.items():
        if len(value) >= MIN_SECRET_LENGTH and is_secret_name(name):
            found.setdefault(value, name)
        if "://" in value:
            for start, end in _url_password_spans(value):
                if end - start >= MIN_SECRET_LENGTH:
                    found.setdefault(value[start:end], f"{name}:url")
    pairs = [(name, value) for value, name in found.items()]
    pairs.sort(key=lambda item: len(item[1]), reverse=True)
    return pairs


def redactor(environ: Mapping[str, str] | None = None) -> Redactor:
    """The rule set for `environ` (default: this process's environment, cached)."""
    if environ is None:
        return _environment_rules()[1]
    return Redactor(_scan(environ))


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` (plain or JSON) with every secret replaced by the rules above."""
    return redactor(environ)(text)


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    """An event's JSON with every secret replaced (the store calls this on each append)."""
    return redactor(environ)(text)


def redact_data(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string redacted: for output
    that is built as data and serialised later (stream-json lines, span attributes)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    return value


_filter: Any = None


def _redacting_filter() -> Any:
    """A logging.Filter that redacts each record's final message and traceback (built on
    first use: `logging` stays out of start-up)."""
    global _filter
    if _filter is None:
        import logging

        class RedactingFilter(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                message = record.getMessage()
                cleaned = redact(message)
                if cleaned != message or record.args:
                    record.msg, record.args = cleaned, None
                if record.exc_info and record.exc_info[1] is not None:
                    text = logging.Formatter().formatException(record.exc_info)
                    record.exc_text, record.exc_info = redact(text), None
                return True

        _filter = RedactingFilter()
    return _filter


def redacting_logger(name: str) -> Any:
    """`logging.getLogger(name)` whose records are redacted before any handler sees them
    (a logger's own filters run only for records made on it, so each module takes its own)."""
    import logging

    logger = logging.getLogger(name)
    if _redacting_filter() not in logger.filters:
        logger.addFilter(_redacting_filter())
    return logger
