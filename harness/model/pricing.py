"""Cost of a response in USD from the per-model prices in settings (config/defaults.toml)."""

from __future__ import annotations

from collections.abc import Mapping

from harness.config.schema import Price
from harness.protocol.usage import Usage

_PER = 1_000_000  # prices are USD per million tokens


def price_for(model: str, prices: Mapping[str, Price]) -> Price | None:
    """The price of `model`: an exact id, else the longest configured id it starts with.

    The prefix match covers dated ids (`claude-sonnet-4-5-20250929`) and provider
    suffixes (`claude-opus-4-1@20250805`). None when no configured price applies.
    """
    price = prices.get(model)
    if price is not None:
        return price
    best = ""
    for name in prices:
        if model.startswith(name) and len(name) > len(best):
            best = name
    return prices[best] if best else None


def is_priced(model: str, prices: Mapping[str, Price]) -> bool:
    """False when the UI should show the cost as unknown rather than $0."""
    return price_for(model, prices) is not None


def cost_usd(model: str, usage: Usage, prices: Mapping[str, Price]) -> float:
    """USD for `usage` at `model`'s prices; 0.0 for an unknown model (see is_priced)."""
    price = price_for(model, prices)
    if price is None:
        return 0.0
    return (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_creation_input_tokens * price.cache_write
        + usage.cache_read_input_tokens * price.cache_read
    ) / _PER
