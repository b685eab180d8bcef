"""Sandbox launcher: apply Landlock (and a network namespace) to itself, then exec the command.

Run as a script (`python -I sandbox_exec.py --write DIR ... [--no-network] -- bash -c CMD`);
stdlib only, so start-up stays light and nothing from the project folder can be imported.
"""

from __future__ import annotations

import ctypes
import os
import sys

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWNET = 0x40000000

# Filesystem rights (uapi/linux/landlock.h). Reads and execution are never handled, so they
# stay allowed everywhere; only the rights that change the filesystem are restricted.
WRITE_FILE = 1 << 1
REMOVE_DIR, REMOVE_FILE = 1 << 4, 1 << 5
MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK = 1 << 6, 1 << 7, 1 << 8, 1 << 9
MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE = 1 << 13, 1 << 14
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1

# Devices that commands write to as a matter of course; writing them changes no file.
DEVICE_FILES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/random", "/dev/urandom")
DEVICE_DIRS = ("/dev/pts", "/dev/shm")

# Exit status when the sandbox itself cannot be set up (like a shell's "cannot execute").
SETUP_FAILED = 126
MARK = "harness-sandbox:"


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel struct is __attribute__((packed))
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is missing or disabled."""
    try:
        libc = _libc()
        libc.syscall.restype = ctypes.c_long
        version = libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                               ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def write_rights(abi: int) -> int:
    rights = (WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR | MAKE_REG
              | MAKE_SOCK | MAKE_FIFO | MAKE_BLOCK | MAKE_SYM)
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def apply_landlock(writable: list[str], no_network: bool) -> bool:
    """Restrict this process: writes only beneath `writable`; TCP off when asked and possible.

    Returns whether TCP was restricted by Landlock (ABI >= 4).
    """
    abi = abi_version()
    if abi < 1:
        raise OSError(0, "Landlock is not available in this kernel")
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    fs = write_rights(abi)
    net = NET_BIND_TCP | NET_CONNECT_TCP if (no_network and abi >= 4) else 0
    attr = _RulesetAttr(fs, net, 0)
    size = 8 if abi < 4 else 16
    fd = _check(libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                             ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        file_only = WRITE_FILE | (TRUNCATE if abi >= 3 else 0)
        targets = [(p, fs) for p in writable] + [(p, fs) for p in DEVICE_DIRS]
        targets += [(p, file_only) for p in DEVICE_FILES]
        for path, rights in targets:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a folder that does not exist yet cannot be written through anyway
            try:
                if not os.path.isdir(path):
                    rights &= file_only
                rule = _PathBeneathAttr(rights, pfd)
                result = libc.syscall(_SYS_ADD_RULE, ctypes.c_int(fd),
                                      ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule),
                                      ctypes.c_uint32(0))
                _check(result, f"landlock_add_rule {path}")
            finally:
                os.close(pfd)
        _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        _check(libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(fd)
    return bool(net)


def enter_network_namespace() -> bool:
    """A fresh network namespace has only a downed loopback: no route anywhere."""
    libc = _libc()
    return libc.unshare(_CLONE_NEWNET) == 0


def _parse(argv: list[str]) -> tuple[list[str], bool, list[str]]:
    writable: list[str] = []
    no_network = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--write" and i + 1 < len(argv):
            writable.append(argv[i + 1])
            i += 2
        elif arg == "--no-network":
            no_network = True
            i += 1
        elif arg == "--":
            return writable, no_network, argv[i + 1:]
        else:
            break
    raise SystemExit(
        f"{MARK} usage: sandbox_exec.py [--write DIR]... [--no-network] -- PROGRAM ARGS")


def main(argv: list[str]) -> int:
    writable, no_network, command = _parse(argv)
    if not command:
        print(f"{MARK} no command given", file=sys.stderr)
        return SETUP_FAILED
    netns = enter_network_namespace() if no_network else False
    try:
        tcp_blocked = apply_landlock(writable, no_network)
    except OSError as exc:
        print(f"{MARK} cannot apply the Landlock sandbox ({exc}); command not run", file=sys.stderr)
        return SETUP_FAILED
    if no_network and not (netns or tcp_blocked):
        print(f"{MARK} cannot turn the network off here (no network namespace, Landlock ABI < 4);"
              " command not run", file=sys.stderr)
        return SETUP_FAILED
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"{MARK} cannot run {command[0]!r}: {exc}", file=sys.stderr)
        return 127
    return 0  # pragma: no cover - execvp does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
