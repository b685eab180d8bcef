"""A run's own options, recorded in its `session_started` event so that a later resume of
the thread keeps them: allow/deny rules, permission mode, model, budget, max turns, on-ask.

Only the settings a run is started with are kept (never UI taste such as vi keys); on
resume, whatever the resuming command sets explicitly wins over the recorded value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Dotted config keys that belong to a run (set by -p/resume flags), kept across resumes.
RUN_OPTION_KEYS: tuple[str, ...] = (
    "permissions.allow",
    "permissions.deny",
    "permissions.mode",
    "permissions.allow_bypass",
    "model.name",
    "agent.max_cost_usd",
)


@dataclass(frozen=True)
class RunOptions:
    flags: dict[str, Any] = field(default_factory=dict)  # subset of RUN_OPTION_KEYS
    max_turns: int | None = None
    on_ask: str | None = None  # headless only: "deny" | "interrupt"

    @classmethod
    def explicit(cls, opts: Any) -> RunOptions:
        """What this command itself set (a SessionOptions)."""
        flags = {k: v for k, v in (opts.flags or {}).items() if k in RUN_OPTION_KEYS}
        return cls(flags, opts.max_turns, getattr(opts, "on_ask", None))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunOptions:
        raw = data.get("flags")
        flags = {k: v for k, v in raw.items() if k in RUN_OPTION_KEYS} if isinstance(
            raw, dict) else {}
        max_turns = data.get("max_turns")
        on_ask = data.get("on_ask")
        return cls(
            flags,
            max_turns if isinstance(max_turns, int) and max_turns > 0 else None,
            on_ask if on_ask in ("deny", "interrupt") else None,
        )

    def over(self, recorded: RunOptions) -> RunOptions:
        """These options where set, the recorded ones elsewhere."""
        return RunOptions(
            {**recorded.flags, **self.flags},
            self.max_turns if self.max_turns is not None else recorded.max_turns,
            self.on_ask if self.on_ask is not None else recorded.on_ask,
        )

    def to_json(self) -> dict[str, Any]:
        return {"flags": dict(self.flags), "max_turns": self.max_turns, "on_ask": self.on_ask}
