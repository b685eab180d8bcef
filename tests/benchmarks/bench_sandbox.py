"""What the sandbox costs per command: one trivial Bash call (`true`) through the real Bash
tool, without the sandbox and under each mechanism this machine has, run interleaved so
that load from other processes hits all alike. Target: at most 20 ms added per command."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

RUNS = 41
TARGET_MS = 20.0


def _variants() -> list[tuple[str, str | None]]:
    """(label, mechanism to force, or None for no sandbox)."""
    from harness.permissions import sandbox_bwrap, sandbox_exec

    out: list[tuple[str, str | None]] = [("no sandbox (plain bash)", None)]
    if sandbox_bwrap.probe()[0]:
        out.append(("bubblewrap + Landlock + seccomp", "bubblewrap"))
    if sandbox_exec.abi_version() >= 1:
        out.append(("Landlock + seccomp fallback (supervisor)", "landlock"))
    return out


def _call(project: Path, mechanism: str | None, thread: str) -> float:
    from harness.permissions import sandbox
    from harness.tools.base import ToolContext
    from harness.tools.bash import Bash

    if mechanism is not None:
        os.environ[sandbox.MECHANISM_ENV] = mechanism
        sandbox.sandbox_status.cache_clear()
    ctx = ToolContext(project_root=project, thread_id=thread, sandbox_enabled=mechanism is not None)
    tool = Bash()
    parsed = tool.parse({"command": "true"})
    t0 = time.perf_counter()
    out = asyncio.run(tool.run(parsed, ctx))
    elapsed = (time.perf_counter() - t0) * 1000
    assert not out.is_error, out.content
    return elapsed


def _raw(argv: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdin=subprocess.DEVNULL)
    return (time.perf_counter() - t0) * 1000


def _parts(project: Path) -> list[tuple[str, float]]:
    """Where the time goes: each layer started on its own, without the tool around it."""
    import sys

    from harness.permissions import sandbox_bwrap, sandbox_exec

    launcher = [sys.executable, "-I", "-S", sandbox_exec.__file__, "--landlock", "--write",
                str(project), "--", "bash", "-c", "true"]
    parts: list[tuple[str, list[str]]] = [("bash -c true", ["bash", "-c", "true"]),
                                          ("python -I -S -c pass", [sys.executable, "-I",
                                                                    "-S", "-c", "pass"]),
                                          ("Landlock launcher → bash", launcher)]
    bwrap = sandbox_bwrap.bwrap_path()
    if bwrap and sandbox_bwrap.probe()[0]:
        parts.append(("bwrap (no launcher) → bash", [
            bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            *sandbox_bwrap.BASE_FLAGS, "--", "bash", "-c", "true"]))
    out = []
    for label, argv in parts:
        _raw(argv, project)
        out.append((label, statistics.median(_raw(argv, project) for _ in range(21))))
    return out


def run() -> str:
    from harness.permissions import sandbox

    folder = Path(tempfile.mkdtemp(prefix="bench-sandbox-"))
    project = folder / "proj"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    saved = os.environ.get(sandbox.MECHANISM_ENV)
    variants = _variants()
    times: dict[str, list[float]] = {label: [] for label, _ in variants}
    try:
        for _label, mechanism in variants:  # warm up: caches, the probe, the BPF compile
            _call(project, mechanism, "bench")
        for _ in range(RUNS):
            for label, mechanism in variants:
                times[label].append(_call(project, mechanism, "bench"))
    finally:
        if saved is None:
            os.environ.pop(sandbox.MECHANISM_ENV, None)
        else:
            os.environ[sandbox.MECHANISM_ENV] = saved
        sandbox.sandbox_status.cache_clear()
        shutil.rmtree(folder, ignore_errors=True)
    base = statistics.median(times[variants[0][0]])
    load = os.getloadavg()[0]
    lines = [
        "## Sandbox cost per command (Bash `true` through the Bash tool)",
        "",
        f"{RUNS} calls each, interleaved; median and best wall time of the whole tool call "
        f"(spawn, sandbox set-up, `bash -c`, output collection). Load average at the end: "
        f"{load:.2f} on {os.cpu_count()} cores (other work shares this machine).",
        "",
        "| variant | median ms | best ms | added (median) |",
        "|---|---:|---:|---:|",
    ]
    verdicts = []
    for label, mechanism in variants:
        med, best = statistics.median(times[label]), min(times[label])
        added = med - base
        lines.append(f"| {label} | {med:.1f} | {best:.1f} | "
                     f"{'—' if mechanism is None else f'{added:+.1f} ms'} |")
        if mechanism is not None:
            met = "met" if added <= TARGET_MS else "NOT met"
            verdicts.append(f"{label}: {added:+.1f} ms — **{met}**")
    lines += ["", f"Target: at most {TARGET_MS:.0f} ms added per command. " + "; ".join(verdicts)]
    project = Path(tempfile.mkdtemp(prefix="bench-sandbox-parts-"))
    try:
        parts = _parts(project)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    lines += ["", "Where the time goes (each started alone, median of 21, same load):", "",
              "| process | median ms |", "|---|---:|"]
    lines += [f"| {label} | {ms:.1f} |" for label, ms in parts]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(run())
