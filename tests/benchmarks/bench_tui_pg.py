"""TUI key latency while a real session streams and stores on PostgreSQL (issue 16).

The Textual app (headless, Pilot) runs a real AgentSession on a PostgreSQL store: a
scripted model (in process) streams short turns, each calling Read, so every turn stores
its steps (assistant message, tool call, decision, result) while the next one streams.
A key is handed to the app every 60 ms as the terminal driver would; latency = press →
the first frame after the prompt shows it. Two servers: local (fsync off, the test
fixture's) and the same with every event INSERT made 5 or 25 ms slower by a trigger
calling `pg_sleep`, as a remote or busy server would be. Before = the code at HARNESS_BEFORE_TREE
(default /work/relayout-before, the `relayout` commit this work started from), after =
this tree; each measured in its own child process, alternated.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TURNS = 40
PRESS_EVERY = 0.06
MAX_PRESSES = 120
ROUNDS = 2  # before/after alternated this many times per server
SERVERS = (("local server", 0), ("server +5 ms per event insert", 5),
           ("server +25 ms per event insert", 25))
SLOW_INSERT = """
CREATE FUNCTION slow_insert() RETURNS trigger AS $$
BEGIN PERFORM pg_sleep({seconds}); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER slow_insert BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION slow_insert()
"""


# --- the child: one measurement with whatever `harness` is on sys.path --------------------


async def _measure(url: str) -> list[float]:
    from textual import events

    from harness.agent.session import SessionOptions, open_session
    from harness.model.script import Reply, Text, ToolUse, text
    from harness.model.scripted import ScriptedModelClient
    from harness.store.open import open_store
    from harness.ui.history import PromptHistory
    from harness.ui.tui.app import HarnessApp

    root = Path(tempfile.mkdtemp())
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "notes.txt").write_text("alpha\n" * 20)
    words = "Streaming a paragraph of the answer, then reading the notes again. " * 6
    steps = [Reply((Text(words), ToolUse("Read", {"file_path": "notes.txt"})), chunk_size=4)
             for _ in range(TURNS)] + [text("done")]
    model = ScriptedModelClient(steps, pace=0.0005)  # ~2,000 deltas/s
    store = open_store(url)

    async def connect(approver, sink):
        return await open_session(
            SessionOptions(project_root=root, front_end="tui", model_client=model, store=store),
            approver=approver, sink=sink,
        )

    app = HarnessApp(connect, root, history=PromptHistory(None), theme="dark",
                     load_files=False)
    latencies: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        while app.session is None:
            await pilot.pause(0.01)
        app.prompt.load_text("work")
        await pilot.press("enter")
        while not app.running:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.3)
        while app.running and len(latencies) < MAX_PRESSES:
            before = app.prompt.text
            frame = asyncio.Event()
            key = events.Key("k", "k")
            key.set_sender(app)
            t0 = time.perf_counter()
            app._driver.send_message(key)  # as the terminal driver delivers a key press
            while app.prompt.text == before:
                await asyncio.sleep(0.0005)
            app.call_after_refresh(frame.set)
            await frame.wait()
            latencies.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(PRESS_EVERY)
        while app.running:
            await asyncio.sleep(0.01)
        await app.session.close()
    store.close()
    return latencies


def _child(url: str) -> None:
    sys.path.insert(0, os.getcwd())
    import harness

    assert Path(harness.__file__).resolve().is_relative_to(Path.cwd().resolve()), harness.__file__
    print(json.dumps(asyncio.run(_measure(url))))


# --- the parent ---------------------------------------------------------------------------


def _schema(base: str, slow_ms: int) -> str:
    import psycopg

    from harness.store.postgres import PostgresStore

    schema = f"b_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{base}?options=-csearch_path%3D{schema}"
    PostgresStore(url).close()  # the tables, so the trigger has one to sit on
    if slow_ms:
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in SLOW_INSERT.format(seconds=slow_ms / 1000).split(";\n"):
                conn.execute(statement)
    return url


def _run_child(tree: Path, url: str) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", url],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"measurement in {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def run() -> str:
    sys.path.insert(0, str(ROOT))
    from tests.support.pg import PgServer

    before_tree = Path(os.environ.get("HARNESS_BEFORE_TREE", "/work/relayout-before"))
    trees = [("before", before_tree), ("after", ROOT)] if before_tree.is_dir() else [
        ("after", ROOT)]
    server = PgServer()
    results: dict[tuple[str, str], list[float]] = {}
    try:
        for label, slow in SERVERS:
            for _ in range(ROUNDS):
                for name, tree in trees:
                    lat = _run_child(tree, _schema(server.url, slow))
                    results.setdefault((label, name), []).extend(lat)
    finally:
        server.close()
    load = os.getloadavg()[0]
    lines = [
        "## TUI key latency while streaming on PostgreSQL (issue 16: appends off the loop)",
        "",
        f"{TURNS} streamed turns, each with a Read call (its steps stored while the next "
        f"turn streams); a key every {PRESS_EVERY * 1000:.0f} ms; {ROUNDS} runs per cell, "
        "before and after alternated, each in its own process. Before = "
        f"`{before_tree}` (the `relayout` commit 6727c79: appends on the event loop); after "
        "= this tree (one writer thread per session). Load average at the end "
        f"{load:.1f} on 2 cores: other helpers' test runs share this machine, so the "
        "absolute figures are noisy; compare the rows.",
        "",
        "| server | code | presses | p50 ms | p95 ms | max ms | after ÷ before: p50 · p95 · "
        "max |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for label, _slow in SERVERS:
        for name, _tree in trees:
            lat = results[(label, name)]
            ratios = ""
            if name == "after" and (label, "before") in results:
                ref = results[(label, "before")]
                ratios = (f"{statistics.median(lat) / statistics.median(ref):.2f}× · "
                          f"{_pct(lat, 0.95) / _pct(ref, 0.95):.2f}× · "
                          f"{max(lat) / max(ref):.2f}×")
            lines.append(f"| {label} | {name} | {len(lat)} | {statistics.median(lat):.1f} | "
                         f"{_pct(lat, 0.95):.1f} | {max(lat):.1f} | {ratios} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _child(sys.argv[2])
    else:
        print(run())
