"""Build a `PermissionContext` from loaded settings: the one place config meets the engine."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.config.rules import Rule, parse_rule
from harness.permissions.types import PermissionContext

if TYPE_CHECKING:
    from harness.config.loader import LoadedConfig
    from harness.config.schema import Settings

RULE_LISTS = ("allow", "ask", "deny", "interrupt_before")
# Words of a hook command that are shell syntax, never a script.
_SHELL_WORDS = frozenset({"&&", "||", ";", "|", "&", "(", ")", "{", "}", "!", "then", "do"})


def _rules(items: Iterable[Any], kind: str = "",
           sources: Mapping[tuple[str, str], str] | None = None) -> tuple[Rule, ...]:
    out = []
    for item in items:
        rule = item if isinstance(item, Rule) else parse_rule(str(item))
        source = (sources or {}).get((kind, str(item)))
        if source and rule.source is None:
            rule = Rule(rule.tool, rule.specifier, source)
        out.append(rule)
    return tuple(out)


def _folders(items: Iterable[str], project_root: Path) -> tuple[Path, ...]:
    out = []
    for item in items:
        p = Path(item).expanduser()
        out.append(p if p.is_absolute() else project_root / p)
    return tuple(out)


def hook_scripts(commands: Iterable[str], project_root: Path) -> tuple[Path, ...]:
    """The files hook commands name: every word that is a path (has a `/`, or names a file
    in the folder the hook runs in), `~` and `$VARS` expanded, `cd` followed. A hook that
    rewrites one of these runs the model's code with the person's rights at the next event."""
    found: list[Path] = []
    for command in commands:
        try:
            lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words = list(lexer)
        except ValueError:  # unbalanced quotes: keep what splitting on spaces gives
            words = command.split()
        here = project_root
        queue = list(words)
        previous = ""
        while queue:
            word = queue.pop(0)
            if " " in word.strip() and previous in ("-c", "-lc", "eval"):
                try:
                    queue[:0] = shlex.split(word)
                except ValueError:
                    queue[:0] = word.split()
                previous = ""
                continue
            if word in _SHELL_WORDS or word.startswith("-") or not word:
                previous = word
                continue
            value = os.path.expandvars(os.path.expanduser(word.split("=", 1)[-1]))
            path = Path(value) if os.path.isabs(value) else here / value
            if previous == "cd":
                here = path
            elif previous == "-m" and "/" not in value:  # `python -m pkg.hook`
                module = here.joinpath(*value.split("."))
                found += [module.with_suffix(".py"), module / "__init__.py",
                          module / "__main__.py"]
            elif "/" in value or path.is_file():
                found.append(path)
            previous = word
    return tuple(dict.fromkeys(found))


_HOOKS_PATH = re.compile(r"^\s*hookspath\s*=\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def git_hooks_folder(project_root: Path) -> Path | None:
    """The folder `core.hooksPath` in the repository's config names (husky's `.husky/_`,
    `.githooks`): git runs the scripts in it at every commit, so it is git internals too."""
    try:
        text = (project_root / ".git" / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = _HOOKS_PATH.search(text)
    if m is None:
        return None
    value = os.path.expanduser(m.group(1).strip().strip('"'))
    return Path(value) if os.path.isabs(value) else project_root / value


def protected_paths(settings: Settings, project_root: Path) -> tuple[Path, ...]:
    """What settings (and the repository) add to self-protection: hook scripts, the user's
    agent folder, the folder git takes hooks from."""
    from harness.config.home import user_config_path

    h = settings.hooks
    every = [*h.pre_tool_use, *h.post_tool_use, *h.user_prompt_submit, *h.stop, *h.notification]
    commands = [hook.command for hook in every]
    hooks_folder = git_hooks_folder(project_root)
    return (user_config_path().parent, *hook_scripts(commands, project_root),
            *((hooks_folder,) if hooks_folder else ()))


def rule_sources(loaded: LoadedConfig, project_root: Path) -> dict[tuple[str, str], str]:
    """(list, rule text) → the file (or "environment", "command line") that first wrote it,
    shown project-relative or with `~`, for `harness permissions check`."""
    out: dict[tuple[str, str], str] = {}
    home = Path.home()
    for layer in loaded.layers:
        perms = layer.data.get("permissions")
        if not isinstance(perms, dict):
            continue
        where = layer.source
        src = Path(where)
        if src.is_absolute():
            if src.is_relative_to(project_root):
                where = src.relative_to(project_root).as_posix()
            elif src.is_relative_to(home):
                where = "~/" + src.relative_to(home).as_posix()
        for kind in RULE_LISTS:
            for text in perms.get(kind) or ():
                out.setdefault((kind, str(text)), where)
    return out


def context_from_settings(
    settings: Settings,
    project_root: Path,
    mode: str | None = None,
    session_allow: Iterable[Any] = (),
    cwd: Path | None = None,
    sources: Mapping[tuple[str, str], str] | None = None,
) -> PermissionContext:
    """Rules, roots, protected paths and mode from settings; `session_allow` are grants from
    the session log; `sources` (see `rule_sources`) tells where each rule was written."""
    perms = settings.permissions
    root = Path(project_root)
    return PermissionContext(
        project_root=root,
        mode=(mode or perms.mode),  # type: ignore[arg-type]
        cwd=Path(cwd) if cwd is not None else None,
        extra_roots=_folders(perms.extra_roots, root),
        allow=_rules(perms.allow, "allow", sources),
        ask=_rules(perms.ask, "ask", sources),
        deny=_rules(perms.deny, "deny", sources),
        interrupt_before=_rules(perms.interrupt_before, "interrupt_before", sources),
        session_allow=_rules(session_allow),
        writable_extra=_folders(settings.sandbox.writable, root),
        protected=protected_paths(settings, root),
    )
