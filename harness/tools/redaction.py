"""Tool output with the session's own secrets taken out, before it is stored, shown or sent
to the model: the values of harness's credential-named environment variables (the store's
list and the sandbox's withheld names) become `[redacted:NAME]`."""

from __future__ import annotations

import os
from typing import Any

from harness.tools.base import ToolOutput

MIN_LENGTH = 8  # shorter values would redact ordinary words and numbers


def session_secrets() -> list[tuple[str, str]]:
    """(name, value) pairs to redact, longest value first (a secret containing another is
    replaced whole)."""
    from harness.permissions.sandbox_env import withheld_names
    from harness.store.secrets import secret_values

    found = dict((value, name) for name, value in secret_values())
    for name in withheld_names(os.environ):
        value = os.environ.get(name, "")
        if len(value) >= MIN_LENGTH:
            found.setdefault(value, name)
    return sorted(((n, v) for v, n in found.items()), key=lambda item: len(item[1]),
                  reverse=True)


def redact_text(text: str, secrets: list[tuple[str, str]] | None = None) -> str:
    for name, value in session_secrets() if secrets is None else secrets:
        if value in text:
            text = text.replace(value, f"[redacted:{name}]")
    return text


def _redact_value(value: Any, secrets: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v, secrets) for v in value]
    return value


def redact_output(output: ToolOutput) -> ToolOutput:
    """`output` with every secret value replaced in its content and metadata (in place)."""
    secrets = session_secrets()
    if not secrets:
        return output
    output.content = redact_text(output.content, secrets)
    output.metadata = _redact_value(output.metadata, secrets)
    return output
