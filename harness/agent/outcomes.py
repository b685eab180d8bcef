"""How a run ends. Limits and waits are exceptions that unwind the loop to one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from harness.store.events import Usage

Status = Literal["done", "failed", "cancelled", "limit", "awaiting_approval"]


class AwaitingApproval(Exception):
    """An ask is pending and the approver chose not to answer now."""


class LimitReached(Exception):
    """A turn, token, cost or time limit stopped the run."""


class RunFailed(Exception):
    """The run cannot go on (model unreachable after retries, refusal, …). `recorded`: its
    error event is already in the log."""

    def __init__(self, message: str, *, recorded: bool = False) -> None:
        super().__init__(message)
        self.recorded = recorded


@dataclass
class RunResult:
    status: Status
    result: str = ""
    num_turns: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    error: str | None = None

    @property
    def is_error(self) -> bool:
        return self.status in ("failed", "limit", "cancelled")
