"""Git for the git tools without repository-supplied programs: they run outside the sandbox,
so whatever a repository's own config (`.git/config`, `config.worktree`, their includes)
names as a program — fsmonitor, pager, external diff, filters, credential helpers, ssh
command, askpass, gpg program, receive-pack — is overridden, and git hooks never run.

The user's own (global and system) settings stay in force: they live outside the project,
where sandboxed commands cannot write. Overrides go through `GIT_CONFIG_COUNT`/`KEY_n`/
`VALUE_n`, which git reads like `-c` (last wins) and passes on to the git processes it
starts itself.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

Purpose = Literal["read", "commit", "push"]

# Config keys (as `git config --get-regexp` prints them: lower case, subsection kept) that
# name a program git may run.
PROGRAM_KEYS = re.compile(
    r"^(core\.(fsmonitor|hookspath|pager|sshcommand|askpass|editor|gitproxy"
    r"|alternaterefscommand)"
    r"|pager\..+|sequence\.editor|diff\.external|diff\..+\.(textconv|command)"
    r"|filter\..+\.(clean|smudge|process)|merge\..+\.driver|credential\.(.+\.)?helper"
    r"|remote\..+\.(receivepack|uploadpack)|gpg\.(program|.+\.program|ssh\.defaultkeycommand))$"
)
_QUERY = PROGRAM_KEYS.pattern
REPOSITORY_SCOPES = frozenset({"local", "worktree"})
USER_SCOPES = ("system", "global")  # read in this order; later wins

# What a repository-set key becomes when the user has no value of their own.
_NEUTRAL: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), v) for p, v in (
        (r"^core\.fsmonitor$", "false"),
        (r"^core\.pager$", "cat"),
        (r"^pager\..+$", "false"),
        (r"^core\.sshcommand$", "ssh"),
        (r"^core\.askpass$", ""),
        (r"^(core|sequence)\.editor$", "true"),
        (r"^core\.alternaterefscommand$", ""),
        (r"^diff\.external$", ""),
        (r"^diff\..+\.(textconv|command)$", ""),  # also off by --no-textconv/--no-ext-diff
        (r"^filter\..+\.(clean|smudge|process)$", ""),  # empty: no filter
        (r"^merge\..+\.driver$", "false"),
        (r"^gpg\.program$", "gpg"),
        (r"^gpg\.x509\.program$", "gpgsm"),
        (r"^gpg\.ssh\.program$", "ssh-keygen"),
        (r"^gpg\..+\.program$", "gpg"),
        (r"^gpg\.ssh\.defaultkeycommand$", ""),
    )
)
# remote.*.receivepack/uploadpack: the first value wins, so `-c` cannot override them; the
# push command line does (uploadpack is for fetches, which the git tools never make).
RECEIVE_PACK = re.compile(r"^remote\..+\.(receivepack|uploadpack)$")
# Flags for every git command that can show a diff: no external diff, no textconv.
DIFF_FLAGS = ("--no-ext-diff", "--no-textconv")


class RepositoryProgramError(Exception):
    """A repository config key that no override can neutralize (e.g. core.gitProxy)."""


def _config_entries(cwd: Path) -> list[tuple[str, str, str]]:
    """(scope, key, value) of every program-naming key git sees from `cwd`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG_")}
    try:
        r = subprocess.run(
            ["git", "config", "--show-scope", "-z", "--get-regexp", _QUERY],
            cwd=str(cwd), capture_output=True, timeout=30, env=env, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    out = []
    parts = r.stdout.decode("utf-8", "replace").split("\0")
    # -z with --show-scope: "scope" NUL "key" LF "value" NUL, repeated.
    for scope, item in zip(parts[0::2], parts[1::2], strict=False):
        key, _, value = item.partition("\n")
        out.append((scope, key, value))
    return out


def _neutral(key: str) -> str:
    for pattern, value in _NEUTRAL:
        if pattern.match(key):
            return value
    return ""


def overrides(cwd: Path, purpose: Purpose) -> list[tuple[str, str]]:
    """The (key, value) pairs that take every repository-supplied program out of git's reach
    when run from `cwd`, keeping what the user set globally where the tool needs it."""
    entries = _config_entries(cwd)
    user: dict[str, list[str]] = {}
    for scope, key, value in entries:
        if scope in USER_SCOPES:
            user.setdefault(key, []).append(value)
    repo_keys = [key for scope, key, _ in entries if scope in REPOSITORY_SCOPES]
    if purpose == "push" and any(k == "core.gitproxy" for k in repo_keys):
        raise RepositoryProgramError(
            "this repository's own config sets core.gitProxy (a program git would run "
            "outside the sandbox); GitPush does not run repository-supplied programs. Push "
            "with Bash `git push` (sandboxed), or ask the user to remove the setting")
    out: list[tuple[str, str]] = []
    helpers_reset = False
    for key in dict.fromkeys(repo_keys):
        if key == "core.hookspath" or key == "core.gitproxy" or RECEIVE_PACK.match(key):
            continue  # hooks: below; gitProxy: refused for a push; receive-pack: push_flags
        if re.match(r"^credential\.(.+\.)?helper$", key):
            if not helpers_reset:
                # An empty helper clears the list so far; the user's own come back after.
                out.append(("credential.helper", ""))
                helpers_reset = True
            continue
        mine = user.get(key)
        out.append((key, mine[-1] if mine and purpose != "read" else _neutral(key)))
        driver = re.match(r"^filter\.(.+)\.(clean|smudge|process)$", key)
        if driver:  # a required filter that no longer runs must not fail the command
            out.append((f"filter.{driver.group(1)}.required", "false"))
    if helpers_reset and purpose == "push":
        for scope, key, value in entries:
            if scope in USER_SCOPES and re.match(r"^credential\.(.+\.)?helper$", key):
                out.append((key, value))
    # Hooks live in the repository (.git/hooks, or a relative core.hooksPath): never run.
    # An absolute core.hooksPath the user set globally is their own code, and is kept.
    user_hooks = user.get("core.hookspath", [])
    keep_user_hooks = (user_hooks and os.path.isabs(os.path.expanduser(user_hooks[-1]))
                       and "core.hookspath" not in repo_keys)
    if not keep_user_hooks:
        out.append(("core.hooksPath", os.devnull))
    out.append(("core.fsmonitor", "false"))
    out.append(("protocol.ext.allow", "never"))  # ext:: URLs run arbitrary commands
    if purpose == "read":
        out.append(("log.showSignature", "false"))
    return out


def push_flags(cwd: Path) -> list[str]:
    """Command-line options for `git push` that override repository-set programs."""
    entries = _config_entries(cwd)
    if any(scope in REPOSITORY_SCOPES and RECEIVE_PACK.match(key) for scope, key, _ in entries):
        return ["--receive-pack=git-receive-pack"]
    return []


def config_env(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """`pairs` as GIT_CONFIG_COUNT/KEY/VALUE variables, after any the user already set."""
    start = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    env: dict[str, str] = {}
    n = start
    for key, value in pairs:
        env[f"GIT_CONFIG_KEY_{n}"] = key
        env[f"GIT_CONFIG_VALUE_{n}"] = value
        n += 1
    env["GIT_CONFIG_COUNT"] = str(n)
    return env


def tool_env(cwd: Path, purpose: Purpose, include: Iterable[str] = (),
             exclude: Iterable[str] = ()) -> dict[str, str]:
    """Environment updates for a git tool: the overrides, no prompts, no pager, no external
    diff, and credentials blanked (GitPython adds to harness's environment; it cannot
    remove a variable, so withheld ones are set empty)."""
    from harness.permissions.sandbox_env import withheld_names

    env = {name: "" for name in withheld_names(os.environ, include, exclude)}
    env.update(config_env(overrides(cwd, purpose)))
    env.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", PAGER="cat", LC_ALL="C",
               GIT_EDITOR="true", GIT_EXTERNAL_DIFF="")
    return env


def inside_any(path: Path, roots: Iterable[Path]) -> bool:
    real = Path(os.path.realpath(path))
    return any(real == r or r in real.parents for r in (Path(os.path.realpath(x)) for x in roots))


def local_remote_path(url: str, base: Path) -> Path | None:
    """The folder a remote URL names when it is on this machine (a path or file://)."""
    if url.startswith("file://"):
        return Path(url[len("file://"):])
    if "://" in url:
        return None
    if re.match(r"^[^/]+:", url) and not url.startswith(("./", "../")):
        return None  # scp-style host:path
    path = Path(os.path.expanduser(url))
    return path if path.is_absolute() else base / path
