"""How every front-end writes token counts and ages."""

from __future__ import annotations


def human_tokens(n: int) -> str:
    """1234 → "1.2k", 2_500_000 → "2.5M"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)


def age(seconds: float) -> str:
    """How long ago, in the largest whole unit: "3h ago", "just now"."""
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size:.0f}{unit} ago"
    return "just now"
