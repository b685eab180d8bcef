"""`decide(call, ctx) -> Decision`: deny rules → ask rules and interrupt_before → allow rules
(and session grants) → the mode's table. Pure apart from reading filesystem metadata.

Every decision names the check that made it (`Decision.check`), so "why did it ask?" has a
short answer: `secret path`, `protected path: .git/config`, `mode default: shell asks`."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

from harness.config.rules import Rule
from harness.permissions import paths as P
from harness.permissions.grades import grade_for
from harness.permissions.protected import has_other_names, protection
from harness.permissions.rules import (
    applies_to,
    command_matches,
    part_matches,
    path_matches,
    text_matches,
)
from harness.permissions.shell import ShellAnalysis, analyze
from harness.permissions.types import Category, Decision, Grade, PermissionContext, ToolCall

READ_TOOLS = frozenset({"Read", "Glob", "Grep", "LS", "GitStatus", "GitDiff", "GitLog"})
WRITE_TOOLS = frozenset({"Write", "Edit", "MultiEdit"})
META_TOOLS = frozenset({"TodoWrite", "AskUser", "Task"})
SEARCH_TOOLS = frozenset({"Glob", "Grep"})
GLOB_CHARS = frozenset("*?[{")

SECRET = "secret path"
OUTSIDE = "outside project"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found: `check` is its short name, `reason` the sentence shown."""

    check: str
    reason: str


@dataclass
class Facts:
    """What the engine learnt about a call before consulting any rule."""

    category: Category
    reason: str
    grade: Grade
    ok_check: str = "read-only"  # the check's name when the mode table allows a read
    hard: Finding | None = None  # asks whatever the allow rules or mode say (plan: denies)
    concern: Finding | None = None  # a read that asks unless a rule allows it or mode is bypass
    inside: bool = True
    paths: tuple[Path, ...] = ()  # (as written, resolved) for path rules
    real: tuple[Path, ...] = ()  # resolved only: what allow rules must match
    shell: ShellAnalysis | None = None
    text: str = ""  # for Task/GitPush specifiers
    extra: dict = field(default_factory=dict)


def _roots(ctx: PermissionContext) -> tuple[Path, list[Path], list[Path]]:
    root = P.real_root(ctx.project_root)
    write_roots = [root, *(P.real_root(p) for p in ctx.writable_extra)]
    read_roots = [*write_roots, *(P.real_root(p) for p in ctx.extra_roots)]
    return root, read_roots, write_roots


def _path_input(call: ToolCall) -> str | None:
    inp = call.input
    if call.tool in ("Read", "Write", "Edit", "MultiEdit"):
        value = inp.get("file_path")
    else:
        value = inp.get("path") or "."
    return value if isinstance(value, str) and value else None


def read_concern(rp: P.ResolvedPath, read_roots: list[Path],
                 folder: bool = False) -> Finding | None:
    """Why reading `rp` needs a person: a link that cannot be resolved, a likely secret, or a
    place outside the project (and extra roots). A `folder` searched or listed is a secret
    when what it holds would be (`~/.ssh`, `.aws/`)."""
    if rp.problem:
        return Finding("unresolvable path", f"{rp.raw}: {rp.problem}")
    if P.is_secret(rp) or (folder and (P.is_secret_path(rp.real / "x")
                                      or P.is_secret_path(rp.lexical / "x"))):
        return Finding(SECRET, f"{rp.raw} looks like a secret (keys, tokens, .env files)")
    if not P.inside(rp.real, read_roots):
        return Finding(OUTSIDE, f"{rp.raw} is outside the project")
    return None


def _fixed_prefix(pattern: str) -> str:
    """The folder part of a glob before its first wildcard: `src/**/x.py` → `src`."""
    parts = pattern.split("/")
    fixed = []
    for part in parts[:-1]:
        if GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return "/".join(fixed) or ("/" if pattern.startswith("/") else ".")


def search_targets(call: ToolCall) -> list[str] | None:
    """The folders (or file) a Glob/Grep call reads: its `path`, and for Glob the fixed part
    of its pattern (an absolute pattern is its own base; `..` in it must not climb out)."""
    base = call.input.get("path") or "."
    pattern = call.input.get("pattern")
    if not isinstance(base, str):
        return None
    if not isinstance(pattern, str):
        pattern = ""  # the tool refuses such a call; it reads nothing beyond `path`
    targets = [base]
    if call.tool == "Glob" and pattern:
        prefix = _fixed_prefix(pattern)
        if os.path.isabs(prefix) or prefix.startswith("~"):
            # Without a `path` the tool searches from the pattern's own folder.
            targets = [prefix] if not call.input.get("path") else [base, prefix]
        elif prefix != ".":
            targets.append(os.path.join(base, prefix))
    return targets


def _classify_read(call: ToolCall, ctx: PermissionContext, root: Path,
                   read_roots: list[Path]) -> Facts:
    raws = search_targets(call) if call.tool in SEARCH_TOOLS else [_path_input(call)]
    if not raws or any(r is None for r in raws):
        return Facts("read", "the call names no path", "reversible",
                     hard=Finding("missing input", "the call names no file_path or path"))
    paths: list[Path] = []
    real: list[Path] = []
    concern = None
    for raw in raws:
        assert raw is not None  # checked above
        rp = P.resolve(raw, root, ctx.home)
        paths += [Path(os.path.normpath(rp.lexical)), rp.real]
        real.append(rp.real)
        concern = concern or read_concern(rp, read_roots, folder=call.tool != "Read")
    what = f"searches {raws[0]}" if call.tool in SEARCH_TOOLS else f"reads {raws[0]}"
    return Facts("read", what, "reversible", ok_check="read inside project", concern=concern,
                 paths=tuple(paths), real=tuple(real))


def _classify_write(call: ToolCall, ctx: PermissionContext, root: Path,
                    write_roots: list[Path]) -> Facts:
    raw = _path_input(call)
    if raw is None:
        return Facts("write", "the call names no file_path", grade_for("write", inside=False),
                     hard=Finding("missing input", "the call names no file_path"))
    rp = P.resolve(raw, root, ctx.home)
    paths = (Path(os.path.normpath(rp.lexical)), rp.real)
    linked = rp.problem is None and has_other_names(rp)
    inside = rp.problem is None and P.inside(rp.real, write_roots) and not linked
    reason = f"writes {raw}" + ("" if inside else ", outside the project")
    facts = Facts("write", reason, grade_for("write", inside=inside), inside=inside,
                  paths=paths, real=(rp.real,))
    guard = protection(rp, root, write_roots, ctx.home, ctx.protected)
    if guard is not None:
        facts.hard = Finding(guard.check, guard.reason)
    elif rp.problem:
        facts.reason = f"{raw}: {rp.problem}"
    elif linked:
        facts.reason = f"writes {raw}, a file with other hard links (maybe outside the project)"
    return facts


def _shell_concern(a: ShellAnalysis, read_roots: list[Path]) -> Finding:
    """Name the check behind a read-only command's first concern."""
    for p in a.read_paths:
        if P.is_process_path(p) or P.is_secret_path(p):
            return Finding(SECRET, a.concerns[0])
    for p in a.read_paths:
        if not P.inside(p, read_roots):
            return Finding(OUTSIDE, a.concerns[0])
    return Finding("sensitive read", a.concerns[0])


def _path_words(text: str) -> list[str]:
    """The words of a simple command that could name a file it writes: operands and
    `--opt=value` values, quotes removed; words with spaces (messages) are no paths."""
    try:
        words = shlex.split(text)
    except ValueError:
        return []
    out = []
    for w in words[1:]:
        if w.startswith("-"):
            w = w.split("=", 1)[1] if w.startswith("--") and "=" in w else ""
        if w and not any(c.isspace() for c in w):
            out.append(w)
    return out


def _names_protected(a: ShellAnalysis, cwd: Path, root: Path, write_roots: list[Path],
                     ctx: PermissionContext) -> Finding | None:
    """A command that may change state and names a protected path as an operand (`cp x
    .git/config`, `tee .harness/config.local.toml`): a firm ask, whatever rules or hooks say.
    A net under the analysis's own write paths, for commands it does not model."""
    for part in a.parts:
        if part.safe or part.transparent:
            continue
        for word in _path_words(part.text):
            guard = protection(P.resolve(word, cwd, ctx.home), root, write_roots, ctx.home,
                               ctx.protected)
            if guard is not None:
                return Finding(guard.check, f"`{part.text}` names {word}: {guard.reason}")
    return None


def classify(call: ToolCall, ctx: PermissionContext) -> Facts:
    root, read_roots, write_roots = _roots(ctx)
    tool = call.tool
    if tool in META_TOOLS:
        if tool == "AskUser":
            return Facts("meta", "question for you", "reversible", ok_check="meta tool")
        text = str(call.input.get("agent", "")) if tool == "Task" else ""
        why = "subagent calls are checked themselves" if tool == "Task" else "updates the todo list"
        return Facts("meta", why, "reversible", ok_check="meta tool", text=text)
    if tool in ("GitStatus", "GitDiff", "GitLog"):
        return Facts("read", f"{tool} only reads the repository", "reversible",
                     ok_check="git read tool")
    if tool in READ_TOOLS:
        return _classify_read(call, ctx, root, read_roots)
    if tool in WRITE_TOOLS:
        return _classify_write(call, ctx, root, write_roots)
    if tool == "Bash":
        command = call.input.get("command")
        if not isinstance(command, str) or not command.strip():
            return Facts("shell", "the call has no command", "irreversible",
                         hard=Finding("missing input", "the call has no command"))
        cwd = P.real_root(ctx.cwd) if ctx.cwd else root
        a = analyze(command, root, read_roots, cwd, ctx.home)
        cat = cast("Category", a.category)
        facts = Facts(cat, a.reason, grade_for(cat, destructive=a.irreversible),
                      ok_check="read-only command", shell=a)
        if not a.parsed:
            facts.hard = Finding("unparseable command", a.reason)
        elif cat == "read" and a.concerns:
            facts.concern = _shell_concern(a, read_roots)
            facts.reason = a.concerns[0]
        # Files the command writes (redirect targets, option values), as the analysis
        # reports them: self-protection holds for shell writes as for the Write tool.
        for target in getattr(a, "write_paths", ()):
            guard = protection(P.resolve(str(target), cwd, ctx.home), root, write_roots,
                               ctx.home, ctx.protected)
            if guard is not None and facts.hard is None:
                facts.hard = Finding(guard.check, guard.reason)
        if facts.hard is None and not a.read_only:
            facts.hard = _names_protected(a, cwd, root, write_roots, ctx)
        return facts
    if tool == "GitCommit":
        return Facts("shell", "creates a commit (runs commit hooks)", "recoverable")
    if tool == "GitPush":
        text = " ".join(str(call.input.get(k, "")) for k in ("remote", "branch")).strip()
        return Facts("git_push", "publishes commits to a remote", "irreversible", text=text)
    return Facts("shell", f"unknown tool {tool!r}", "irreversible",
                 hard=Finding("unknown tool", f"unknown tool {tool!r}"))


# --- rule matching ------------------------------------------------------------------------
def _matches_any_part(rule: Rule, call: ToolCall, facts: Facts, ctx: PermissionContext) -> bool:
    """For deny and ask rules: any part of the call is enough."""
    if rule.tool == "Read" and rule.specifier and call.tool == "Bash" and facts.shell:
        # `Read(.env)` in deny also stops `cat .env`: the files a command reads are known.
        paths = tuple(Path(os.path.normpath(p)) for p in facts.shell.read_paths)
        return path_matches(rule.specifier, paths, P.real_root(ctx.project_root), ctx.home)
    if not applies_to(rule, call.tool):
        return False
    if rule.specifier is None:
        return True
    if call.tool == "Bash" and facts.shell is not None:
        if command_matches(rule.specifier, call.input.get("command", "")):
            return True
        return any(part_matches(rule.specifier, p) == "yes" for p in facts.shell.parts)
    if facts.paths:
        return path_matches(rule.specifier, facts.paths, P.real_root(ctx.project_root), ctx.home)
    return text_matches(rule.specifier, facts.text)


def _shell_may_match(rule: Rule, call: ToolCall, facts: Facts) -> str | None:
    """A deny/ask rule that may match a part only known at run time: never allow."""
    if call.tool != "Bash" or facts.shell is None or rule.tool != "Bash":
        return None
    if not facts.shell.parsed:
        return f"rule {rule} may match this command, which does not parse"
    for p in facts.shell.parts:
        if part_matches(rule.specifier, p) == "maybe":
            return (f"rule {rule} may match `{p.text}`: its program or arguments are only "
                    "known at run time")
    return None


def _allowed_by(rule: Rule, call: ToolCall, facts: Facts, ctx: PermissionContext) -> bool:
    """For allow rules: the whole call must be covered."""
    if not applies_to(rule, call.tool):
        return False
    if call.tool == "Bash" and facts.shell is not None:
        a = facts.shell
        if not a.parsed:
            return False
        if rule.specifier is None or rule.specifier == "*":
            return True  # a bare `Bash` rule allows every command that parses
        if a.problems:
            return False  # redirections into files, function definitions: no prefix covers them
        hit = False
        for p in a.parts:
            if p.transparent:
                continue
            if command_matches(rule.specifier, p.text):
                hit = True
            elif not p.safe or a.concerns:
                return False
        return hit
    if rule.specifier is None:
        return True
    if facts.paths:
        root = P.real_root(ctx.project_root)
        # Every place the call reads or writes must be covered, not just one of them.
        return all(path_matches(rule.specifier, (p,), root, ctx.home) for p in facts.real)
    return text_matches(rule.specifier, facts.text)


def _from(rule: Rule) -> str:
    return f" from {rule.source}" if rule.source else ""


# --- the decision -------------------------------------------------------------------------
def decide(call: ToolCall, ctx: PermissionContext) -> Decision:
    facts = classify(call, ctx)
    cat, grade = facts.category, facts.grade

    def d(verdict, reason, rule=None, firm=False, *, check: str = "") -> Decision:
        if not check and rule is not None:
            check = f"{verdict} rule {rule}{_from(rule)}"
        return Decision(verdict, cat, reason, str(rule) if rule is not None else None, grade,
                        firm, check or reason)

    for rule in ctx.deny:
        if _matches_any_part(rule, call, facts, ctx):
            return d("deny", f"denied by rule {rule}", rule)
    for rule in ctx.ask:
        if _matches_any_part(rule, call, facts, ctx):
            return d("ask", f"rule {rule} asks", rule, firm=True)
    for rule in (*ctx.deny, *ctx.ask):
        why = _shell_may_match(rule, call, facts)
        if why:
            return d("ask", why, rule, firm=True,
                     check=f"rule {rule}{_from(rule)} may match a run-time program")
    for rule in ctx.interrupt_before:
        if _matches_any_part(rule, call, facts, ctx):
            return d("ask", f"breakpoint {rule} (interrupt_before)", rule, firm=True,
                     check=f"breakpoint {rule}{_from(rule)}")
    if facts.hard:
        if ctx.mode == "plan" and cat != "read":
            return d("deny", f"plan mode: {facts.hard.reason}", check=facts.hard.check)
        return d("ask", facts.hard.reason, firm=True, check=facts.hard.check)
    if call.tool == "AskUser":
        return d("ask", "question for you", firm=True, check="question for the user")
    if ctx.mode == "plan" and cat not in ("read", "meta"):
        # Plan mode promises no changes: allow rules and session grants do not lift it.
        return _mode_table(ctx, facts, d)
    for rule in ctx.allow:
        if _allowed_by(rule, call, facts, ctx):
            return d("allow", f"allowed by rule {rule}", rule, check=f"rule {rule}{_from(rule)}")
    if grade != "irreversible":
        for rule in ctx.session_allow:
            if _allowed_by(rule, call, facts, ctx):
                return d("allow", f"approved for this session ({rule})", rule,
                         check=f"session grant {rule}")
    return _mode_table(ctx, facts, d)


_WHAT = {"write": ("file change", "write"), "shell": ("command that may change state", "shell"),
         "git_push": ("push", "push"), "network": ("network access", "network")}


def _mode_table(ctx: PermissionContext, facts: Facts, d) -> Decision:
    cat, mode = facts.category, ctx.mode
    if cat in ("read", "meta"):
        if facts.concern and mode != "bypassPermissions":
            return d("ask", facts.concern.reason, check=facts.concern.check)
        if facts.concern:
            return d("allow", f"bypassPermissions: {facts.reason}", check="mode bypassPermissions")
        return d("allow", facts.reason, check=facts.ok_check)
    if mode == "bypassPermissions":
        return d("allow", f"bypassPermissions: {facts.reason}", check="mode bypassPermissions")
    if mode == "plan":
        return d("deny", f"plan mode does not change anything ({facts.reason})",
                 check="mode plan: no changes")
    if cat == "write" and facts.inside and mode == "acceptEdits":
        return d("allow", f"acceptEdits: {facts.reason}",
                 check="mode acceptEdits: write in project")
    what, short = _WHAT.get(cat, (cat, cat))
    if cat == "write" and not facts.inside:
        short = "write outside project"
    return d("ask", f"{mode} mode asks for each {what}: {facts.reason}",
             check=f"mode {mode}: {short} asks")


# --- what searches may show -----------------------------------------------------------------
def search_filter(ctx: PermissionContext, tool: str = "Grep") -> Callable[[str], str | None]:
    """For Glob and Grep: a function telling, for a file a search found (absolute path), why
    it must be left out of the result (the check that would stop reading it: a likely secret
    no rule allows, a path a deny or ask rule names), or None to show it. The mode does not
    matter: bypass is not a rule that allows secrets."""
    plain = replace(ctx, mode="default")
    root = P.real_root(ctx.project_root)
    named = [r for r in (*ctx.deny, *ctx.ask) if applies_to(r, tool) and r.specifier]

    def hidden(path: str) -> str | None:
        p = Path(path)
        if not (P.is_secret_text(path)
                or any(path_matches(r.specifier, (p,), root, ctx.home) for r in named)):
            return None  # the common case, decided without resolving anything
        decision = decide(ToolCall(tool, {"pattern": "", "path": path}), plain)
        if decision.decision == "allow" or decision.check == OUTSIDE:
            return None  # outside: the search folder was approved; this file is no secret
        return decision.check
    return hidden
