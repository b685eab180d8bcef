"""The store failing mid-run, for real: a full disk (a small tmpfs, else SQLite's own page
limit), a corrupt page written into the database file, PostgreSQL stopped or restarted.

A `post_tool_use` hook is the fault's trigger: it runs after the tool did its work and
before the tool's result is appended, which is the moment a lost result would hurt.
Each run asserts what a user sees (exit 1, one line on stderr, no traceback) and what is
left behind (the thread `failed`, the tool's result stored or kept in the spill).
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.model.script import text, tool
from harness.store.base import StoreCorrupt
from harness.store.open import open_store
from harness.store.sqlite import SQLiteStore
from tests.agent.helpers import make_project
from tests.support.pg import PgServer

MARKER = "tool-ran-7f3a"
BASH_STEP = {"command": f"echo {MARKER} > ran.txt && echo {MARKER}"}


def _with_hook(project: Path, command: str, extra: str = "") -> None:
    conf = project / ".harness"
    conf.mkdir(exist_ok=True)
    (conf / "config.toml").write_text(
        extra + f'[[hooks.post_tool_use]]\nmatcher = "Bash"\ncommand = {json.dumps(command)}\n'
    )


def _run_harness(project: Path, store_url: str, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "harness", "-p", "record the marker", "--cwd", str(project),
           *(["--store", store_url] if store_url else []), "--allowed-tools", "Bash", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL)


def _reason_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("harness: failed:")]


def _assert_one_line_failure(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = _reason_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _only_thread(store) -> str:
    threads = store.list_threads()
    assert len(threads) == 1
    return threads[0].thread_id


def _tool_results(store, thread_id: str) -> list[str]:
    return [e.decode().content for e in store.events(thread_id) if e.type == "tool_result"]


# --- disk full -----------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 512 KiB tmpfs; skipped where mounting is not allowed (the page-limit test below
    gives a real SQLITE_FULL everywhere)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_after_a_tool_ran_fails_the_run_and_keeps_the_result(
    scripted_server, tmp_path, tiny_disk, _isolated_home
):
    project = make_project(tmp_path)
    db = tiny_disk / "sessions.db"
    filler = tiny_disk / "filler"
    _with_hook(project, f"head -c 8M /dev/zero > {shlex.quote(str(filler))} 2>/dev/null; true")
    scripted_server.add(tool("Bash", BASH_STEP), text("never sent"))

    proc = _run_harness(project, f"sqlite:{db}")

    _assert_one_line_failure(proc, "disk is full", str(db))
    assert (project / "ran.txt").read_text().strip() == MARKER  # the tool did run
    assert len(scripted_server.requests) == 1  # the run stopped at the failed append
    # The disk is still full: the state change waits in the spill, and is shown.
    spilled = [json.loads(line) for f in (_isolated_home / "spill").rglob("*.jsonl")
               for line in f.read_text().splitlines()]
    assert [line["state"] for line in spilled if line["kind"] == "state"] == ["failed"]
    listed = subprocess.run([sys.executable, "-m", "harness", "sessions", "list", "--json",
                             "--all", "--store", f"sqlite:{db}", "--cwd", str(project)],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert [t["state"] for t in json.loads(listed.stdout)] == ["failed"]
    # Going on now would write a history without the spilled steps: refused, clearly.
    (listed_thread,) = json.loads(listed.stdout)
    resumed = subprocess.run([sys.executable, "-m", "harness", "resume",
                              listed_thread["thread_id"], "--store", f"sqlite:{db}", "--cwd",
                              str(project)], capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
    assert resumed.returncode == 1 and "Traceback" not in resumed.stderr, resumed.stderr
    assert "could not take yet" in resumed.stderr and "spill" in resumed.stderr
    filler.unlink()  # the user frees space; the next open replays the spill
    store = SQLiteStore(db)
    tid = _only_thread(store)
    assert store.spill_report.events >= 1
    assert store.get_thread(tid).state == "failed"
    assert any(MARKER in content for content in _tool_results(store, tid))
    store.close()


def test_disk_full_under_harness_home_spills_to_the_private_fallback(
    scripted_server, tmp_path, tiny_disk, monkeypatch
):
    """The default layout: the database and the spill folder share the full disk."""
    home = tiny_disk / "home"
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("HARNESS_HOME", str(home))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    project = make_project(tmp_path)
    filler = tiny_disk / "filler"
    _with_hook(project, f"head -c 8M /dev/zero > {shlex.quote(str(filler))} 2>/dev/null; true")
    scripted_server.add(tool("Bash", BASH_STEP), text("never sent"))

    proc = _run_harness(project, "")

    reason = _assert_one_line_failure(proc, "disk is full", str(home / "sessions.db"))
    assert f"kept in {runtime}" in reason
    kept = list(runtime.rglob("*.jsonl"))
    assert len(kept) == 1 and MARKER in kept[0].read_text()
    filler.unlink()
    store = SQLiteStore(home / "sessions.db")  # the next open stores it from the fallback
    tid = _only_thread(store)
    assert store.get_thread(tid).state == "failed"
    assert any(MARKER in content for content in _tool_results(store, tid))
    assert list(runtime.rglob("*.jsonl")) == []
    store.close()


def test_page_limit_full_mid_run_keeps_the_tool_result(scripted_server, tmp_path, capsys):
    """Where no tmpfs can be mounted: SQLite's max_page_count gives the same SQLITE_FULL.
    The Read result (~100 KB) needs far more pages than the limit leaves."""
    from harness.agent.opening import SessionOptions
    from harness.ui.headless import run_headless

    project = make_project(tmp_path)
    (project / "big.txt").write_text("".join(f"line {i} " + "x" * 60 + "\n" for i in range(1500)))
    db = tmp_path / "limited.db"
    store = SQLiteStore(db)
    pages = store._x("PRAGMA page_count").fetchone()[0]
    store._x(f"PRAGMA max_page_count = {pages + 6}")
    scripted_server.add(tool("Read", {"file_path": "big.txt"}), text("next run"))
    opts = SessionOptions(project_root=project, front_end="headless", store=store)

    code = asyncio.run(run_headless(opts, "read big.txt", "text"))

    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    lines = _reason_lines(err)
    assert len(lines) == 1 and "disk is full" in lines[0] and "kept in" in lines[0]
    (tid,) = [t.thread_id for t in store.list_threads()]
    assert store.get_thread(tid).state == "failed"
    assert _tool_results(store, tid) == []  # not in the store yet: in the spill
    store.close()
    # The next run opens the store (a fresh connection has no page limit), stores the
    # spill and says so.
    again = SessionOptions(project_root=project, front_end="headless", store_url=f"sqlite:{db}")
    assert asyncio.run(run_headless(again, "go on", "text")) == 0
    assert "stored 1 step(s)" in capsys.readouterr().err
    reopened = SQLiteStore(db)
    contents = _tool_results(reopened, tid)
    assert len(contents) == 1 and "line 1200 " in contents[0]
    assert reopened.get_thread(tid).state == "failed"
    assert reopened.spill_report.events == 0  # replayed once, then removed
    reopened.close()


# --- a corrupt page ------------------------------------------------------------------

CORRUPT = textwrap.dedent("""
    import os, sqlite3, sys, time
    path = sys.argv[1]
    conn = sqlite3.connect(path)
    deadline = time.monotonic() + 30
    # Every page into the main file; busy (1) while harness's lease heartbeat is in a
    # transaction, so repeat until the checkpoint is complete.
    while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] != 0:
        assert time.monotonic() < deadline, "the WAL never checkpointed"
        time.sleep(0.05)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = [r for (r,) in conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'events' AND rootpage > 1")]
    conn.close()
    with open(path, "r+b") as fh:
        for root in roots:
            fh.seek((root - 1) * size)
            fh.write(os.urandom(size))
""")


def test_corrupt_page_mid_run_fails_with_one_line_and_keeps_the_result_in_the_spill(
    scripted_server, tmp_path, _isolated_home
):
    project = make_project(tmp_path)
    db = tmp_path / "store" / "sessions.db"
    script = tmp_path / "corrupt.py"
    script.write_text(CORRUPT)
    _with_hook(project, f"{shlex.quote(sys.executable)} {script} {db}")
    scripted_server.add(tool("Bash", BASH_STEP), text("never sent"))

    proc = _run_harness(project, f"sqlite:{db}")

    _assert_one_line_failure(proc, "corrupt", str(db))
    assert (project / "ran.txt").exists()
    spilled = [json.loads(line) for p in (_isolated_home / "spill").rglob("*.jsonl")
               for line in p.read_text().splitlines()]
    results = [s for s in spilled if s["kind"] == "event" and s["type"] == "tool_result"]
    assert len(results) == 1 and MARKER in json.loads(results[0]["json"])["content"]
    raw = sqlite3.connect(db)
    state = raw.execute("SELECT state FROM threads").fetchall()
    raw.close()
    spilled_states = [s["state"] for s in spilled if s["kind"] == "state"]
    assert state == [("failed",)] or spilled_states == ["failed"]
    with pytest.raises(StoreCorrupt):  # reopening says what is wrong, and keeps the spill
        store = SQLiteStore(db)
        for thread in store.list_threads():
            list(store.events(thread.thread_id))
    kept = [f for f in (_isolated_home / "spill").rglob("*.*") if f.name != "store"]
    assert len(kept) == 1 and MARKER in kept[0].read_text()  # claimed, not yet stored: kept


# --- PostgreSQL stopped or restarted ---------------------------------------------------


@pytest.fixture
def own_pg():
    """A PostgreSQL server of this test alone: the test stops and restarts it."""
    server = PgServer()
    try:
        yield server
    finally:
        server.close()


def _pg_ctl(server: PgServer, *args: str) -> str:
    cmd = [str(server.bindir / "pg_ctl"), "-D", str(server.data), *args]
    return " ".join(shlex.quote(c) for c in [*server.prefix, *cmd])


def test_postgres_restarted_for_two_seconds_mid_run_completes_done_with_every_event_once(
    scripted_server, tmp_path, own_pg
):
    project = make_project(tmp_path)
    opts = (f"-p {own_pg.port} -k {own_pg.root} -h 127.0.0.1 -c fsync=off "
            "-c full_page_writes=off")
    start = _pg_ctl(own_pg, "-l", str(own_pg.log), "-o", opts, "-w", "start")
    # Stop now (every connection ends); start again 2 s later, in the background, so the
    # tool's result is appended while the server is down.
    hook = (f"{_pg_ctl(own_pg, '-m', 'fast', '-w', 'stop')} >/dev/null 2>&1; "
            f"(sleep 2; {start}) >/dev/null 2>&1 &")
    _with_hook(project, hook)
    scripted_server.add(tool("Bash", BASH_STEP), text("all recorded"))

    proc = _run_harness(project, own_pg.url, "--output-format", "json")

    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "done" and result["result"] == "all recorded"
    store = open_store(own_pg.url)
    tid = _only_thread(store)
    events = list(store.events(tid))  # the reader refuses a gap in the seqs
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    types = [e.type for e in events]
    for once in ("user_message", "tool_call", "tool_started", "tool_result", "result"):
        assert types.count(once) == 1, types
    assert types.count("assistant_message") == 2
    assert MARKER in _tool_results(store, tid)[0]
    assert store.get_thread(tid).state == "done"
    store.close()


def test_postgres_down_longer_than_the_window_fails_then_the_spill_is_stored_at_next_open(
    scripted_server, tmp_path, own_pg
):
    project = make_project(tmp_path)
    _with_hook(project, f"{_pg_ctl(own_pg, '-m', 'fast', '-w', 'stop')} >/dev/null 2>&1",
               extra='[sessions]\nreconnect_window = "1s"\n\n')
    scripted_server.add(tool("Bash", BASH_STEP), text("never sent"))

    proc = _run_harness(project, own_pg.url)

    reason = _assert_one_line_failure(proc, "unreachable", "reconnect_window")
    assert "postgres@127.0.0.1" in reason
    assert (project / "ran.txt").exists()
    own_pg.start()
    store = open_store(own_pg.url)  # replays the spill: the result, then the state
    tid = _only_thread(store)
    assert store.spill_report.events >= 1 and store.spill_report.states == 1
    assert store.get_thread(tid).state == "failed"
    assert MARKER in _tool_results(store, tid)[0]
    seqs = [e.seq for e in store.events(tid)]
    assert seqs == list(range(1, len(seqs) + 1))
    store.close()


def test_stream_json_ends_with_a_failed_result_line_when_the_store_fails(
    scripted_server, tmp_path, capsys
):
    from harness.agent.opening import SessionOptions
    from harness.ui.headless import run_headless

    project = make_project(tmp_path)
    (project / "big.txt").write_text("".join(f"row {i} " + "y" * 60 + "\n" for i in range(1500)))
    store = SQLiteStore(tmp_path / "limited.db")
    pages = store._x("PRAGMA page_count").fetchone()[0]
    store._x(f"PRAGMA max_page_count = {pages + 6}")
    scripted_server.add(tool("Read", {"file_path": "big.txt"}), text("never sent"))
    opts = SessionOptions(project_root=project, front_end="headless", store=store)

    code = asyncio.run(run_headless(opts, "read it", "stream-json"))

    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    assert code == 1 and "Traceback" not in captured.err
    assert [line["type"] for line in lines][-2:] == ["tool_result", "result"]
    final = lines[-1]
    assert final["status"] == "failed" and final["is_error"] is True
    assert "disk is full" in final["result"] and "\n" not in final["result"]
    store.close()
