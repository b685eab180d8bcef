"""Durability against both backends: appends idempotent on (thread_id, seq), the local spill
and its replay at the next open (stored once, conflicts kept aside, torn lines ignored)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.protocol.events import ToolResult, UserMessage
from harness.store.base import SeqConflict, ThreadNotFound


def _types_and_seqs(store, thread_id: str) -> list[tuple[int, str]]:
    return [(e.seq, e.type) for e in store.events(thread_id)]


def _spill_files(home, pattern: str = "*.jsonl") -> list:
    return sorted((home / "spill").rglob(pattern))


def test_append_at_an_explicit_seq_is_idempotent_for_the_same_event(store):
    t = store.create_thread("/proj")
    store.append(t.thread_id, UserMessage(text="one"))
    event = ToolResult(call_id="c1", tool="Bash", content="made the file")
    assert store.append(t.thread_id, event, seq=2) == 2
    assert store.append(t.thread_id, event, seq=2) == 2  # a retry after a lost ack
    assert _types_and_seqs(store, t.thread_id) == [(1, "user_message"), (2, "tool_result")]
    assert store.get_thread(t.thread_id).last_seq == 2
    assert store.append(t.thread_id, UserMessage(text="next")) == 3


def test_append_at_a_taken_or_distant_seq_is_a_seq_conflict_and_stores_nothing(store):
    t = store.create_thread("/proj")
    store.append(t.thread_id, UserMessage(text="one"))
    with pytest.raises(SeqConflict, match="another event already has that seq"):
        store.append(t.thread_id, UserMessage(text="other"), seq=1)
    with pytest.raises(SeqConflict, match="the log ends at seq 1"):
        store.append(t.thread_id, UserMessage(text="gap"), seq=3)
    with pytest.raises(ThreadNotFound):
        store.append("nosuch", UserMessage(text="x"), seq=1)
    assert _types_and_seqs(store, t.thread_id) == [(1, "user_message")]


def test_append_at_seq_continues_a_fork_after_its_shared_prefix(store):
    parent = store.create_thread("/proj")
    for i in range(3):
        store.append(parent.thread_id, UserMessage(text=f"p{i}"))
    child = store.fork(parent.thread_id, 2)
    assert store.append(child.thread_id, UserMessage(text="c"), seq=3) == 3
    assert [e.thread_id for e in store.events(child.thread_id)] == [parent.thread_id] * 2 + [
        child.thread_id
    ]


def test_a_spilled_run_is_stored_in_order_at_the_next_open_then_the_file_goes(
    backend, _isolated_home
):
    store = backend.open()
    t = store.create_thread("/proj")
    store.append(t.thread_id, UserMessage(text="do it"))
    path = store.spill(t.thread_id, 2, ToolResult(call_id="c1", tool="Bash", content="did it"))
    store.spill(t.thread_id, 3, UserMessage(text="after"))
    store.spill_state(t.thread_id, 3, "failed")
    line = json.loads(Path(path).read_text().splitlines()[0])
    assert (line["thread_id"], line["seq"], line["type"]) == (t.thread_id, 2, "tool_result")
    store.close()

    fresh = backend.open()
    report = fresh.spill_report
    assert (report.events, report.already, report.states, report.conflicts) == (2, 0, 1, [])
    assert _types_and_seqs(fresh, t.thread_id) == [
        (1, "user_message"), (2, "tool_result"), (3, "user_message")
    ]
    assert fresh.get_thread(t.thread_id).state == "failed"
    assert _spill_files(_isolated_home) == []
    assert backend.open().spill_report.events == 0  # nothing replayed twice


def test_a_spilled_event_whose_first_append_did_commit_is_not_stored_twice(backend):
    store = backend.open()
    t = store.create_thread("/proj")
    event = ToolResult(call_id="c1", tool="Bash", content="ran once")
    seq = store.append(t.thread_id, event)
    store.spill(t.thread_id, seq, event)  # the ack was lost: the session spilled it too
    store.close()
    fresh = backend.open()
    assert (fresh.spill_report.events, fresh.spill_report.already) == (0, 1)
    assert _types_and_seqs(fresh, t.thread_id) == [(1, "tool_result")]


def test_a_spill_whose_seq_was_taken_by_another_writer_is_kept_aside(backend, _isolated_home):
    store = backend.open()
    t = store.create_thread("/proj")
    store.spill(t.thread_id, 1, ToolResult(call_id="c1", tool="Bash", content="mine"))
    store.spill_state(t.thread_id, 1, "failed")
    store.append(t.thread_id, UserMessage(text="another machine resumed first"))
    store.close()
    fresh = backend.open()
    assert len(fresh.spill_report.conflicts) == 1
    assert _types_and_seqs(fresh, t.thread_id) == [(1, "user_message")]
    assert fresh.get_thread(t.thread_id).state == "running"  # the state line did not apply
    kept = _spill_files(_isolated_home, "*.conflict")
    assert len(kept) == 1 and "mine" in kept[0].read_text()


def test_a_spill_for_a_thread_this_store_does_not_have_is_kept_aside(backend, _isolated_home):
    store = backend.open()
    store.spill("gone1234", 1, UserMessage(text="orphan"))
    store.close()
    assert len(backend.open().spill_report.conflicts) == 1
    assert "orphan" in _spill_files(_isolated_home, "*.conflict")[0].read_text()


def test_a_torn_last_spill_line_is_ignored(backend):
    store = backend.open()
    t = store.create_thread("/proj")
    path = store.spill(t.thread_id, 1, UserMessage(text="whole"))
    with open(path, "a") as fh:
        fh.write('{"kind": "event", "thread_id": "' + t.thread_id + '", "se')  # crash mid-write
    store.close()
    fresh = backend.open()
    assert fresh.spill_report.events == 1
    assert _types_and_seqs(fresh, t.thread_id) == [(1, "user_message")]


def test_spilled_events_are_scrubbed_like_stored_ones(backend, monkeypatch, _isolated_home):
    monkeypatch.setenv("DEPLOY_TOKEN", "tok-abcdef-123456")
    store = backend.open()
    t = store.create_thread("/proj")
    path = store.spill(t.thread_id, 1, ToolResult(call_id="c", tool="Bash",
                                                  content="token is tok-abcdef-123456"))
    assert "tok-abcdef-123456" not in Path(path).read_text()
    store.close()


def test_a_replay_interrupted_midway_is_finished_first_then_newer_spill(backend, _isolated_home):
    store = backend.open()
    t = store.create_thread("/proj")
    older = Path(store.spill(t.thread_id, 1, UserMessage(text="first")))
    claimed = older.with_suffix(".replaying")  # a replay claimed it, then crashed
    older.rename(claimed)
    store.spill(t.thread_id, 2, UserMessage(text="second"))  # the run went on spilling
    store.close()
    fresh = backend.open()
    assert fresh.spill_report.events == 2
    assert [e.decode().text for e in fresh.events(t.thread_id)] == ["first", "second"]
    left = [p.name for p in (_isolated_home / "spill").rglob("*") if p.is_file()]
    assert left == ["store"]  # only the note naming the store remains


def test_a_fallback_spill_folder_open_to_others_is_not_trusted(backend, tmp_path, monkeypatch):
    from harness.store.spill import Spill

    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    store = backend.open()
    t = store.create_thread("/proj")
    planted = Spill(store.spill_key)._fallbacks[0]
    planted.mkdir(parents=True)
    planted.chmod(0o700)
    planted.parent.chmod(0o777)  # anyone could have written here
    line = {"kind": "event", "thread_id": t.thread_id, "seq": 1, "type": "user_message",
            "json": UserMessage(text="planted").model_dump_json()}
    (planted / f"{t.thread_id}.jsonl").write_text(json.dumps(line) + "\n")
    store.close()
    fresh = backend.open()
    assert fresh.spill_report.events == 0 and list(fresh.events(t.thread_id)) == []
    planted.parent.chmod(0o700)  # private again: now it is ours to replay
    fresh.close()
    assert [e.decode().text for e in backend.open().events(t.thread_id)] == ["planted"]
