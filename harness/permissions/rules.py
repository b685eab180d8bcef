"""Rule matching: Bash command prefixes and globs, gitignore-style path globs, bare tools.

The grammar lives in `harness.config.rules`; this module knows what a rule means for a call.
"""

from __future__ import annotations

import fnmatch
import functools
from pathlib import Path

from harness.config.rules import (
    COMMAND_TOOLS,
    PATH_TOOLS,
    Rule,
    RuleSyntaxError,
    parse_rule,
)

EDIT_FAMILY = frozenset({"Edit", "Write", "MultiEdit"})
READ_FAMILY = frozenset({"Read", "Glob", "Grep", "LS"})
# Tools whose calls carry nothing a specifier could name: `GitStatus(x)` could never match.
NO_SPECIFIER = frozenset({"GitStatus", "GitDiff", "GitLog", "GitCommit", "TodoWrite", "AskUser"})


def applies_to(rule: Rule, tool: str) -> bool:
    """`Edit(...)` rules cover every file-editing tool; `Read(...)` every reading tool."""
    if rule.tool == tool:
        return True
    return (rule.tool == "Edit" and tool in EDIT_FAMILY) or (
        rule.tool == "Read" and tool in READ_FAMILY)


def check_rule(rule: Rule) -> Rule:
    """Refuse rules that parse but could never match anything; return the rule."""
    spec = rule.specifier
    if spec is None:
        return rule
    if rule.tool in NO_SPECIFIER:
        raise RuleSyntaxError(
            f"rule {rule} can never match: {rule.tool} calls have nothing to match a specifier "
            f"against; write plain `{rule.tool}`")
    if rule.tool in PATH_TOOLS:
        if spec.startswith("!"):
            raise RuleSyntaxError(f"rule {rule}: a negated path ('!') can never match a call")
        try:
            _spec(_pattern_and_base(spec)[0])
        except Exception as exc:
            raise RuleSyntaxError(f"rule {rule}: invalid path pattern ({exc})") from None
    if rule.tool in COMMAND_TOOLS and spec.strip() in (":*",):
        raise RuleSyntaxError(f"rule {rule} has an empty command prefix")
    return rule


def parse_checked(text: str) -> Rule:
    return check_rule(parse_rule(text))


# --- Bash ---------------------------------------------------------------------------------
def command_matches(spec: str | None, text: str) -> bool:
    """`npm test:*` is a word prefix; other `*` are globs; anything else is exact."""
    text = " ".join(text.split())
    if spec is None or spec == "*":
        return True
    if spec.endswith(":*"):
        prefix = " ".join(spec[:-2].split())
        return text == prefix or text.startswith(prefix + " ")
    if "*" in spec or "?" in spec:
        return fnmatch.fnmatchcase(text, " ".join(spec.split()))
    return text == " ".join(spec.split())


# --- paths --------------------------------------------------------------------------------
def _pattern_and_base(spec: str) -> tuple[str, str]:
    if spec.startswith("//"):
        return spec[1:], "abs"
    if spec == "~" or spec.startswith("~/"):
        return spec[2:] or "**", "home"
    return spec, "root"


@functools.lru_cache(maxsize=512)
def _spec(pattern: str):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])


def path_matches(spec: str | None, paths: tuple[Path, ...], root: Path, home: Path) -> bool:
    """Whether any of `paths` (absolute: as written and resolved) matches the glob `spec`."""
    if spec is None:
        return True
    pattern, base = _pattern_and_base(spec)
    anchor = {"abs": Path("/"), "home": home, "root": root}[base]
    compiled = _spec(pattern)
    for p in paths:
        if p == anchor or not p.is_relative_to(anchor):
            continue
        rel = p.relative_to(anchor).as_posix()
        if compiled.match_file(rel):
            return True
    return False


def text_matches(spec: str | None, text: str) -> bool:
    """Specifiers of other tools (`Task(reviewer)`, `GitPush(origin*)`): a glob on a text."""
    return spec is None or fnmatch.fnmatchcase(text, spec)
