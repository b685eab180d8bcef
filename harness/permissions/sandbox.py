"""The OS sandbox every shell command runs under: Landlock here, bubblewrap as a fallback.

`sandboxed_argv` turns a command into the argv the Bash tool spawns; `sandbox_status` says
honestly what protection exists on this machine (including none).
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness.permissions import sandbox_exec

_EXEC_SCRIPT = Path(sandbox_exec.__file__).resolve()
_CAP_SYS_ADMIN = 21

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


@dataclass(frozen=True)
class SandboxPolicy:
    project_root: Path
    writable: tuple[Path, ...] = ()
    network: bool = False


@dataclass(frozen=True)
class SandboxStatus:
    available: bool
    mechanism: str  # "landlock" | "bubblewrap" | "none"
    detail: str


def _has_cap_sys_admin() -> bool:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> _CAP_SYS_ADMIN & 1)
    except (OSError, ValueError):
        pass
    return False


@functools.lru_cache(maxsize=1)
def sandbox_status() -> SandboxStatus:
    """What this machine can enforce. Cached: the kernel does not change under us."""
    if sys.platform == "linux":
        abi = sandbox_exec.abi_version()
        if abi >= 1:
            if _has_cap_sys_admin():
                net = "network off via a private network namespace"
                if abi >= 4:
                    net += " and Landlock TCP rules"
            elif abi >= 4:
                net = "network off via Landlock TCP rules (TCP only: UDP and DNS are not blocked)"
            else:
                net = "network CANNOT be turned off here (no namespace rights, Landlock ABI < 4)"
            return SandboxStatus(
                True, "landlock",
                f"Landlock ABI {abi}: writes limited to the project root, temp and configured "
                f"folders; {net}",
            )
    if shutil.which("bwrap"):
        return SandboxStatus(
            True, "bubblewrap",
            "bubblewrap: read-only root filesystem, project root and temp writable, "
            "network off via --unshare-net",
        )
    reason = "Landlock is not available in this kernel" if sys.platform == "linux" else (
        f"no sandbox is implemented for {sys.platform}")
    return SandboxStatus(
        False, "none",
        f"NO SANDBOX: {reason} and bubblewrap is not installed; shell commands run with your "
        "full rights (install bubblewrap to get one)",
    )


def _temp_dirs() -> list[Path]:
    dirs = {Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp")}
    if os.environ.get("TMPDIR"):
        dirs.add(Path(os.environ["TMPDIR"]))
    return sorted(d for d in dirs if d.is_dir())


def writable_paths(policy: SandboxPolicy) -> list[Path]:
    """Every folder the sandboxed command may change, resolved (Landlock works on real paths)."""
    out: list[Path] = []
    for p in (policy.project_root, *policy.writable, *_temp_dirs()):
        real = Path(os.path.realpath(os.path.expanduser(str(p))))
        if real not in out:
            out.append(real)
    return out


def sandboxed_argv(command: str, policy: SandboxPolicy) -> list[str]:
    """The argv that runs `bash -c command` under the sandbox (or plain bash when none exists)."""
    status = sandbox_status()
    if status.mechanism == "landlock":
        argv = [sys.executable, "-I", str(_EXEC_SCRIPT)]
        for p in writable_paths(policy):
            argv += ["--write", str(p)]
        if not policy.network:
            argv.append("--no-network")
        return [*argv, "--", "bash", "-c", command]
    if status.mechanism == "bubblewrap":
        argv = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--die-with-parent"]
        for p in writable_paths(policy):
            argv += ["--bind", str(p), str(p)]
        if not policy.network:
            argv.append("--unshare-net")
        # No --chdir: bwrap stays in the folder the caller spawned it in (the tool's cwd).
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
    return (f"the command was stopped by the sandbox: it may write only under {where}, and "
            f"network access is {net}. Do not retry the same command; ask the user, or work "
            f"inside the project.")
