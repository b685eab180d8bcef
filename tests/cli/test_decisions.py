"""A decision answers one call: `resume --approve --call A` never approves call B, and the
id-less form only answers the call last shown by a run that was not itself answering."""

from __future__ import annotations

import json

import pytest

from harness.model.script import text, tool
from harness.store.open import open_store
from tests.agent.helpers import make_project, run_cli


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _last_seq(thread: str) -> int:
    store = open_store()
    try:
        return store.get_thread(thread).last_seq
    finally:
        store.close()


def test_a_retried_approve_for_call_a_cannot_approve_call_b(scripted_server, project, capsys):
    scripted_server.add(tool("Bash", {"command": "echo A > a.txt"}),
                        tool("Bash", {"command": "echo B-rm-rf > b.txt"}), text("both done"))
    code, out, err = run_cli(capsys, "-p", "two commands", "--cwd", str(project),
                             "--on-ask", "interrupt", "--output-format", "json")
    assert code == 3, err
    first = json.loads(out)
    thread, call_a = first["thread_id"], first["pending"]["call_id"]

    code, out, err = run_cli(capsys, "resume", thread, "--approve", "--call", call_a,
                             "--cwd", str(project), "--output-format", "json")
    assert code == 3, err  # A ran; B asks (the run's own --on-ask interrupt was kept)
    assert (project / "a.txt").exists()
    call_b = json.loads(out)["pending"]["call_id"]
    assert call_b != call_a

    before = _last_seq(thread)
    code, _, err = run_cli(capsys, "resume", thread, "--approve", "--call", call_a,
                           "--cwd", str(project))
    assert code == 2
    assert f"call {call_a} is not the pending one" in err and call_b in err
    assert not (project / "b.txt").exists()
    assert _last_seq(thread) == before  # nothing changed in the store

    # Without --call: B was shown by a run that was answering A, so a retry could land here.
    code, _, err = run_cli(capsys, "resume", thread, "--approve", "--cwd", str(project))
    assert code == 2 and f"--call {call_b}" in err
    assert not (project / "b.txt").exists() and _last_seq(thread) == before

    # Shown again by a plain resume, B may now be approved without naming it.
    code, out, _ = run_cli(capsys, "resume", thread, "--cwd", str(project))
    assert code == 3
    assert f"call: {call_b}" in out and f"--call {call_b}" in out
    code, out, err = run_cli(capsys, "resume", thread, "--approve", "--cwd", str(project))
    assert code == 0, err
    assert out.strip() == "both done" and (project / "b.txt").exists()


def test_an_answer_for_the_pending_call_by_id_is_applied(scripted_server, project, capsys):
    scripted_server.add(tool("Write", {"file_path": "x.txt", "content": "x"}), text("no"))
    code, out, _ = run_cli(capsys, "-p", "write", "--cwd", str(project), "--on-ask",
                           "interrupt", "--output-format", "json")
    assert code == 3
    result = json.loads(out)
    code, _, err = run_cli(capsys, "resume", result["thread_id"], "--reject", "not now",
                           "--call", result["pending"]["call_id"], "--cwd", str(project))
    assert code == 0, err
    assert not (project / "x.txt").exists()


def test_call_without_an_answer_flag_is_a_usage_error(project, capsys):
    code, _, err = run_cli(capsys, "resume", "abc123", "--call", "toolu_1", "--cwd", str(project))
    assert code == 2 and "--approve" in err
