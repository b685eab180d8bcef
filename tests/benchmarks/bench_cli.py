"""Start-up: `harness --version` wall time against `python -c pass` (issue 2: < 150 ms)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 30
HARNESS = str(Path(sys.executable).with_name("harness"))


def _time(argv: list[str]) -> list[float]:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def run() -> str:
    _time([sys.executable, "-c", "pass"])  # warm the page cache
    floor = _time([sys.executable, "-c", "pass"])
    version = _time([HARNESS, "--version"])
    help_ = _time([HARNESS, "--help"])
    med = statistics.median
    rows = [
        ("`python -c pass` (floor)", med(floor), min(floor)),
        ("`harness --version`", med(version), min(version)),
        ("`harness --help`", med(help_), min(help_)),
    ]
    lines = [
        "## Start-up (`harness --version`)",
        "",
        f"{RUNS} runs each, wall time of the whole process.",
        "",
        "| command | median ms | best ms | × floor (median) |",
        "|---|---:|---:|---:|",
    ]
    for name, m, best in rows:
        lines.append(f"| {name} | {m:.1f} | {best:.1f} | {m / med(floor):.2f} |")
    verdict = "met" if med(version) < 150 else "NOT met"
    lines += [
        "",
        f"Target: `harness --version` under 150 ms — **{verdict}** (median {med(version):.1f} ms).",
    ]
    return "\n".join(lines)
