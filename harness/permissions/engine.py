"""`decide(call, ctx) -> Decision`: deny rules → ask rules and interrupt_before → allow rules
(and session grants) → the mode's table. Pure apart from reading filesystem metadata."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from harness.config.rules import Rule
from harness.permissions import paths as P
from harness.permissions.grades import grade_for
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


@dataclass
class Facts:
    """What the engine learnt about a call before consulting any rule."""

    category: Category
    reason: str
    grade: Grade
    hard: str | None = None  # asks whatever the allow rules or mode say (plan: denies)
    concern: str | None = None  # a read that asks unless a rule allows it or mode is bypass
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


def classify(call: ToolCall, ctx: PermissionContext) -> Facts:
    root, read_roots, write_roots = _roots(ctx)
    tool = call.tool
    if tool in META_TOOLS:
        if tool == "AskUser":
            return Facts("meta", "question for you", "reversible")
        text = str(call.input.get("agent", "")) if tool == "Task" else ""
        why = "subagent calls are checked themselves" if tool == "Task" else "updates the todo list"
        return Facts("meta", why, "reversible", text=text)
    if tool in READ_TOOLS or tool in WRITE_TOOLS:
        if tool in ("GitStatus", "GitDiff", "GitLog"):
            return Facts("read", f"{tool} only reads the repository", "reversible")
        raw = _path_input(call)
        if raw is None:
            cat: Category = "write" if tool in WRITE_TOOLS else "read"
            return Facts(cat, "the call names no file_path", grade_for(cat, inside=False),
                         hard="the call names no file_path")
        rp = P.resolve(raw, root, ctx.home)
        paths = (Path(os.path.normpath(rp.lexical)), rp.real)
        if tool in READ_TOOLS:
            facts = Facts("read", f"reads {raw}", "reversible", paths=paths, real=(rp.real,))
            if rp.problem:
                facts.concern = f"{raw}: {rp.problem}"
            elif P.is_secret(rp):
                facts.concern = f"{raw} looks like a secret (keys, tokens, .env files)"
            elif not P.inside(rp.real, read_roots):
                facts.concern = f"{raw} is outside the project"
            return facts
        inside = rp.problem is None and P.inside(rp.real, write_roots)
        facts = Facts("write", f"writes {raw}" + ("" if inside else ", outside the project"),
                      grade_for("write", inside=inside), inside=inside, paths=paths,
                      real=(rp.real,))
        if P.touches_git_internals(rp, write_roots):
            facts.hard = f"{raw} is inside git internals (.git), which can run code"
        elif P.is_harness_config(rp, ctx.home, P.user_config_file()):
            facts.hard = f"{raw} is a harness config file: editing it changes permissions"
        elif rp.problem:
            facts.reason = f"{raw}: {rp.problem}"
        return facts
    if tool == "Bash":
        command = call.input.get("command")
        if not isinstance(command, str) or not command.strip():
            return Facts("shell", "the call has no command", "irreversible",
                         hard="the call has no command")
        cwd = P.real_root(ctx.cwd) if ctx.cwd else root
        a = analyze(command, root, read_roots, cwd, ctx.home)
        cat = a.category  # type: ignore[assignment]
        facts = Facts(cat, a.reason, grade_for(cat, destructive=a.irreversible), shell=a)
        if not a.parsed:
            facts.hard = a.reason
        elif cat == "read" and a.concerns:
            facts.concern = a.concerns[0]
            facts.reason = a.concerns[0]
        return facts
    if tool == "GitCommit":
        return Facts("shell", "creates a commit (runs commit hooks)", "recoverable")
    if tool == "GitPush":
        text = " ".join(str(call.input.get(k, "")) for k in ("remote", "branch")).strip()
        return Facts("git_push", "publishes commits to a remote", "irreversible", text=text)
    return Facts("shell", f"unknown tool {tool!r}", "irreversible", hard=f"unknown tool {tool!r}")


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
        return path_matches(rule.specifier, facts.real, P.real_root(ctx.project_root), ctx.home)
    return text_matches(rule.specifier, facts.text)


# --- the decision -------------------------------------------------------------------------
def decide(call: ToolCall, ctx: PermissionContext) -> Decision:
    facts = classify(call, ctx)
    cat, grade = facts.category, facts.grade

    def d(verdict, reason, rule=None, firm=False) -> Decision:
        return Decision(verdict, cat, reason, str(rule) if rule is not None else None, grade,
                        firm)

    for rule in ctx.deny:
        if _matches_any_part(rule, call, facts, ctx):
            return d("deny", f"denied by rule {rule}", rule)
    for rule in ctx.ask:
        if _matches_any_part(rule, call, facts, ctx):
            return d("ask", f"rule {rule} asks", rule, firm=True)
    for rule in (*ctx.deny, *ctx.ask):
        why = _shell_may_match(rule, call, facts)
        if why:
            return d("ask", why, rule, firm=True)
    for rule in ctx.interrupt_before:
        if _matches_any_part(rule, call, facts, ctx):
            return d("ask", f"breakpoint {rule} (interrupt_before)", rule, firm=True)
    if facts.hard:
        if ctx.mode == "plan" and cat != "read":
            return d("deny", f"plan mode: {facts.hard}")
        return d("ask", facts.hard, firm=True)
    if call.tool == "AskUser":
        return d("ask", "question for you", firm=True)
    if ctx.mode == "plan" and cat not in ("read", "meta"):
        # Plan mode promises no changes: allow rules and session grants do not lift it.
        return _mode_table(ctx, facts, d)
    for rule in ctx.allow:
        if _allowed_by(rule, call, facts, ctx):
            return d("allow", f"allowed by rule {rule}", rule)
    if grade != "irreversible":
        for rule in ctx.session_allow:
            if _allowed_by(rule, call, facts, ctx):
                return d("allow", f"approved for this session ({rule})", rule)
    return _mode_table(ctx, facts, d)


def _mode_table(ctx: PermissionContext, facts: Facts, d) -> Decision:
    cat, mode = facts.category, ctx.mode
    if cat in ("read", "meta"):
        if facts.concern and mode != "bypassPermissions":
            return d("ask", facts.concern)
        return d("allow", facts.reason)
    if mode == "bypassPermissions":
        return d("allow", f"bypassPermissions: {facts.reason}")
    if mode == "plan":
        return d("deny", f"plan mode does not change anything ({facts.reason})")
    if cat == "write" and facts.inside and mode == "acceptEdits":
        return d("allow", f"acceptEdits: {facts.reason}")
    what = {"write": "file change", "shell": "command that may change state",
            "git_push": "push", "network": "network access"}.get(cat, cat)
    return d("ask", f"{mode} mode asks for each {what}: {facts.reason}")
