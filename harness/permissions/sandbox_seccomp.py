"""The seccomp filter sandboxed commands run under, compiled with libseccomp (`pyseccomp`).

It refuses (EPERM) what Landlock and the mount namespace do not cover: creating device
nodes, faking terminal input (TIOCSTI, TIOCLINUX), io_uring (which would bypass the filter),
creating unix sockets unless `sandbox.unix_sockets` allows them (a read-only mount does not
stop a connect to a socket outside, such as docker's; a socketpair between the command's own
processes still works) and, where no mount namespace exists (the Landlock fallback),
changing owners and extended attributes. The harness process
compiles the filter once to classic BPF; the stdlib-only launcher loads those bytes
(passed in its argv, so nothing the command can write is involved).
"""

from __future__ import annotations

import errno
import functools
import tempfile
from typing import Literal

Variant = Literal["bubblewrap", "landlock"]

S_IFMT, S_IFCHR, S_IFBLK = 0o170000, 0o020000, 0o060000
TIOCSTI, TIOCLINUX = 0x5412, 0x541C
AF_UNIX = 1

_ALWAYS_REFUSED = ("io_uring_setup", "io_uring_enter", "io_uring_register")
# Without a mount namespace, files outside cannot be told from files inside: owner and
# extended-attribute changes are refused everywhere. (Under bubblewrap the read-only mounts
# refuse them outside, and refusing them inside would only break `cp -a` and `mv`.)
_REFUSED_WITHOUT_MOUNTS = (
    "chown", "fchown", "lchown", "fchownat",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "setxattrat", "removexattrat",
)


def describe(variant: Variant, unix_sockets: bool = False) -> str:
    """What the filter refuses, for the status text."""
    items = ["device nodes", "TIOCSTI/TIOCLINUX terminal injection", "io_uring"]
    if not unix_sockets:
        items.append("unix sockets (sandbox.unix_sockets = false)")
    if variant == "landlock":
        items.append("chown and xattr changes (everywhere)")
    return ", ".join(items) + " refused"


def _build(variant: Variant, unix_sockets: bool) -> bytes:
    import pyseccomp as sc  # loads libseccomp.so.2 through ctypes

    flt = sc.SyscallFilter(sc.ALLOW)
    deny = sc.ERRNO(errno.EPERM)
    names = _ALWAYS_REFUSED + (_REFUSED_WITHOUT_MOUNTS if variant == "landlock" else ())
    for name in names:
        try:
            flt.add_rule(deny, name)
        except (OSError, ValueError, RuntimeError):
            continue  # a syscall this libseccomp or architecture does not know
    for kind in (S_IFCHR, S_IFBLK):
        flt.add_rule(deny, "mknod", sc.Arg(1, sc.MASKED_EQ, S_IFMT, kind))
        flt.add_rule(deny, "mknodat", sc.Arg(2, sc.MASKED_EQ, S_IFMT, kind))
    for request in (TIOCSTI, TIOCLINUX):
        flt.add_rule(deny, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, request))
    if not unix_sockets:
        flt.add_rule(deny, "socket", sc.Arg(0, sc.EQ, AF_UNIX))
    with tempfile.TemporaryFile() as out:
        flt.export_bpf(out)
        out.seek(0)
        return out.read()


@functools.cache
def compiled(variant: Variant, unix_sockets: bool = False) -> bytes | None:
    """The BPF program for `variant`, or None where libseccomp is not available."""
    try:
        return _build(variant, unix_sockets)
    except Exception:  # no pyseccomp, no libseccomp.so.2, or an architecture it lacks
        return None


def unavailable_reason() -> str:
    try:
        import pyseccomp  # noqa: F401
    except Exception as exc:
        return f"libseccomp could not be loaded ({exc})"
    return "libseccomp could not compile the filter"


def filter_hex(variant: Variant, unix_sockets: bool = False) -> str | None:
    """The compiled filter as hex, for the launcher's `--seccomp` argument."""
    program = compiled(variant, unix_sockets)
    return program.hex() if program is not None else None
