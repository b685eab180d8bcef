"""Path policy: resolve what a path really names, then judge containment, git internals,
the harness's own config files and likely secrets. Only filesystem metadata is read."""

from __future__ import annotations

import os
import pwd
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_MAX_LINKS = 40  # the kernel's own limit on symlinks followed in one lookup

SECRET_NAMES = frozenset({
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    ".netrc", "_netrc", ".pgpass", ".git-credentials", "credentials", "credentials.json",
    ".npmrc", ".pypirc", "secrets.yml", "secrets.yaml", "secrets.json", "secrets.toml",
    "service-account.json", ".htpasswd", "master.key",
})
SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".kdbx")
SECRET_FOLDERS = frozenset({".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", "gcloud"})


@dataclass(frozen=True, slots=True)
class ResolvedPath:
    raw: str
    lexical: Path  # absolute, `~` expanded, not yet following links
    real: Path  # every symlink followed, `..` applied after each link like the kernel does
    problem: str | None = None  # "dangling symlink" / "symlink loop"
    links: tuple[Path, ...] = ()  # every symlink followed on the way, by its own path


# /proc/self, /proc/thread-self and /proc/<pid>: environment, memory, open files, cwd links.
_PROC_PROCESS = re.compile(r"^/proc/(self|thread-self|\d+)(/|$)")


def user_home(name: str) -> Path | None:
    """The home folder of user `name` as `~name` expands it (None: no such user)."""
    try:
        return Path(pwd.getpwnam(name).pw_dir)
    except (KeyError, ValueError):  # unknown user, or a NUL in the name
        return None


def expand(raw: str, base: Path, home: Path) -> Path:
    """Absolute, `~` and `~user` expanded the way the file tools do (os.path.expanduser):
    `~user` of an unknown user stays a literal relative name."""
    if raw == "~" or raw.startswith("~/"):
        return home / raw[2:]
    if raw.startswith("~"):
        name, _, rest = raw[1:].partition("/")
        other = user_home(name)
        if other is not None:
            return other / rest
    p = Path(raw)
    return p if p.is_absolute() else base / p


def _follow(path: Path, seen: list[Path] | None = None) -> tuple[Path, str | None]:
    todo = list(PurePosixPath(path).parts[1:])
    current = Path("/")
    links = 0
    missing = False
    while todo:
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            current = current.parent
            continue
        nxt = current / part
        if not missing and os.path.islink(nxt):
            links += 1
            if links > _MAX_LINKS:
                return nxt.joinpath(*todo), "symlink loop"
            if seen is not None:
                seen.append(nxt)
            target = os.readlink(nxt)
            if target.startswith("/"):
                current = Path("/")
            todo = list(PurePosixPath(target).parts) + todo
            if target.startswith("/"):
                todo = todo[1:]
            continue
        if not missing and not os.path.lexists(nxt):
            missing = True
        current = nxt
    return current, None


def resolve(raw: str, base: Path, home: Path) -> ResolvedPath:
    if "\x00" in raw:  # no system call takes it; the tools refuse it too
        lexical = Path(os.path.normpath(base / raw.replace("\x00", "?")))
        return ResolvedPath(raw, lexical, lexical, "the path contains a NUL byte")
    lexical = expand(raw, base, home)
    links: list[Path] = []
    real, problem = _follow(lexical, links)
    if problem is None:
        # A link whose target does not exist (or a loop) anywhere along the way: asks.
        probe = Path("/")
        for part in PurePosixPath(lexical).parts[1:]:
            probe = probe / part
            if os.path.islink(probe) and not os.path.exists(probe):
                problem = "dangling symlink or symlink loop"
                break
    return ResolvedPath(raw, lexical, real, problem, tuple(links))


def real_root(root: Path) -> Path:
    return Path(os.path.realpath(root))


def inside(path: Path, roots: tuple[Path, ...] | list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def is_process_path(p: Path | PurePosixPath) -> bool:
    """`/proc/self/…`, `/proc/<pid>/…`: a process's environment, memory and open files."""
    return bool(_PROC_PROCESS.match(os.path.normpath(str(p))))


def is_secret_path(p: Path | PurePosixPath) -> bool:
    return is_secret_text(str(p))


def is_secret_text(path: str) -> bool:
    """`is_secret_path` on a plain string (searches check every file they list with it)."""
    if path.startswith("/proc/") and is_process_path(PurePosixPath(path)):
        return True
    parts = path.lower().rstrip("/").split("/")
    name = parts[-1]
    if name.startswith(".env") or name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES):
        return True
    return any(part in SECRET_FOLDERS for part in parts[:-1])


def is_secret(rp: ResolvedPath) -> bool:
    """A likely secret as written or resolved, or reached through a process's files
    (`/dev/fd/3` goes through `/proc/self`: open files of harness itself)."""
    return (is_secret_path(rp.lexical) or is_secret_path(rp.real)
            or any(is_process_path(link) for link in rp.links))
