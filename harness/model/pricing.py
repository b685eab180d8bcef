"""Cost of a response in USD from the per-model prices in settings (the shipped defaults,
`config/defaults.toml`, plus any `[prices."MODEL"]` table in a config file).

A model with no price has an unknown cost: front-ends say so instead of showing $0, and a
cost budget cannot be enforced for it, so such a run refuses to start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type hints only: the TUI's status line imports this before its first frame
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


def cost_text(usd: float, known: bool, digits: int = 4) -> str:
    """`$0.0123`, or `cost unknown` when a model of the thread has no configured price."""
    return f"${usd:.{digits}f}" if known else "cost unknown"


def cost_line(usd: float, unpriced: list[str]) -> str:
    """For `/cost`: the amount, or which models have no price."""
    if not unpriced:
        return f"cost {cost_text(usd, True)}"
    return f"cost unknown (no price configured for {', '.join(unpriced)})"


def price_hint(model: str) -> str:
    return (f'add a [prices."{model}"] table (input, output, cache_write, cache_read in USD per '
            "million tokens) to ~/.config/harness/config.toml or .harness/config.toml")


def unpriced_notice(models: list[str]) -> str:
    """The start-up notice for models whose cost cannot be computed."""
    names = ", ".join(models)
    return f"no price configured for {names}: cost is shown as unknown; {price_hint(models[0])}"


def unpriced_budget_message(models: list[str], budget: float) -> str:
    """Why a run with a cost budget and an unpriced model does not start."""
    names = ", ".join(models)
    return (f"a cost budget of ${budget:g} cannot be enforced: no price is configured for "
            f"{names}, so its spend is unknown; {price_hint(models[0])}, or run without "
            "--max-budget-usd / agent.max_cost_usd")
