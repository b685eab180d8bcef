"""How a run ends. Limits and waits are exceptions (one base, `RunStopped`) that unwind the
loop to one place; `RunResult` is what that place reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.protocol.kinds import RunStatus
from harness.protocol.usage import Usage


class RunStopped(Exception):
    """Base of every way a run stops before its model says it is done."""


class AwaitingApproval(RunStopped):
    """An ask is pending and the approver chose not to answer now."""


class LimitReached(RunStopped):
    """A turn, token, cost or time limit stopped the run."""


class RunFailed(RunStopped):
    """The run cannot go on (model unreachable after retries, refusal, …). `recorded`: its
    error event is already in the log."""

    def __init__(self, message: str, *, recorded: bool = False) -> None:
        super().__init__(message)
        self.recorded = recorded


@dataclass
class RunResult:
    status: RunStatus
    result: str = ""
    num_turns: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    error: str | None = None

    @property
    def is_error(self) -> bool:
        return self.status in ("failed", "limit", "cancelled")
