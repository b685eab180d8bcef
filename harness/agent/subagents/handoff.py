"""Typed handoffs to sub-agents, and checking what comes back.

The parent passes a `Handoff` (goal, results so far, constraints, expected output); the
sub-agent's final message is validated against the declared JSON Schema and turned into
a compact tool result. A mismatch is an error result that names the wrong field and what
was expected, so the parent model can re-delegate or do the work itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from harness.tools.base import ToolOutput
from harness.tools.task import TaskHandoff

# A tool result the parent reads; longer sub-agent answers are cut with a pointer to the
# child thread, which keeps the full text.
MAX_RESULT_CHARS = 20_000
_MAX_ERRORS = 5
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)\n\s*```", re.DOTALL)


class HandoffError(ValueError):
    """A handoff the sub-agent cannot start from; says which field and what is allowed."""


class Handoff(TaskHandoff):
    """The typed handoff (fields in `harness.tools.task.TaskHandoff`, the Task tool's input)."""

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Handoff:
        try:
            handoff = cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"handoff.{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}"
                for e in exc.errors()
            )
            raise HandoffError(
                f"invalid handoff: {problems}; expected {{goal: str, results_so_far?: "
                "text or JSON, constraints?: [str], expected_output?: JSON Schema or text}"
            ) from None
        if isinstance(handoff.expected_output, dict):
            from harness.agent.subagents.definitions import check_json_schema

            try:
                check_json_schema(handoff.expected_output)
            except ValueError as exc:
                raise HandoffError(f"handoff.expected_output: {exc}") from None
        return handoff

    def output_schema(self, default: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The schema the answer must match: the handoff's own, else the definition's."""
        if isinstance(self.expected_output, dict) and self.expected_output:
            return self.expected_output
        return default

    def render(self, *, schema: dict[str, Any] | None, output_hint: str = "") -> str:
        """The sub-agent's first user message: the handoff, and how to answer."""
        parts = [f"# Goal\n{self.goal.strip()}"]
        if self.results_so_far not in ("", None, [], {}):
            results = self.results_so_far
            text = results if isinstance(results, str) else json.dumps(results, indent=2)
            parts.append(f"# Results so far\n{text.strip()}")
        if self.constraints:
            parts.append("# Constraints\n" + "\n".join(f"- {c}" for c in self.constraints))
        if schema is not None:
            parts.append(
                "# Output\nWhen done, reply with only a JSON value matching this JSON Schema "
                "(no prose around it):\n```json\n" + json.dumps(schema, indent=2) + "\n```"
            )
        else:
            wanted = self.expected_output if isinstance(self.expected_output, str) else ""
            wanted = wanted or output_hint
            if wanted:
                parts.append(f"# Output\n{wanted.strip()}")
        return "\n\n".join(parts)


@dataclass(slots=True)
class OutputCheck:
    ok: bool
    value: Any = None  # the parsed JSON when a schema applied and matched
    problems: list[str] = field(default_factory=list)


def extract_json(text: str) -> Any:
    """The JSON value in a model's final answer: the whole text, a fenced block, or the
    outermost {...} / [...] span. Raises ValueError when there is none."""
    stripped = text.strip()
    candidates = [stripped, *(m.group(1) for m in _FENCE.finditer(text))]
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = stripped.find(opener), stripped.rfind(closer)
        if 0 <= start < end:
            candidates.append(stripped[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except (json.JSONDecodeError, ValueError):
            continue
    raise ValueError("the answer contains no JSON value")


def check_output(text: str, schema: dict[str, Any] | None) -> OutputCheck:
    """Validate a final answer against `schema` (None: any non-empty text will do)."""
    if schema is None:
        if not text.strip():
            return OutputCheck(False, problems=["the sub-agent ended without a final answer"])
        return OutputCheck(True, value=text)
    try:
        value = extract_json(text)
    except ValueError as exc:
        return OutputCheck(False, problems=[f"{exc}; expected JSON matching the schema"])
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import relevance

    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(value), key=relevance)
    if not errors:
        return OutputCheck(True, value=value)
    return OutputCheck(False, value=value, problems=[_describe(e) for e in errors[:_MAX_ERRORS]])


def _describe(error: Any) -> str:
    """`at $.files[0].line: 'x' is not of type 'integer' (expected type: integer)`."""
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    expected = ""
    if error.validator in ("type", "enum", "const", "required", "minimum", "maximum",
                           "pattern", "minItems", "maxItems", "minLength", "maxLength"):
        expected = f" (expected {error.validator}: {json.dumps(error.validator_value)})"
    return f"at {path}: {error.message}{expected}"


def _cut(text: str, limit: int, child_thread_id: str) -> str:
    if len(text) <= limit:
        return text
    return (
        text[:limit]
        + f"\n[... {len(text) - limit} more characters; the full answer is in thread "
        f"{child_thread_id} (`harness sessions show {child_thread_id}`)]"
    )


def result_for_parent(
    *,
    agent: str,
    child_thread_id: str,
    status: str,
    text: str,
    schema: dict[str, Any] | None,
    error: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> ToolOutput:
    """The compact tool result the parent model reads for one finished sub-agent run."""
    meta: dict[str, Any] = {"agent": agent, "child_thread_id": child_thread_id, "status": status}
    meta.update(metadata or {})
    if status != "done":
        reason = error or status
        partial = f"\nIts last message was:\n{_cut(text, 2000, child_thread_id)}" if text else ""
        return ToolOutput(
            f"Sub-agent {agent!r} did not finish ({status}): {reason}. Child thread "
            f"{child_thread_id}.{partial}",
            is_error=True,
            metadata=meta,
        )
    check = check_output(text, schema)
    if not check.ok:
        meta["output_problems"] = check.problems
        return ToolOutput(
            f"Sub-agent {agent!r} finished but its answer does not match the expected output:\n"
            + "\n".join(f"- {p}" for p in check.problems)
            + f"\nIts answer was:\n{_cut(text, 2000, child_thread_id)}\n"
            "Delegate again with a clearer handoff, or do the work yourself.",
            is_error=True,
            metadata=meta,
        )
    if schema is not None:
        meta["output"] = check.value
        content = json.dumps(check.value, separators=(",", ":"), ensure_ascii=False)
    else:
        content = text.strip()
    return ToolOutput(_cut(content, MAX_RESULT_CHARS, child_thread_id), metadata=meta)
