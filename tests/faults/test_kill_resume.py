"""Kill harness at seeded random points and resume it until done: no step runs twice, no
step is lost, and the run ends `done` only once the model's final text was received.

A scripted ten-step session (each step a Bash call appending `step-N` to a ledger file in
the project) runs as real `python -m harness` processes against the scripted Messages-API
server, whose replies are paced so that signals land mid-stream and mid-tool too. Each
process gets SIGKILL, SIGTERM or SIGINT after a seeded number of output lines (or, for
zero, after a seeded delay: during start-up, store opening or thread creation); the next
process resumes the thread, with none of the first run's flags (they come from the log).

The scripted model is careful the way a real one should be: it reads the conversation to
know which steps are done, and for a call reported "outcome unknown" it looks at the
ledger. Reproduce a failure with the seed it prints: HARNESS_FAULT_SEED=<seed>.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.model.script import Reply, Text, ToolUse
from tests.agent.helpers import make_project, result_text
from tests.faults.paced import PacedServer

STEPS = 10
FINAL = "ALL-DONE: the ten steps are in the ledger."
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
PACE = 0.008  # seconds between SSE events: a reply streams for ~0.2 s
PROCESS_TIMEOUT = 90.0


# --- the scripted model --------------------------------------------------------------------

_CHAIN = re.compile(r"\[chain (\d+)\]")
_STEP = re.compile(r"echo step-(\d+) >> ledger")


def ledger_lines(project: Path) -> list[str]:
    path = project / "ledger"
    return path.read_text().splitlines() if path.exists() else []


def careful_model(projects: dict[int, Path], finals: list[int]) -> Callable[[dict], Reply]:
    """Answer by the conversation: the next step not done yet, else the final text."""

    def answer(body: dict[str, Any]) -> Reply:
        messages = body["messages"]
        first = messages[0]["content"]
        prompt = first if isinstance(first, str) else "".join(
            b.get("text", "") for b in first if b.get("type") == "text")
        chain = int(_CHAIN.search(prompt).group(1))  # type: ignore[union-attr]
        step_of: dict[str, int] = {}
        done: set[int] = set()
        for m in messages:
            if not isinstance(m["content"], list):
                continue
            for b in m["content"]:
                if b.get("type") == "tool_use":
                    found = _STEP.search(b["input"].get("command", ""))
                    if found:
                        step_of[b["id"]] = int(found.group(1))
                elif b.get("type") == "tool_result" and b["tool_use_id"] in step_of:
                    n, content = step_of[b["tool_use_id"]], result_text(b)
                    if not b.get("is_error"):
                        done.add(n)
                    elif content.startswith("Outcome unknown"):  # look before doing it again
                        if f"step-{n}" in ledger_lines(projects[chain]):
                            done.add(n)
                    elif "Not run: the conversation moved on" not in content:
                        return Reply((Text(f"STOPPED: step {n} failed: {content[:200]}"),))
        todo = sorted(set(range(1, STEPS + 1)) - done)
        if not todo:
            finals.append(chain)
            return Reply((Text(FINAL),), chunk_size=3)
        n = todo[0]
        return Reply(
            (Text(f"Step {n} of {STEPS}: appending its line to the ledger."),
             ToolUse("Bash", {"command": f"echo step-{n} >> ledger; sleep 0.1"})),
            chunk_size=5,
        )

    return answer


# --- one chain of killed and resumed processes ---------------------------------------------


@dataclass
class Chain:
    index: int
    seed: int
    project: Path
    store_url: str | None
    kills: int  # processes to signal before the last one runs to the end
    log: list[str] = field(default_factory=list)
    signalled: int = 0

    def describe(self) -> str:
        return (f"chain {self.index} seed {self.seed}, {self.signalled} signalled "
                f"(reproduce: HARNESS_FAULT_SEED="
                f"{self.seed // 100}):\n  " + "\n  ".join(self.log))


def _store(url: str | None):
    from harness.store.open import open_store

    return open_store(url)


def _thread_of(chain: Chain) -> str | None:
    """The chain's thread with its task recorded (a SIGKILL may leave an empty one)."""
    store = _store(chain.store_url)
    try:
        for t in store.list_threads(str(chain.project.resolve())):
            if any(e.type == "user_message" for e in store.events(t.thread_id)):
                return t.thread_id
        return None
    finally:
        store.close()


def _command(chain: Chain, thread: str | None) -> list[str]:
    base = [sys.executable, "-m", "harness"]
    store = ["--store", chain.store_url] if chain.store_url else []
    if thread is None:
        return [*base, "-p", f"Append the ten steps to the ledger. [chain {chain.index}]",
                "--allowed-tools", "Bash", "--output-format", "stream-json",
                "--cwd", str(chain.project), *store]
    # No --allowed-tools: the run's own options must come back from the log.
    return [*base, "resume", thread, "--output-format", "stream-json",
            "--cwd", str(chain.project), *store]


def _run_once(chain: Chain, rng: random.Random, kill: bool) -> tuple[int, list[dict]]:
    thread = _thread_of(chain)
    sig = rng.choice(SIGNALS) if kill else None
    after_lines = rng.randint(0, 14)
    # zero lines: a delay that lands in start-up, store opening or thread creation (after
    # the interpreter itself is up: before that no program can handle a signal)
    delay = rng.uniform(0.3, 2.4) if after_lines == 0 else rng.uniform(0, 0.15)
    with tempfile.TemporaryFile(mode="w+") as err:
        code, lines, sent = _signal_at(chain, thread, err, sig, after_lines, delay)
        err.seek(0)
        stderr = err.read()
    parsed = [json.loads(line) for line in lines if line.strip().startswith("{")]
    what = f"{signal.Signals(sig).name} after {after_lines} lines +{delay:.2f}s" if sent else (
        "no signal")
    chain.log.append(f"{'resume' if thread else 'start'}: {what} -> exit {code}, "
                     f"{len(lines)} lines, ledger {len(ledger_lines(chain.project))}"
                     + (f"; stderr: {stderr.strip()[-400:]}" if code not in (0, 130, -9) else ""))
    if sent:
        chain.signalled += 1
        expected = (-signal.SIGKILL,) if sig == signal.SIGKILL else (130, 0)
        assert code in expected, f"{signal.Signals(sig).name} gave exit {code}\n{chain.describe()}"
    return code, parsed


def _signal_at(chain: Chain, thread: str | None, err: Any, sig: int | None,
               after_lines: int, delay: float) -> tuple[int, list[str], bool]:
    """Run one process; signal it (this one pid) after `after_lines` lines + `delay`."""
    proc = subprocess.Popen(_command(chain, thread), stdout=subprocess.PIPE, stderr=err,
                            stdin=subprocess.DEVNULL, text=True, env=os.environ.copy())
    assert proc.stdout is not None
    lines: list[str] = []
    sent = False
    try:
        if sig is not None and after_lines == 0:
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(sig)
                sent = True
        for line in proc.stdout:
            lines.append(line)
            if sig is not None and not sent and len(lines) >= after_lines:
                time.sleep(delay)
                if proc.poll() is None:
                    proc.send_signal(sig)
                    sent = True
        return proc.wait(timeout=PROCESS_TIMEOUT), lines, sent
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def run_chain(chain: Chain) -> Chain:
    rng = random.Random(chain.seed)
    for attempt in range(chain.kills + 8):
        code, lines = _run_once(chain, rng, kill=attempt < chain.kills)
        if code == 0:
            results = [line for line in lines if line["type"] == "result"]
            assert results, f"exit 0 without a result line\n{chain.describe()}"
            last = results[-1]
            # done only when the final text was received, and then every step is in.
            assert last["status"] == "done" and last["result"] == FINAL, (
                f"exit 0 with {last['status']}: {last['result']!r}\n{chain.describe()}")
            assert ledger_lines(chain.project) == [f"step-{n}" for n in range(1, STEPS + 1)], (
                f"ledger {ledger_lines(chain.project)}\n{chain.describe()}")
            if attempt >= chain.kills:
                return chain
            # finished before the signal landed: start the next planned kill on a new thread
            chain.log.append("(finished before its signal: chain complete)")
            return chain
        assert code in (130, -signal.SIGKILL), f"exit {code}\n{chain.describe()}"
    raise AssertionError(f"did not finish\n{chain.describe()}")


def _check_log(chain: Chain) -> None:
    """Every `done` result in the log carries the final text; no event is duplicated."""
    thread = _thread_of(chain)
    assert thread is not None, chain.describe()
    store = _store(chain.store_url)
    try:
        events = [e.decode() for e in store.events(thread)]
    finally:
        store.close()
    dones = [e for e in events if e.type == "result" and e.status == "done"]
    assert dones and all(e.result == FINAL for e in dones), chain.describe()
    started = [e.call_id for e in events if e.type == "tool_started"]
    assert len(started) == len(set(started)), f"a call started twice\n{chain.describe()}"
    results = [e.call_id for e in events if e.type == "tool_result"]
    assert len(results) == len(set(results)), f"a call has two results\n{chain.describe()}"


def _base_seed() -> int:
    raw = os.environ.get("HARNESS_FAULT_SEED")
    return int(raw) if raw else random.SystemRandom().randrange(1, 10**6)


def run_chains(tmp_path: Path, store_url: str | None, chains: int, kills: int,
               workers: int = 2) -> list[Chain]:
    seed = _base_seed()
    print(f"fault-injection seed: HARNESS_FAULT_SEED={seed}")
    plan = []
    for i in range(chains):
        root = tmp_path / f"chain{i}"
        root.mkdir()
        plan.append(Chain(i, seed * 100 + i, make_project(root), store_url, kills))
    finals: list[int] = []
    server = PacedServer(default=careful_model({c.index: c.project for c in plan}, finals),
                         pace=PACE)
    with server:
        env = {"ANTHROPIC_BASE_URL": server.base_url, "ANTHROPIC_API_KEY": "test-key-not-real"}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                done = list(pool.map(run_chain, plan))
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    for chain in done:
        print(chain.describe())
        _check_log(chain)
        assert chain.index in finals, chain.describe()
    return done


def run_until_signalled(tmp_path: Path, store_url: str | None, at_least: int, chains: int,
                        kills: int, max_batches: int = 4) -> list[Chain]:
    """Batches of chains until `at_least` runs were really signalled: on a loaded machine a
    chain may finish before its next planned signal, so a fixed plan would land fewer."""
    done: list[Chain] = []
    for batch in range(max_batches):
        if sum(c.signalled for c in done) >= at_least:
            break
        folder = tmp_path / f"batch{batch}"
        folder.mkdir()
        missing = at_least - sum(c.signalled for c in done)
        # a top-up batch is only as large as the signals still missing
        size = chains if not done else min(chains, max(2, -(-missing // kills) + 1))
        done += run_chains(folder, store_url, chains=size, kills=kills)
    landed = sum(c.signalled for c in done)
    assert landed >= at_least, f"only {landed} of {at_least} signals landed"
    return done


# With the PostgreSQL one, ~135 s: behind the marker to keep the README's suite near 5 min;
# `.ci/run` runs every `-m faults` test, these two and the long ones.
@pytest.mark.faults
@pytest.mark.timeout(900)  # ~95 s on an idle 2-core machine; a loaded one is slower
def test_random_kills_never_run_a_step_twice_nor_lose_one_on_sqlite(tmp_path):
    # with the PostgreSQL test below: >= 50 signalled runs
    run_until_signalled(tmp_path, None, at_least=36, chains=5, kills=8)


@pytest.mark.faults
@pytest.mark.timeout(900)
def test_random_kills_never_run_a_step_twice_nor_lose_one_on_postgres(tmp_path, pg_server):
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{pg_server}?options=-csearch_path%3D{schema}"
    run_until_signalled(tmp_path, url, at_least=14, chains=2, kills=8)


@pytest.mark.faults
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_long_random_kill_run(tmp_path, store, request):
    url = None
    if store == "postgres":
        import uuid

        import psycopg

        base = request.getfixturevalue("pg_server")
        schema = f"t_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        url = f"{base}?options=-csearch_path%3D{schema}"
    run_until_signalled(tmp_path, url, at_least=100, chains=12, kills=9)
