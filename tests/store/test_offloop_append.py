"""A PostgreSQL append that waits (here on a lock another connection holds, as a slow or
remote server would make it wait) never stops the event loop that draws the UI; once the
server answers, every step is stored once, in seq order."""

from __future__ import annotations

import asyncio
import time
import uuid

import psycopg

from harness.agent.opening import SessionOptions
from harness.agent.session import open_session
from harness.model.script import Reply, Text
from harness.model.scripted import ScriptedModelClient
from harness.protocol.approver import DenyApprover
from harness.store.open import open_store
from tests.agent.helpers import make_project

WAITING_ON_LOCK = (
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
    "AND query LIKE 'INSERT INTO events%%'"
)


def _schema_url(base: str) -> str:
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}?options=-csearch_path%3D{schema}"


async def _until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def test_a_blocked_postgres_append_leaves_the_event_loop_free(pg_server, tmp_path):
    url = _schema_url(pg_server)
    store = open_store(url)
    project = make_project(tmp_path)
    events: list = []
    model = ScriptedModelClient([Reply((Text("streamed " * 40),), chunk_size=5)], pace=0.002)
    session = await open_session(
        SessionOptions(project_root=project, model_client=model, store=store),
        approver=DenyApprover(), sink=lambda event, seq: events.append((seq, event)),
    )
    locker = psycopg.connect(url)  # one transaction, held until the test commits it
    run = asyncio.create_task(session.run_prompt("explain"))
    try:
        await _until(lambda: any(e.type == "assistant_delta" for _, e in events), "the stream")
        # The prompt is stored; from now on every INSERT into events waits for this lock.
        locker.execute("LOCK TABLE events IN SHARE MODE")
        with psycopg.connect(url, autocommit=True) as probe:
            await _until(lambda: probe.execute(WAITING_ON_LOCK).fetchone()[0] > 0,
                         "the writer to wait on the lock")
            ticks = 0
            while ticks < 50:  # the loop runs while the append waits: keys would be drawn
                await asyncio.sleep(0.001)
                ticks += 1
            assert probe.execute(WAITING_ON_LOCK).fetchone()[0] > 0  # still waiting
        assert not run.done()  # the run waits for its steps to be stored
        assert any(e.type == "assistant_message" for _, e in events)  # shown already
    finally:
        locker.commit()
        locker.close()
    result = await run
    assert result.status == "done"
    thread = session.thread_id
    await session.close()
    stored = list(store.events(thread))  # the reader refuses a gap in the seqs
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    shown = [seq for seq, e in events if not e.STREAM_ONLY]
    assert shown == [e.seq for e in stored]  # what was shown is what was stored, once each
    types = [e.type for e in stored]
    assert types.count("user_message") == 1 and types.count("assistant_message") == 1
    assert store.get_thread(thread).state == "done"
    store.close()
