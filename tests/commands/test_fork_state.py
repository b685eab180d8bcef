"""A fork is `idle` until it first runs, and its title says what it is a fork of and at
which step (the store's fork, `sessions fork`, `--fork`; the real SDK and scripted server)."""

from __future__ import annotations

import json

import pytest

from harness.model.script import text
from tests.agent.helpers import make_project, run_cli


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _thread(capsys, project) -> str:
    code, out, err = run_cli(capsys, "-p", "say hi", "--cwd", str(project),
                             "--output-format", "json")
    assert code == 0, err
    return json.loads(out)["thread_id"]


def _row(capsys, project, thread_id: str) -> dict:
    code, out, _ = run_cli(capsys, "sessions", "list", "--json", "--cwd", str(project))
    assert code == 0
    return next(t for t in json.loads(out) if t["thread_id"] == thread_id)


def test_a_fork_is_idle_and_titled_after_its_parent_and_step_until_it_runs(
    scripted_server, project, capsys
):
    scripted_server.add(text("hi"))
    parent = _thread(capsys, project)
    code, out, err = run_cli(capsys, "sessions", "fork", f"{parent}@2", "--json",
                             "--cwd", str(project))
    assert code == 0, err
    fork = json.loads(out)["thread_id"]
    row = _row(capsys, project, fork)
    assert row["state"] == "idle"
    assert row["title"] == "fork of say hi @ step 2"
    assert _row(capsys, project, parent)["state"] == "done"  # the parent is untouched

    scripted_server.add(text("again"))
    code, _, err = run_cli(capsys, "-p", "once more", "--resume", fork, "--cwd", str(project),
                           "--output-format", "json")
    assert code == 0, err
    row = _row(capsys, project, fork)
    assert row["state"] == "done" and row["title"] == "fork of say hi @ step 2"


def test_fork_flag_makes_an_idle_fork_that_then_runs(scripted_server, project, capsys):
    scripted_server.add(text("hi"))
    parent = _thread(capsys, project)
    scripted_server.add(text("forked answer"))
    code, out, err = run_cli(capsys, "-p", "go on", "--fork", parent, "--cwd", str(project),
                             "--output-format", "json")
    assert code == 0, err
    forked = json.loads(out)["thread_id"]
    assert forked != parent
    row = _row(capsys, project, forked)
    assert row["state"] == "done" and row["title"].startswith("fork of say hi @ step ")
