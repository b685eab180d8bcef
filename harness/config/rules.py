"""Permission rule syntax: `Tool` or `Tool(specifier)`, parsed once so a typo is a config error.

Matching lives in `harness.permissions`; this module only knows the grammar and which tool
names exist, so a rule that could never match is refused when the config loads.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

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


def parse_rule(text: str, project_root: Path | None = None) -> Rule:
    """Parse `Bash(npm run test:*)`, `Edit(src/**)`, `Read`; raise RuleSyntaxError if bad.
    Path specifiers come back normalized (see `normalize_path_spec`); `project_root`, when
    known, lets an error name the exact `//abs` form to write instead."""
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
        if tool in PATH_TOOLS:
            spec = normalize_path_spec(tool, spec, project_root)
        if tool in COMMAND_TOOLS and spec.endswith(":*") and not spec[:-2].strip():
            raise RuleSyntaxError(f"rule {text!r} has an empty command prefix before ':*'")
        if tool in COMMAND_TOOLS and ":*" in spec[:-2]:
            raise RuleSyntaxError(f"rule {text!r}: ':*' is only allowed at the end of a Bash rule")
    return Rule(tool=tool, specifier=spec)


# --- path specifiers ---------------------------------------------------------------------
# Claude Code's forms: `//abs/path` from the filesystem root, `~/path` from the home folder,
# anything else a gitignore-style glob from the project root (`/src/x` anchored there).
_WILDCARD = re.compile(r"[*?\[]")


def _base_and_rest(spec: str) -> tuple[str, str]:
    if spec.startswith("//"):
        return "//", spec[2:]
    if spec == "~" or spec.startswith("~/"):
        return "~/", spec[2:]
    if spec.startswith("./"):
        return "/", spec[2:]  # `./src` means the project's `src`: anchored at the root
    if spec.startswith("/"):
        return "/", spec[1:]
    return "", spec


def _abs_form(tool: str, start: Path | None, rest: list[str], fallback: str) -> str:
    if start is None:
        return f"{tool}(//{fallback})"
    return f"{tool}(//{os.path.normpath(start.joinpath(*rest)).lstrip('/')})"


def normalize_path_spec(tool: str, spec: str, project_root: Path | None = None) -> str:
    """`./src//a/./b` → `/src/a/b`, `src/../lib/**` → `lib/**`. A specifier that climbs out
    of its base with `..` (or names `~user`) could never match the resolved paths calls are
    judged on: that is an error naming the `//abs` form to write instead."""
    if spec.startswith("~") and not (spec == "~" or spec.startswith("~/")):
        name, _, rest = spec[1:].partition("/")
        import pwd

        try:
            home = Path(pwd.getpwnam(name).pw_dir)
        except KeyError:
            raise RuleSyntaxError(
                f"rule {tool}({spec}) can never match: there is no user {name!r}; write an "
                f"absolute path as `{tool}(//abs/path)` or your home as `{tool}(~/path)`"
            ) from None
        raise RuleSyntaxError(
            f"rule {tool}({spec}) can never match: `~user` is not a rule form; write "
            f"`{_abs_form(tool, home, rest.split('/') if rest else [], '')}` instead")
    base, rest = _base_and_rest(spec)
    trailing = "/" if rest.endswith("/") and rest.strip("/") else ""
    out: list[str] = []
    for part in rest.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and not _WILDCARD.search(out[-1]) and out[-1] != "**":
                out.pop()
                continue
            if out:
                raise RuleSyntaxError(
                    f"rule {tool}({spec}) can never match: `..` after a wildcard names no "
                    "fixed folder; write the folder it means without `..`")
            if base == "//":
                continue  # `/..` is `/`
            start = {"~/": Path.home(), "/": project_root, "": project_root}[base]
            fallback = "absolute/path/" + "/".join(p for p in rest.split("/") if p != "..")
            raise RuleSyntaxError(
                f"rule {tool}({spec}) can never match: path rules are matched against "
                f"resolved paths, which never contain `..`; for a place outside the "
                f"{'home folder' if base == '~/' else 'project'} write "
                f"`{_abs_form(tool, start, rest.split('/'), fallback)}` instead")
        out.append(part)
    body = "/".join(out)
    if not body:
        if base in ("//", "~/"):
            return base.rstrip("/") if base == "~/" else "//"
        raise RuleSyntaxError(f"rule {tool}({spec}) names no path; drop the () to match "
                              "every call, or write `**` for every file")
    return base + body + trailing
