"""`--json-schema` answers: the final answer checked against the schema, one retry with the
validation errors, and what the result line then reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.protocol.outcomes import RunResult
from harness.protocol.session import Session
from harness.ui.headless_input import schema_retry_prompt


@dataclass
class Answered:
    """The run's outcome as the result line reports it (after any --json-schema retry)."""

    result: RunResult
    structured_output: Any = None
    schema_error: str | None = None  # the answer broke --json-schema twice


def _added(first: RunResult, second: RunResult) -> RunResult:
    """Two runs of one command (the answer, then its --json-schema retry) as one result."""
    return RunResult(status=second.status, result=second.result,
                     num_turns=first.num_turns + second.num_turns,
                     usage=first.usage + second.usage,
                     cost_usd=first.cost_usd + second.cost_usd, error=second.error)


async def answer_in_schema(session: Session, result: RunResult,
                            schema: dict[str, Any]) -> Answered:
    """Check the final answer against --json-schema; on a mismatch ask once more with the
    validation errors, then report a second mismatch."""
    from harness.agent.subagents.handoff import check_output

    if result.status != "done":
        return Answered(result)
    check = check_output(result.result, schema)
    if check.ok:
        return Answered(result, structured_output=check.value)
    retry = await session.run_prompt(schema_retry_prompt(check.problems))
    result = _added(result, retry)
    if retry.status != "done":
        return Answered(result)
    check = check_output(retry.result, schema)
    if check.ok:
        return Answered(result, structured_output=check.value)
    return Answered(result, schema_error=(
        "the final answer does not validate against --json-schema, also after one retry: "
        + "; ".join(check.problems)))
