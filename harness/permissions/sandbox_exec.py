"""Sandbox launcher: confine itself (Landlock, seccomp, capabilities, network), then run the
command. Inside bubblewrap it simply execs the command; on the Landlock-only fallback it
stays as the command's supervisor so that the command's processes end with harness.

Run as a script: `python -I -S sandbox_exec.py [--write DIR]... [--landlock] [--no-network]
[--tcp-off] [--seccomp HEX] [--drop-caps] [--supervise] -- PROGRAM ARGS`; stdlib only, so
start-up stays light and nothing from the project folder can be imported.
"""

# No `from __future__ import annotations` and no `signal` module: each costs milliseconds of
# start-up (`signal` pulls in enum), paid on every sandboxed command; `_signal` is the C core.
import _signal as signal
import ctypes
import os
import sys

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_PR_CAPBSET_DROP = 24
_PR_SET_SECUREBITS = 28
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_CHILD_SUBREAPER = 36
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_SECBITS_LOCKED_NOROOT = 0x0F  # NOROOT, NO_SETUID_FIXUP and their locks
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_CLONE_NEWNET = 0x40000000

# Filesystem rights (uapi/linux/landlock.h). Reads and execution are never handled, so they
# stay allowed everywhere; only the rights that change the filesystem are restricted.
WRITE_FILE = 1 << 1
REMOVE_DIR, REMOVE_FILE = 1 << 4, 1 << 5
MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK = 1 << 6, 1 << 7, 1 << 8, 1 << 9
MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE = 1 << 13, 1 << 14
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
# ABI 6: no connecting to abstract unix sockets, nor signalling, outside the sandbox.
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

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


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


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
    """Restrict this process: writes only beneath `writable`; TCP off when asked and possible;
    (ABI >= 6) no signals to, and no abstract unix sockets of, processes outside.

    Returns whether TCP was restricted by Landlock (ABI >= 4).
    """
    abi = abi_version()
    if abi < 1:
        raise OSError(0, "Landlock is not available in this kernel")
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    fs = write_rights(abi)
    net = NET_BIND_TCP | NET_CONNECT_TCP if (no_network and abi >= 4) else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    attr = _RulesetAttr(fs, net, scoped)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
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


def drop_capabilities() -> None:
    """Give up every capability for good, even as root: securebits so that exec does not
    grant them back, the bounding and ambient sets emptied, then the current sets."""
    libc = _libc()
    libc.prctl(_PR_SET_SECUREBITS, _SECBITS_LOCKED_NOROOT, 0, 0, 0)  # fails unless privileged
    for cap in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break  # EINVAL: past the last capability this kernel knows
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")


def load_seccomp(hex_program: str) -> None:
    """Install the classic-BPF program libseccomp compiled in harness (passed in argv as hex,
    so no file the command could have changed is involved)."""
    try:
        program = bytes.fromhex(hex_program)
    except ValueError:
        program = b""
    if not program or len(program) % 8:
        raise OSError(0, "the --seccomp argument is not a BPF program")
    buf = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = _libc()
    _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    _check(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0),
           "prctl(SECCOMP)")


class Options:
    def __init__(self) -> None:
        self.writable: list[str] = []
        self.landlock = False
        self.no_network = False
        self.tcp_off = False
        self.seccomp: str | None = None
        self.drop_caps = False
        self.supervise = False
        self.command: list[str] = []


_FLAGS = {"--landlock": "landlock", "--no-network": "no_network", "--tcp-off": "tcp_off",
          "--drop-caps": "drop_caps", "--supervise": "supervise"}


def _parse(argv: list[str]) -> Options:
    opts = Options()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--write", "--seccomp") and i + 1 < len(argv):
            if arg == "--write":
                opts.writable.append(argv[i + 1])
            else:
                opts.seccomp = argv[i + 1]
            i += 2
        elif arg in _FLAGS:
            setattr(opts, _FLAGS[arg], True)
            i += 1
        elif arg == "--":
            opts.command = argv[i + 1:]
            return opts
        else:
            break
    raise SystemExit(
        f"{MARK} usage: sandbox_exec.py [--write DIR]... [--landlock] [--no-network] "
        "[--tcp-off] [--seccomp HEX] [--drop-caps] [--supervise] -- PROGRAM ARGS")


def _confine(opts: Options) -> str | None:
    """Apply every requested layer to this process; an error message when one fails."""
    netns = enter_network_namespace() if opts.no_network else False
    tcp_blocked = False
    if opts.landlock:
        try:
            tcp_blocked = apply_landlock(opts.writable, opts.no_network or opts.tcp_off)
        except OSError as exc:
            return f"cannot apply the Landlock sandbox ({exc})"
    if opts.no_network and not (netns or tcp_blocked):
        return "cannot turn the network off here (no network namespace, Landlock ABI < 4)"
    try:
        if opts.drop_caps:
            drop_capabilities()
        if opts.seccomp:
            load_seccomp(opts.seccomp)
    except OSError as exc:
        return f"cannot apply the sandbox ({exc})"
    return None


def _exec(command: list[str]) -> int:
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"{MARK} cannot run {command[0]!r}: {exc}", file=sys.stderr)
        return 127
    return 0  # pragma: no cover - execvp does not return


def _children() -> list[int]:
    pids: list[int] = []
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children") as f:
                pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return pids


def end_descendants() -> None:
    """SIGKILL every process below this one. As a child subreaper, orphans of killed
    processes come back to us, so repeat until none is left."""
    for _ in range(100):
        kids = _children()
        if not kids:
            return
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for _pid in kids:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break


def supervise(opts: Options) -> int:
    """Fork the confined command and wait; whether it ends, harness ends (PDEATHSIG) or a
    timeout stops us (SIGTERM), every process the command started ends too."""
    libc = _libc()
    parent = os.getppid()
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # harness died before the death signal was armed
        return 128 + signal.SIGTERM
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

    def stop(signum: int, _frame: object) -> None:
        end_descendants()
        os._exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, stop)
    pid = os.fork()
    if pid == 0:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        # Confined after the fork: the supervisor stays outside the command's Landlock
        # domain, so `kill $PPID` from the command is refused (scoped signals).
        problem = _confine(opts)
        if problem:
            print(f"{MARK} {problem}; command not run", file=sys.stderr)
            os._exit(SETUP_FAILED)
        os._exit(_exec(opts.command))
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            status = SETUP_FAILED << 8
            break
    end_descendants()  # background jobs end with the command, as under bubblewrap
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else \
        128 + os.WTERMSIG(status)


def main(argv: list[str]) -> int:
    opts = _parse(argv)
    if not opts.command:
        print(f"{MARK} no command given", file=sys.stderr)
        return SETUP_FAILED
    if opts.supervise:
        return supervise(opts)
    problem = _confine(opts)
    if problem:
        print(f"{MARK} {problem}; command not run", file=sys.stderr)
        return SETUP_FAILED
    return _exec(opts.command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
