"""Cost per response from the shipped prices."""

from __future__ import annotations

import pytest

from harness.config.loader import load_config
from harness.config.schema import Price
from harness.model.pricing import cost_usd, is_priced, price_for
from harness.protocol.usage import Usage


@pytest.fixture
def prices(tmp_path):
    return load_config(tmp_path).settings.prices  # the shipped config/defaults.toml


def test_cost_sums_all_four_token_kinds_at_shipped_sonnet_prices(prices):
    usage = Usage(
        input_tokens=1_000_000,
        output_tokens=100_000,
        cache_creation_input_tokens=200_000,
        cache_read_input_tokens=2_000_000,
    )
    # 3.00 + 1.50 + 0.75 + 0.60
    assert cost_usd("claude-sonnet-4-5", usage, prices) == pytest.approx(5.85)


def test_dated_model_id_uses_its_family_price(prices):
    usage = Usage(input_tokens=1000, output_tokens=1000)
    assert cost_usd("claude-sonnet-4-5-20250929", usage, prices) == pytest.approx(0.018)
    assert cost_usd("claude-haiku-4-5-20251001", usage, prices) == pytest.approx(0.006)


def test_longest_prefix_wins():
    prices = {
        "claude-opus-4": Price(input=1, output=1, cache_write=1, cache_read=1),
        "claude-opus-4-1": Price(input=15, output=75, cache_write=18.75, cache_read=1.5),
    }
    assert price_for("claude-opus-4-1-20250805", prices).input == 15
    assert price_for("claude-opus-4-0", prices).input == 1


def test_unknown_model_costs_zero_and_is_flagged(prices):
    assert cost_usd("gpt-imaginary", Usage(input_tokens=10**6), prices) == 0.0
    assert not is_priced("gpt-imaginary", prices)
    assert is_priced("claude-opus-4-5", prices)


def test_cost_text_says_unknown_rather_than_zero():
    from harness.model.pricing import cost_line, cost_text

    assert cost_text(0.01234, True) == "$0.0123" and cost_text(0.5, True, 3) == "$0.500"
    assert cost_text(0.0, False) == "cost unknown"
    assert cost_line(0.25, []) == "cost $0.2500"
    assert cost_line(0.0, ["a", "b"]) == "cost unknown (no price configured for a, b)"
