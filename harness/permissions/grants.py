"""Approvals that outlive one call: the rule an approval stands for ("for this session",
"always for this project"), and writing it into `.harness/config.local.toml`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

from harness.config.rules import Rule
from harness.permissions import paths as P
from harness.permissions.arity import grant_prefix
from harness.permissions.engine import (
    READ_TOOLS,
    SEARCH_TOOLS,
    WRITE_TOOLS,
    search_targets,
)
from harness.permissions.shell import analyze
from harness.permissions.types import PermissionContext, ToolCall

LOCAL_CONFIG = Path(".harness") / "config.local.toml"


class GrantError(Exception):
    """The approval could not be saved as a rule; says which file and what to do."""


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\!#])", r"\\\1", text)


def _path_spec(raw: str, ctx: PermissionContext) -> str:
    root = P.real_root(ctx.project_root)
    real = P.resolve(raw, root, ctx.home).real
    if real.is_relative_to(root):
        return "/" + _glob_escape(real.relative_to(root).as_posix())
    return "//" + _glob_escape(real.as_posix().lstrip("/"))


def command_grant(words: list[str]) -> str:
    """The Bash specifier a grant for this simple command stands for: its subcommand prefix
    from the arity table (`npm run dev --port 1` → `npm run dev:*`), else the exact words."""
    prefix = grant_prefix(words)
    return " ".join(prefix) + ":*" if prefix else " ".join(words)


def suggest_rule(call: ToolCall, ctx: PermissionContext) -> Rule | None:
    """The narrowest useful rule that would allow this call again; None if none is safe.
    A firm ask (a protected path, an ask rule, a breakpoint) gets none: no allow rule lifts
    it, so each such call is approved once, by a person."""
    from dataclasses import replace

    from harness.permissions.engine import decide

    if decide(call, replace(ctx, session_allow=())).firm:
        return None
    tool = call.tool
    if tool == "Bash":
        command = call.input.get("command")
        if not isinstance(command, str):
            return None
        root = P.real_root(ctx.project_root)
        a = analyze(command, root, [root], P.real_root(ctx.cwd) if ctx.cwd else root, ctx.home)
        if not a.parsed or a.problems:
            return None
        unsafe = [p for p in a.parts if not p.safe and not p.transparent]
        if not unsafe:
            unsafe = [p for p in a.parts if not p.transparent]
        if not unsafe:
            return None
        specs = set()
        for p in unsafe:
            words = p.text.split()
            if not words:
                return None
            specs.add(command_grant(words))
        if len(specs) != 1:
            return None  # one rule cannot cover different commands; approve once instead
        return Rule("Bash", specs.pop())
    if tool in WRITE_TOOLS or tool in ("Read", "LS"):
        raw = call.input.get("file_path" if tool != "LS" else "path")
        if not isinstance(raw, str) or not raw:
            return None
        return Rule("Edit" if tool in WRITE_TOOLS else tool, _path_spec(raw, ctx))
    if tool in SEARCH_TOOLS:
        targets = search_targets(call)
        if not targets or len(targets) != 1:
            return None  # a path and an absolute pattern: one rule cannot name both
        return Rule(tool, _path_spec(targets[0], ctx))
    if tool in READ_TOOLS:
        return Rule(tool)
    if tool in ("GitCommit", "TodoWrite"):
        return Rule(tool)
    if tool == "GitPush":
        text = " ".join(str(call.input.get(k, "")) for k in ("remote", "branch")).strip()
        return Rule("GitPush", text or None)
    if tool == "Task":
        agent = call.input.get("agent")
        return Rule("Task", str(agent)) if agent else Rule("Task")
    return None  # AskUser is a question, unknown tools get no standing grant


# --- writing `.harness/config.local.toml` ---------------------------------------------------
def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _array_end(text: str, start: int) -> int:
    """Index just past the `]` closing the array that opens at `text[start] == '['`."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            triple = text[i:i + 3] == c * 3
            q = c * 3 if triple else c
            i += len(q)
            while i < n and text[i:i + len(q)] != q:
                i += 2 if (c == '"' and text[i] == "\\") else 1
            i += len(q)
            continue
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise GrantError("unterminated array")


def _with_rule(text: str, data: dict, rule: str) -> str:
    perms = data.get("permissions")
    current = list(perms.get("allow", [])) if isinstance(perms, dict) else []
    rendered = "[" + ", ".join(_toml_str(r) for r in [*current, rule]) + "]"
    header = re.search(r"(?m)^\s*\[\s*permissions\s*\]\s*(#.*)?$", text)
    if header:
        section_end = re.search(r"(?m)^\s*\[", text[header.end():])
        end = header.end() + section_end.start() if section_end else len(text)
        key = re.search(r"(?m)^\s*allow\s*=\s*", text[header.end():end])
        if key:
            start = header.end() + key.end()
            return text[:start] + rendered + text[_array_end(text, start):]
        return text[:header.end()] + f"\nallow = {rendered}" + text[header.end():]
    key = re.search(r"(?m)^\s*permissions\.allow\s*=\s*", text)
    if key and not re.search(r"(?m)^\s*\[", text[:key.start()]):
        return text[:key.end()] + rendered + text[_array_end(text, key.end()):]
    if isinstance(perms, dict):
        raise GrantError("permissions is written in a form this writer does not edit")
    sep = "" if not text or text.endswith("\n") else "\n"
    return f"{text}{sep}\n[permissions]\nallow = {rendered}\n"


def write_project_rule(project_root: Path, rule: Rule | str) -> Path:
    """Append `rule` to `permissions.allow` in `.harness/config.local.toml`, keeping the rest
    of the file as it was, and make sure git ignores that file. Returns the file's path."""
    rule_text = str(rule)
    path = Path(project_root) / LOCAL_CONFIG
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GrantError(f"{path}: invalid TOML ({exc}); fix it, then approve again") from None
    allow = data.get("permissions", {}).get("allow", []) if isinstance(
        data.get("permissions"), dict) else []
    if rule_text not in allow:
        try:
            new_text = _with_rule(text, data, rule_text)
            new_data = tomllib.loads(new_text)
        except (GrantError, tomllib.TOMLDecodeError) as exc:
            raise GrantError(f"{path}: could not add {rule_text!r} to permissions.allow "
                             f"({exc}); add it by hand") from None
        expected = dict(data)
        expected["permissions"] = {**data.get("permissions", {}), "allow": [*allow, rule_text]}
        if new_data != expected:
            raise GrantError(f"{path}: adding {rule_text!r} would change other settings; "
                             "add it to permissions.allow by hand")
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(new_text, encoding="utf-8")
        os.replace(tmp, path)
    ensure_git_ignored(Path(project_root))
    return path


def ensure_git_ignored(project_root: Path) -> None:
    """Add `.harness/config.local.toml` to `.gitignore` unless git already ignores it."""
    target = LOCAL_CONFIG.as_posix()
    try:
        r = subprocess.run(["git", "check-ignore", "-q", "--no-index", target], cwd=project_root,
                           capture_output=True, timeout=10)
        if r.returncode == 0:
            return
    except (OSError, subprocess.TimeoutExpired):
        pass
    gitignore = project_root / ".gitignore"
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    lines = {line.strip() for line in existing.splitlines()}
    if target in lines or "/" + target in lines:
        return
    sep = "" if not existing or existing.endswith("\n") else "\n"
    gitignore.write_text(f"{existing}{sep}{target}\n", encoding="utf-8")


def _rule_array_start(text: str, kind: str) -> int | None:
    """Index of the `[` opening `permissions.<kind>` in `text`, in either spelling this
    writer produces (`[permissions]` + `kind = [...]`, or a top-level `permissions.kind`)."""
    header = re.search(r"(?m)^\s*\[\s*permissions\s*\]\s*(#.*)?$", text)
    if header:
        section_end = re.search(r"(?m)^\s*\[", text[header.end():])
        end = header.end() + section_end.start() if section_end else len(text)
        key = re.search(rf"(?m)^\s*{kind}\s*=\s*(?=\[)", text[header.end():end])
        if key:
            return header.end() + key.end()
    key = re.search(rf"(?m)^\s*permissions\.{kind}\s*=\s*(?=\[)", text)
    if key and not re.search(r"(?m)^\s*\[", text[:key.start()]):
        return key.end()
    return None


def remove_project_rule(path: Path, kind: str, rule: str) -> None:
    """Take `rule` out of `permissions.<kind>` in the config file at `path`, keeping the rest
    of the file as it was (the array itself is rewritten, its comments dropped). Refuses,
    with what to do, when the file is written in a form this cannot edit safely."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GrantError(f"{path}: invalid TOML ({exc}); fix it, then revoke again") from None
    perms = data.get("permissions")
    current = list(perms.get(kind, [])) if isinstance(perms, dict) else []
    if rule not in current:
        raise GrantError(f"{path}: {rule!r} is not in permissions.{kind}")
    start = _rule_array_start(text, kind)
    kept = [r for r in current if r != rule]
    if start is None:
        raise GrantError(f"{path}: permissions.{kind} is written in a form this does not "
                         f"edit; remove {rule!r} by hand")
    rendered = "[" + ", ".join(_toml_str(r) for r in kept) + "]"
    new_text = text[:start] + rendered + text[_array_end(text, start):]
    expected = dict(data)
    expected["permissions"] = {**data["permissions"], kind: kept}
    try:
        same = tomllib.loads(new_text) == expected
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise GrantError(f"{path}: removing {rule!r} would change other settings; remove it "
                         f"from permissions.{kind} by hand")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, path)
