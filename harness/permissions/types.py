"""Values the permission engine takes and returns. Pure data: no I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.config.rules import Rule
from harness.protocol.kinds import Category, Grade, Mode, Verdict

__all__ = ["Category", "Grade", "Mode", "Verdict"]  # the closed sets, spelled in protocol


@dataclass(frozen=True, slots=True)
class ToolCall:
    tool: str
    input: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PermissionContext:
    """Everything `decide` may consult besides the call itself."""

    project_root: Path
    mode: Mode = "default"
    cwd: Path | None = None  # the Bash tool's current folder; defaults to project_root
    extra_roots: tuple[Path, ...] = ()
    allow: tuple[Rule, ...] = ()
    ask: tuple[Rule, ...] = ()
    deny: tuple[Rule, ...] = ()
    interrupt_before: tuple[Rule, ...] = ()
    session_allow: tuple[Rule, ...] = ()  # "approve for this session" grants, from the log
    home: Path = field(default_factory=Path.home)
    writable_extra: tuple[Path, ...] = ()  # sandbox.writable: writes there count as in-project
    # Files and folders no tool writes without a person (hook scripts, agent definition and
    # user config folders), from settings; git internals and `.harness/` need no listing.
    protected: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    decision: Verdict
    category: Category
    reason: str
    rule: str | None = None  # the rule that decided, when one did
    grade: Grade = "recoverable"
    # An ask only a person may answer (ask rules, breakpoints, .git/config writes, AskUser):
    # a hook's "allow" does not turn it into allow.
    firm: bool = False
    # Which check decided, in a few words: "secret path", "protected path: .git/config",
    # "mode default: shell asks", "rule Bash(npm test:*) from .harness/config.toml".
    check: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision, "category": self.category, "reason": self.reason,
            "rule": self.rule, "grade": self.grade, "check": self.check,
        }
