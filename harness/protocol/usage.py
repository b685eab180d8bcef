"""Token counts of one model response, or a sum of several; a thread's spend, split between
its own turns and its sub-agents'."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict


class Usage(BaseModel):
    """Token counts of one model response (or a sum of several)."""

    model_config = ConfigDict(extra="ignore")  # the SDK adds counters we do not sum
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens
            + other.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
        )

    @property
    def total(self) -> int:
        return (
            self.input_tokens + self.output_tokens
            + self.cache_creation_input_tokens + self.cache_read_input_tokens
        )

    @property
    def context_tokens(self) -> int:
        """Tokens the model saw as input for this response (what fills the window)."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


@dataclass(frozen=True)
class Spend:
    """What a thread has spent: its own model calls (turns, compaction) and its sub-agents'
    (their whole threads, their own sub-agents included). Every display reads the totals."""

    own_usage: Usage = field(default_factory=Usage)
    own_cost_usd: float = 0.0
    subagent_usage: Usage = field(default_factory=Usage)
    subagent_cost_usd: float = 0.0
    subagent_runs: int = 0  # Task calls whose sub-agent finished

    @property
    def usage(self) -> Usage:
        return self.own_usage + self.subagent_usage

    @property
    def cost_usd(self) -> float:
        return self.own_cost_usd + self.subagent_cost_usd

    def split_text(self) -> str:
        """For `/cost`: how the total divides between the thread and its sub-agents ("" when
        no sub-agent ran)."""
        if not self.subagent_runs:
            return ""
        runs = "run" if self.subagent_runs == 1 else "runs"
        return (f" (this agent ${self.own_cost_usd:.4f}, {self.own_usage.total} tok · "
                f"sub-agents ${self.subagent_cost_usd:.4f}, {self.subagent_usage.total} tok, "
                f"{self.subagent_runs} {runs})")
