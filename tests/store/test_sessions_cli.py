"""`harness sessions list|show|fork|gc` end to end, against both backends."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from harness.cli import main
from harness.protocol.events import (
    AssistantMessage,
    ToolResult,
    TurnCompleted,
    Usage,
    UserMessage,
)
from harness.store.base import Checkpoint


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "src").mkdir()
    return root


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _session(store, project) -> str:
    t = store.create_thread(str(project))
    store.append(t.thread_id, UserMessage(text="fix the failing test"))
    store.append(t.thread_id, AssistantMessage(content=[
        {"type": "text", "text": "Running it."},
        {"type": "tool_use", "id": "c1", "name": "Bash", "input": {"command": "pytest"}}]))
    store.append(t.thread_id, ToolResult(call_id="c1", tool="Bash", content="1 failed"))
    store.append(t.thread_id, TurnCompleted(turn=1, usage=Usage(input_tokens=120,
                                                                output_tokens=30),
                                            cost_usd=0.002))
    store.update_thread(t.thread_id, num_turns=1, tokens=150, cost_usd=0.002)
    return t.thread_id


def test_list_json_is_newest_first_for_this_project(backend, project, capsys):
    store = backend.open()
    older = _session(store, project)
    time.sleep(0.01)
    newer = _session(store, project)
    elsewhere = store.create_thread("/somewhere/else").thread_id
    code, out, _ = _run(capsys, "sessions", "list", "--json", "--store", backend.url,
                        "--cwd", str(project / "src"))
    assert code == 0
    rows = json.loads(out)
    assert [r["thread_id"] for r in rows] == [newer, older]
    assert {"thread_id", "title", "project", "state", "updated_at", "num_turns", "tokens",
            "cost_usd", "created_at"} <= set(rows[0])
    assert rows[0]["project"] == str(project) and rows[0]["title"] == "fix the failing test"
    code, out, _ = _run(capsys, "sessions", "list", "--all", "--json", "--store", backend.url,
                        "--cwd", str(project))
    assert elsewhere in [r["thread_id"] for r in json.loads(out)]
    code, out, _ = _run(capsys, "sessions", "list", "--store", backend.url, "--cwd", str(project))
    assert newer in out and "fix the failing test" in out


def test_show_prints_the_timeline_with_seqs(backend, project, capsys):
    tid = _session(backend.open(), project)
    code, out, _ = _run(capsys, "sessions", "show", tid, "--store", backend.url)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"thread {tid}")
    assert any(line.split()[:2] == ["3", "tool_result"] and "1 failed" in line for line in lines)
    code, out, _ = _run(capsys, "sessions", "show", tid[:6], "--json", "--store", backend.url)
    data = json.loads(out)
    assert [(e["seq"], e["type"]) for e in data["events"]] == [
        (1, "user_message"), (2, "assistant_message"), (3, "tool_result"), (4, "turn_completed")
    ]
    assert data["events"][1]["summary"] == "Running it. [Bash]"
    assert data["thread"]["thread_id"] == tid and data["error"] is None


def test_show_of_a_damaged_thread_prints_what_reads_and_names_the_bad_seq(backend, project,
                                                                         capsys):
    store = backend.open()
    tid = _session(store, project)
    store._x("UPDATE events SET json = REPLACE(json, '1 failed', '2 failed') "
             "WHERE thread_id = ? AND seq = 3", (tid,))
    code, out, err = _run(capsys, "sessions", "show", tid, "--store", backend.url)
    assert code == 1
    assert "user_message" in out and "tool_result" not in out
    assert f"thread {tid} event seq 3 is corrupt" in err and "Traceback" not in err


def test_show_tree_nests_subagent_threads_with_usage(backend, project, capsys):
    store = backend.open()
    tid = _session(store, project)
    sub = store.create_thread(str(project), parent=Checkpoint(tid, 2), agent="explore",
                              parent_call_id="c1")
    store.update_thread(sub.thread_id, tokens=77, cost_usd=0.5, state="done")
    code, out, _ = _run(capsys, "sessions", "show", tid, "--tree", "--json", "--store",
                        backend.url)
    tree = json.loads(out)
    assert tree["thread_id"] == tid and tree["tokens"] == 150
    (child,) = tree["children"]
    assert (child["thread_id"], child["agent"], child["tokens"]) == (sub.thread_id, "explore", 77)
    assert "duration_s" in child
    code, out, _ = _run(capsys, "sessions", "show", tid, "--tree", "--store", backend.url)
    assert code == 0
    assert f"explore {sub.thread_id} @2" in out and "$0.5000" in out


def test_fork_json_names_the_new_thread_and_its_parent_checkpoint(backend, project, capsys):
    store = backend.open()
    tid = _session(store, project)
    code, out, _ = _run(capsys, "sessions", "fork", f"{tid}@2", "--json", "--store", backend.url)
    assert code == 0
    data = json.loads(out)
    assert (data["parent_thread_id"], data["parent_seq"]) == (tid, 2)
    assert [e.seq for e in store.events(data["thread_id"])] == [1, 2]
    code, _, err = _run(capsys, "sessions", "fork", f"{tid}@99", "--store", backend.url)
    assert code == 2 and "seq 99" in err
    code, _, err = _run(capsys, "sessions", "fork", f"{tid}@two", "--store", backend.url)
    assert code == 2 and "SEQ must be a number" in err


def test_unknown_thread_is_a_clear_usage_error(backend, project, capsys):
    code, out, err = _run(capsys, "sessions", "show", "nosuchthread", "--store", backend.url)
    assert code == 2 and out == ""
    assert "no thread 'nosuchthread'" in err and "Traceback" not in err


def test_gc_json_lists_abandoned_threads_and_deletes_only_with_an_age(backend, project, capsys):
    store = backend.open()
    tid = _session(store, project)
    store.update_thread(tid, state="awaiting_approval")
    store._x("UPDATE threads SET updated_at = ? WHERE thread_id = ?",
             (time.time() - 10 * 86400, tid))
    code, out, _ = _run(capsys, "sessions", "gc", "--json", "--store", backend.url)
    data = json.loads(out)
    assert code == 0 and [t["thread_id"] for t in data["abandoned"]] == [tid]
    assert data["deleted"] == [] and store.get_thread(tid).state == "abandoned"
    store._x("UPDATE threads SET updated_at = ? WHERE thread_id = ?",
             (time.time() - 40 * 86400, tid))
    code, out, _ = _run(capsys, "sessions", "gc", "--json", "--delete-older-than", "30d",
                        "--store", backend.url)
    assert [t["thread_id"] for t in json.loads(out)["deleted"]] == [tid]
    code, _, err = _run(capsys, "sessions", "gc", "--delete-older-than", "soon", "--store",
                        backend.url)
    assert code == 2 and "not a duration" in err


def test_store_comes_from_config_and_a_broken_config_exits_2(project, capsys, tmp_path):
    (project / ".harness").mkdir()
    db = tmp_path / "from-config.db"
    (project / ".harness" / "config.toml").write_text(f'[sessions]\nstore = "sqlite:{db}"\n')
    code, out, _ = _run(capsys, "sessions", "list", "--json", "--cwd", str(project))
    assert code == 0 and json.loads(out) == [] and db.exists()
    (project / ".harness" / "config.toml").write_text('[sessions]\nabandon_after = "soon"\n')
    code, _, err = _run(capsys, "sessions", "list", "--cwd", str(project))
    assert code == 2 and "abandon_after" in err


def test_cli_in_a_real_process_uses_harness_home_by_default(project, _isolated_home):
    from harness.store.open import open_store

    store = open_store()
    tid = _session(store, project)
    store.close()
    proc = subprocess.run(
        [sys.executable, "-m", "harness", "sessions", "list", "--json", "--cwd", str(project)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert [r["thread_id"] for r in json.loads(proc.stdout)] == [tid]
    assert (_isolated_home / "sessions.db").exists()
