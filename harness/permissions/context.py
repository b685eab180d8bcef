"""Build a `PermissionContext` from loaded settings: the one place config meets the engine."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.config.rules import Rule, parse_rule
from harness.permissions.types import PermissionContext

if TYPE_CHECKING:
    from harness.config.schema import Settings


def _rules(items: Iterable[Any]) -> tuple[Rule, ...]:
    return tuple(item if isinstance(item, Rule) else parse_rule(str(item)) for item in items)


def _folders(items: Iterable[str], project_root: Path) -> tuple[Path, ...]:
    out = []
    for item in items:
        p = Path(item).expanduser()
        out.append(p if p.is_absolute() else project_root / p)
    return tuple(out)


def context_from_settings(
    settings: Settings,
    project_root: Path,
    mode: str | None = None,
    session_allow: Iterable[Any] = (),
    cwd: Path | None = None,
) -> PermissionContext:
    """Rules, roots and mode from settings; `session_allow` are grants from the session log."""
    perms = settings.permissions
    root = Path(project_root)
    return PermissionContext(
        project_root=root,
        mode=(mode or perms.mode),  # type: ignore[arg-type]
        cwd=Path(cwd) if cwd is not None else None,
        extra_roots=_folders(perms.extra_roots, root),
        allow=_rules(perms.allow),
        ask=_rules(perms.ask),
        deny=_rules(perms.deny),
        interrupt_before=_rules(perms.interrupt_before),
        session_allow=_rules(session_allow),
        writable_extra=_folders(settings.sandbox.writable, root),
    )
