"""Sub-agents (issue 9): scatter-gather latency, per-sub-agent overhead, tracing-off cost.

In process, real SDK over HTTP to the scripted Messages-API server. Each sub-agent makes two
model requests, each answered after DELAY seconds; the fan-out time runs from the first
`subagent_started` to the last `subagent_finished` event. References: the slowest single
sub-agent (2 × DELAY) and the sum a sequential run would take (N × 2 × DELAY).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import tempfile
import time
import timeit
from contextlib import nullcontext
from pathlib import Path

from harness.model.script import Reply, ToolUse, text
from tests.support.scripted_server import ScriptedServer

DELAY = 0.3
_AGENT = re.compile(r"You are the sub-agent '([a-z0-9_-]+)'")


def _route(n: int, delay: float):
    def route(body):
        system = "".join(b.get("text", "") for b in body.get("system") or [])
        turns = sum(1 for m in body["messages"] if m["role"] == "assistant")
        if not _AGENT.search(system):
            if turns == 0:
                return Reply([ToolUse("Task", {"agent": "explore",
                                               "handoff": {"goal": f"part {i}"}})
                              for i in range(n)])
            return text("gathered")
        if turns == 0:
            return Reply([ToolUse("LS", {"path": "."})], delay=delay)
        return text("part done", delay=delay)

    return route


async def _fan_out(project: Path, n: int, delay: float) -> float:
    from harness.agent.session import SessionOptions, open_session
    from harness.protocol.approver import DenyApprover

    events = []
    session = await open_session(SessionOptions(project_root=project),
                                 approver=DenyApprover(), sink=lambda e, s: events.append(e))
    result = await session.run_prompt("split the work")
    await session.close()
    assert result.status == "done", result
    started = [e.ts for e in events if e.type == "subagent_started"]
    finished = [e.ts for e in events if e.type == "subagent_finished"]
    assert len(started) == len(finished) == n
    return max(finished) - min(started)


def _measure(project: Path, n: int, delay: float, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        with ScriptedServer(default=_route(n, delay)) as server:
            os.environ["ANTHROPIC_BASE_URL"] = server.base_url
            times.append(asyncio.run(_fan_out(project, n, delay)))
    return statistics.median(times)


def _tracing_off_ns() -> tuple[float, float]:
    from harness.agent.tracing import Tracing
    from harness.config.schema import Settings

    tracer = Tracing.from_settings(Settings())
    number = 200_000

    def ours():
        with tracer.span("tool_call", {"harness.tool": "Read"}) as span:
            span.set("x", 1)

    def floor():
        with nullcontext():
            pass

    per = lambda f: min(timeit.repeat(f, number=number, repeat=5)) / number * 1e9  # noqa: E731
    return per(ours), per(floor)


def run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({"HARNESS_HOME": str(Path(tmp) / "home"),
                           "XDG_CONFIG_HOME": str(Path(tmp) / "xdg"),
                           "ANTHROPIC_API_KEY": "bench-key"})
        project = Path(tmp) / "proj"
        project.mkdir()
        subprocess.run(["git", "init", "-q", str(project)], check=True)
        (project / "a.txt").write_text("a\n")
        _measure(project, 1, 0.0, repeat=1)  # warm-up: SDK import, first connections
        rows = []
        for n in (1, 3, 6):
            fan = _measure(project, n, DELAY)
            slowest, total = 2 * DELAY, n * 2 * DELAY
            rows.append((n, fan, slowest, total))
        overhead = _measure(project, 1, 0.0, repeat=5)
    ours_ns, floor_ns = _tracing_off_ns()

    lines = [
        "## Sub-agents: scatter-gather",
        "",
        f"N explore sub-agents started by one model response; each makes 2 requests answered "
        f"after {DELAY:g} s. Median of 3 runs.",
        "",
        "| sub-agents | fan-out s | slowest one s | sequential sum s | × slowest | × sum |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for n, fan, slowest, total in rows:
        worst = max(worst, fan / slowest)
        lines.append(f"| {n} | {fan:.3f} | {slowest:.3f} | {total:.3f} | "
                     f"{fan / slowest:.2f} | {fan / total:.2f} |")
    met = "met" if worst <= 1.5 else "NOT met"
    lines += [
        "",
        f"Target: fan-out within 1.5 × the slowest sub-agent — **{met}** (worst {worst:.2f} ×).",
        "",
        "| cost | ours | reference | ratio |",
        "|---|---:|---:|---:|",
        f"| one sub-agent run with instant replies (thread, session, 2 requests), ms | "
        f"{overhead * 1000:.1f} | — | — |",
        f"| tracing off: one span enter/exit + set, ns | {ours_ns:.0f} | "
        f"{floor_ns:.0f} (`nullcontext`) | {ours_ns / floor_ns:.2f} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    t0 = time.monotonic()
    print(run())
    print(f"({time.monotonic() - t0:.1f}s)")
