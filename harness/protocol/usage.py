"""Token counts of one model response, or a sum of several."""

from __future__ import annotations

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
