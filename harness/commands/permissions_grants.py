"""`harness permissions grants [--revoke ID]`: the standing approvals of this project —
session grants ("always allow this session", recorded in its threads) and the rules of
every config layer with the file each comes from — each with a stable ID to revoke it."""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.commands.permission_threads import (
    CommandError,
    Project,
    fail,
    open_project,
    thread_events,
)
from harness.exitcodes import DONE
from harness.protocol.events import GrantRevoked, PermissionDecision

EDITABLE_LAYERS = ("user", "project", "local")  # files a person wrote; never shipped defaults


def _id(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha1("\0".join(map(str, parts)).encode()).hexdigest()[:8]


@dataclass
class SessionGrant:
    id: str
    thread_id: str
    title: str
    rule: str
    granted_seq: int
    call_id: str


@dataclass
class ProjectRule:
    id: str
    list: str  # allow | ask | deny | interrupt_before
    rule: str
    layer: str  # defaults | user | project | local | env | flags
    source: str  # the file (or "environment", "command line")
    revocable: bool


def session_grants(project: Project) -> list[SessionGrant]:
    """Session approvals still in effect in this project's threads (forks included)."""
    found: list[SessionGrant] = []
    threads = project.store.list_threads(str(project.root), limit=100_000,
                                         include_children=True)
    for thread in threads:
        active: dict[str, SessionGrant] = {}
        for seq, event in thread_events(project.store, thread.thread_id):
            if (isinstance(event, PermissionDecision) and event.outcome == "allow"
                    and event.scope == "session" and event.rule):
                active.setdefault(event.rule, SessionGrant(
                    _id("s-", thread.thread_id, seq), thread.thread_id, thread.title,
                    event.rule, seq, event.call_id))
            elif isinstance(event, GrantRevoked):
                active.pop(event.rule, None)
        found += active.values()
    return found


def _shown(source: str, root: Path) -> str:
    path = Path(source)
    if path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    if path.is_absolute() and path.is_relative_to(Path.home()):
        return "~/" + path.relative_to(Path.home()).as_posix()
    return source


def project_rules(project: Project) -> list[ProjectRule]:
    from harness.permissions.context import RULE_LISTS

    rules: list[ProjectRule] = []
    for layer in project.loaded.layers:
        perms = layer.data.get("permissions")
        if not isinstance(perms, dict):
            continue
        for kind in RULE_LISTS:
            for text in perms.get(kind) or ():
                rules.append(ProjectRule(
                    _id("p-", layer.name, kind, text), kind, str(text), layer.name,
                    layer.source, layer.name in EDITABLE_LAYERS))
    return rules


def revoke(project: Project, grant_id: str) -> str:
    """Revoke one grant or rule by ID; returns what was done, in a sentence."""
    for grant in session_grants(project):
        if grant.id == grant_id:
            return _revoke_session(project, grant)
    rules = project_rules(project)
    for rule in rules:
        if rule.id == grant_id:
            return _revoke_rule(project, rule, rules)
    raise CommandError(f"no grant or rule with ID {grant_id!r} in {project.root}; "
                       "`harness permissions grants` lists them")


def _revoke_session(project: Project, grant: SessionGrant) -> str:
    from harness.store.base import LeaseHeld

    store = project.store
    try:
        store.acquire_lease(grant.thread_id)
    except LeaseHeld:
        raise CommandError(f"thread {grant.thread_id} is being run by another process; "
                           "revoke the grant once it stops") from None
    try:
        store.append(grant.thread_id, GrantRevoked(rule=grant.rule,
                                                   granted_seq=grant.granted_seq))
    finally:
        store.release_lease(grant.thread_id)
    return (f"revoked session grant {grant.id}: {grant.rule} no longer applies in thread "
            f"{grant.thread_id}; resuming it asks again for such calls")


def _revoke_rule(project: Project, rule: ProjectRule, rules: list[ProjectRule]) -> str:
    from harness.permissions.grants import GrantError, remove_project_rule

    where = _shown(rule.source, project.root)
    if rule.layer == "defaults":
        raise CommandError(
            f"{rule.id} ({rule.list}: {rule.rule}) is a shipped default; harness never edits "
            "those. Override it in .harness/config.toml instead (e.g. an allow or ask rule).")
    if not rule.revocable:
        raise CommandError(f"{rule.id} ({rule.list}: {rule.rule}) comes from {where}, not a "
                           "file; unset it there")
    try:
        remove_project_rule(Path(rule.source), rule.list, rule.rule)
    except GrantError as exc:
        raise CommandError(str(exc)) from None
    also = [_shown(r.source, project.root) for r in rules
            if r.rule == rule.rule and r.list == rule.list and r.id != rule.id]
    note = f"; it is still set in {', '.join(also)}" if also else ""
    return f"removed {rule.rule} from permissions.{rule.list} in {where}{note}"


def print_grants(project: Project, grants: list[SessionGrant], rules: list[ProjectRule]) -> None:
    print(f"session grants ({len(grants)}) — approvals “for this session” in threads of "
          f"{project.root}:")
    for g in grants:
        print(f"  {g.id}  {g.rule:<36} thread {g.thread_id} @{g.granted_seq}  "
              f"{(g.title or '(untitled)')[:40]}")
    print(f"rules ({len(rules)}) — from the config layers:")
    for r in rules:
        fixed = "" if r.revocable else "  (not revocable here)"
        print(f"  {r.id}  {r.list:<16} {r.rule:<36} {_shown(r.source, project.root)}{fixed}")
    print("revoke one with: harness permissions grants --revoke ID")


def main(args: argparse.Namespace) -> int:
    from harness.store.base import StoreError

    try:
        with open_project(args) as project:
            try:
                if args.revoke:
                    message = revoke(project, args.revoke)
                    print(json.dumps({"revoked": args.revoke, "message": message})
                          if args.json else message)
                    return DONE
                grants, rules = session_grants(project), project_rules(project)
            except StoreError as exc:
                raise CommandError(str(exc)) from None
            if args.json:
                out: dict[str, Any] = {"session_grants": [asdict(g) for g in grants],
                                       "rules": [asdict(r) for r in rules]}
                print(json.dumps(out, indent=2))
            else:
                print_grants(project, grants, rules)
    except CommandError as exc:
        return fail(exc)
    return DONE
