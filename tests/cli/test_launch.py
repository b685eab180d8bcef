"""One launch path: the same opening error gives the same exit code from every command, and
thread ids resolve by unique prefix (4+ characters) everywhere, through the store."""

from __future__ import annotations

import json

import pytest

from harness.exitcodes import USAGE
from harness.model.script import text
from tests.agent.helpers import make_project, run_cli


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _first_thread(scripted_server, project, capsys) -> str:
    scripted_server.add(text("Hi."))
    code, out, err = run_cli(capsys, "-p", "hello", "--cwd", str(project),
                             "--output-format", "json")
    assert code == 0, err
    return json.loads(out)["thread_id"]


def test_an_unknown_thread_exits_the_same_from_every_command(project, capsys, scripted_server):
    _first_thread(scripted_server, project, capsys)
    runs = {
        "-p --resume": ["-p", "x", "--resume", "nosuchthread", "--cwd", str(project)],
        "resume": ["resume", "nosuchthread", "--cwd", str(project)],
        "resume --approve": ["resume", "nosuchthread", "--approve", "--cwd", str(project)],
        "-p --fork": ["-p", "x", "--fork", "nosuchthread@1", "--cwd", str(project)],
    }
    codes = {}
    for name, argv in runs.items():
        code, _, err = run_cli(capsys, *argv)
        codes[name] = code
        assert "nosuchthread" in err, (name, err)
    assert set(codes.values()) == {USAGE}, codes


def test_a_unique_prefix_resumes_the_thread(project, capsys, scripted_server):
    thread_id = _first_thread(scripted_server, project, capsys)
    scripted_server.add(text("Again."))
    code, out, err = run_cli(capsys, "-p", "again", "--resume", thread_id[:6], "--cwd",
                             str(project), "--output-format", "json")
    assert code == 0, err
    assert json.loads(out)["thread_id"] == thread_id
    code, out, err = run_cli(capsys, "sessions", "show", thread_id[:5], "--cwd", str(project))
    assert code == 0, err
    assert "again" in out
