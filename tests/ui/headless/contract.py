"""Helpers for headless contract tests: the shipped JSON Schemas as validators."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


@cache
def shipped_validator(name: str) -> Draft202012Validator:
    text = (resources.files("harness.ui") / "schemas" / name).read_text()
    return Draft202012Validator(json.loads(text))


def assert_valid_stream(lines: list[dict[str, Any]]) -> None:
    """Every line validates against the shipped stream-json schema; the last is the result,
    which validates against the result schema too."""
    stream = shipped_validator("stream-json.v1.schema.json")
    for line in lines:
        errors = [e.message for e in stream.iter_errors(line)]
        assert not errors, (line, errors)
    assert lines and lines[-1]["type"] == "result"
    assert_valid_result(lines[-1])


def assert_valid_result(result: dict[str, Any]) -> None:
    errors = [e.message for e in shipped_validator("result.v1.schema.json").iter_errors(result)]
    assert not errors, (result, errors)
