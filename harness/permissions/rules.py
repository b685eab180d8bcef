"""Rule matching: Bash command prefixes and globs, gitignore-style path globs, bare tools.

The grammar lives in `harness.config.rules`; this module knows what a rule means for a call.
"""

from __future__ import annotations

import fnmatch
import functools
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from harness.config.rules import (
    COMMAND_TOOLS,
    PATH_TOOLS,
    Rule,
    RuleSyntaxError,
    parse_rule,
)

if TYPE_CHECKING:
    from harness.permissions.shell import Part

MatchResult = Literal["yes", "no", "maybe"]
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


def _rule_words(spec: str) -> list[str]:
    try:
        return shlex.split(spec)
    except ValueError:
        return spec.split()


def part_matches(spec: str | None, part: Part) -> MatchResult:
    """Whether a deny/ask rule matches what bash will run for `part`: its argv after quote
    removal, the program as a basename (`/bin/rm`, `\\rm`, `'rm'` are all `rm`). "maybe"
    when a word the rule looks at is only known at run time."""
    if spec is None or spec == "*":
        return "yes"
    if command_matches(spec, part.text) or any(command_matches(spec, t) for t in part.alt_texts):
        return "yes"
    if part.program is None:
        return "maybe"
    words = [part.program, *part.words[1:]]
    prefix = spec.endswith(":*")
    want = _rule_words(spec[:-2] if prefix else spec)
    if not want:
        return "no"
    if "*" in spec[:-2 if prefix else None] or "?" in spec:
        if None in words:
            return "maybe" if fnmatch.fnmatchcase(part.program, want[0]) or "*" in want[0] \
                else "no"
        return "yes" if command_matches(spec, " ".join(w or "" for w in words)) else "no"
    for k, w in enumerate(want):
        if k >= len(words):
            # xargs and find -exec add arguments at run time; a prefix rule could match
            return "maybe" if part.open_args else "no"
        if words[k] is None:
            return "maybe"
        if words[k] != w:
            return "no"
    if prefix or len(words) == len(want):
        return "yes"
    return "maybe" if None in words[len(want):] else "no"


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
