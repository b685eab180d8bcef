"""Permission rule syntax: `Tool` or `Tool(specifier)`, parsed once so a typo is a config error.

Matching lives in `harness.permissions`; this module only knows the grammar and which tool
names exist, so a rule that could never match is refused when the config loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Every tool name a rule may name (the architecture's tool list). `Task` is the subagent tool.
KNOWN_TOOLS: tuple[str, ...] = (
    "Read",
    "Write",
    "Edit",
    "MultiEdit",
    "Glob",
    "Grep",
    "LS",
    "Bash",
    "GitStatus",
    "GitDiff",
    "GitLog",
    "GitCommit",
    "GitPush",
    "TodoWrite",
    "AskUser",
    "Task",
)
# Tools whose specifier is a path glob, and tools whose specifier is a command pattern.
PATH_TOOLS = frozenset({"Read", "Write", "Edit", "MultiEdit", "Glob", "Grep", "LS"})
COMMAND_TOOLS = frozenset({"Bash"})
# Tools whose calls carry nothing a specifier could name: `GitStatus(x)` could never match.
NO_SPECIFIER_TOOLS = frozenset(
    {"GitStatus", "GitDiff", "GitLog", "GitCommit", "TodoWrite", "AskUser"}
)

_RULE = re.compile(r"^(?P<tool>[A-Za-z][A-Za-z0-9_]*)(?:\((?P<spec>.*)\))?$", re.DOTALL)


class RuleSyntaxError(ValueError):
    """A rule string that does not follow `Tool` or `Tool(specifier)`."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One permission rule as written: the tool it names and an optional specifier."""

    tool: str
    specifier: str | None = None
    # Where the rule was written (a config file, "command line", "session approval"): shown
    # when the rule decides; not part of what the rule means, so not compared.
    source: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return self.tool if self.specifier is None else f"{self.tool}({self.specifier})"


def parse_rule(text: str) -> Rule:
    """Parse `Bash(npm run test:*)`, `Edit(src/**)`, `Read`; raise RuleSyntaxError if bad."""
    raw = text.strip()
    if not raw:
        raise RuleSyntaxError(
            "empty rule; write `Tool` or `Tool(specifier)`, e.g. `Bash(npm test:*)`"
        )
    if raw.count("(") and not raw.endswith(")"):
        raise RuleSyntaxError(
            f"rule {text!r} has an unclosed '('; write `Tool(specifier)`, e.g. `Bash(npm test:*)`"
        )
    m = _RULE.match(raw)
    if not m:
        raise RuleSyntaxError(
            f"rule {text!r} is not `Tool` or `Tool(specifier)`; "
            "e.g. `Bash(git diff:*)`, `Edit(src/**)`"
        )
    tool, spec = m.group("tool"), m.group("spec")
    if tool not in KNOWN_TOOLS:
        raise RuleSyntaxError(
            f"rule {text!r} names unknown tool {tool!r}; known tools: {', '.join(KNOWN_TOOLS)}"
        )
    if spec is not None:
        spec = spec.strip()
        if not spec:
            raise RuleSyntaxError(
                f"rule {text!r} has an empty specifier; drop the () to match every call"
            )
        if tool in NO_SPECIFIER_TOOLS:
            raise RuleSyntaxError(
                f"rule {text!r} can never match: {tool} calls have nothing a specifier could "
                f"name; write plain `{tool}`"
            )
        if tool in PATH_TOOLS and spec.startswith("!"):
            raise RuleSyntaxError(f"rule {text!r}: a negated path ('!') can never match a call")
        if tool in COMMAND_TOOLS and spec.endswith(":*") and not spec[:-2].strip():
            raise RuleSyntaxError(f"rule {text!r} has an empty command prefix before ':*'")
        if tool in COMMAND_TOOLS and ":*" in spec[:-2]:
            raise RuleSyntaxError(f"rule {text!r}: ':*' is only allowed at the end of a Bash rule")
    return Rule(tool=tool, specifier=spec)
