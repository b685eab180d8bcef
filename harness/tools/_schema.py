"""Tool schemas without `$ref`: nested models are inlined, since models fill a flat schema
more reliably than one that points elsewhere."""

from __future__ import annotations

import copy
from typing import Any


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a tool definition whose input_schema has its `$defs` inlined."""
    out = copy.deepcopy(schema)
    body = out.get("input_schema", out)
    defs = body.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                target = copy.deepcopy(defs[ref.rsplit("/", 1)[1]])
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return walk({**target, **rest})
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    walked = walk(body)
    if "input_schema" in out:
        out["input_schema"] = walked
        return out
    return walked
