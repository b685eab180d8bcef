"""The typed error for settings that cannot be used, shared by the loader and the shipped
data files (kept apart so neither imports the other)."""

from __future__ import annotations


class ConfigError(Exception):
    """A config layer that cannot be used: names where, which key and what is allowed."""

    def __init__(self, source: str, message: str, key: str | None = None) -> None:
        self.source, self.key, self.message = source, key, message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)
