"""Path facts the shell analysis needs beyond `paths.py`: globs that could hit a secret,
process files that hold other programs' environments, and git `rev:path` names."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from pathlib import PurePosixPath

from harness.permissions.paths import is_secret_path

_SECRET_SAMPLES = (".env", ".env.local", ".envrc", "id_rsa", "id_ed25519", "id_ecdsa",
                   "server.pem", "server.key", "credentials", ".netrc", ".git-credentials",
                   ".pgpass", ".npmrc", ".pypirc", "secrets.yml", "master.key", "x.p12")
# /proc/<pid>/environ and friends expose other processes' environments and memory.
_PROC = re.compile(r"^/proc/(self|thread-self|\d+|[^/]*[*?\[][^/]*)(/task/[^/]+)?"
                   r"/(environ|cmdline|mem|maps|smaps|auxv|fd|fdinfo|root|cwd|exe|map_files)"
                   r"(/|$)")


def glob_may_hit_secret(pattern: str) -> bool:
    """`cat .e*` or `head *.pem`: a glob that a secrets file's name would match."""
    base = pattern.rstrip("/").rsplit("/", 1)[-1]
    if "{" in base:
        return True  # brace expansion: do not try to enumerate it
    if any(part.lower() in (".ssh", ".gnupg", ".aws") for part in pattern.split("/")[:-1]):
        return True
    # Bash globs match a leading dot only when the pattern spells it.
    dot_ok = base.startswith((".", "["))
    try:
        return any(fnmatch.fnmatchcase(name, base) for name in _SECRET_SAMPLES
                   if dot_ok or not name.startswith("."))
    except re.error:
        return True


def proc_secret(path: str) -> bool:
    norm = posixpath.normpath(path) if path.startswith("/") else path
    return norm.startswith("/proc/self") or norm.startswith("/proc/thread-self") or bool(
        _PROC.match(norm)) or norm in ("/proc/kcore",)


def revision_path(text: str) -> str | None:
    """`HEAD:.env` → `.env`; `:0:.env`, `:.env` (the index) → `.env`; else None."""
    if ":" not in text or text.startswith(":("):
        return None
    rev, _, path = text.partition(":")
    if rev == "" and re.match(r"^[0-3]:", path):
        path = path[2:]
    if rev == "" and path.startswith("/"):
        return None  # `:/message`: a commit search, not a path
    return path


def secret_pathspec(text: str) -> bool:
    """A git path, revision path or pathspec (with `:(magic)` or globs) naming a secret."""
    path = revision_path(text)
    if path is not None:
        text = path
    if text.startswith(":"):  # pathspec magic: `:(glob)…`, `:!x`, `:/x`
        text = re.sub(r"^:(\([^)]*\)|[!^/]*)", "", text)
    if not text:
        return False
    norm = posixpath.normpath(text)
    if is_secret_path(PurePosixPath(norm)):
        return True
    return bool(re.search(r"[*?\[]", text)) and glob_may_hit_secret(text)
