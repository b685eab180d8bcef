"""Where a headless task comes from: `-p TASK`, `harness TASK`, piped stdin (with a task or
as the task), `-c/--continue`; empty tasks are refused, and stdin never makes harness hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from harness.cli import build_parser, split_task
from harness.model.script import text
from harness.ui.headless_input import STDIN_CAP_BYTES
from tests.agent.helpers import make_project, run_cli


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def harness(*argv: str, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "harness", *argv], text=True, timeout=60,
                          env=os.environ.copy(), **kw)


def first_user_text(body: dict) -> str:
    content = body["messages"][0]["content"]
    return content if isinstance(content, str) else "".join(
        b.get("text", "") for b in content if b.get("type") == "text")


# --- the positional task ------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "task", "rest"), [
    (["fix it", "--cwd", "x"], "fix it", ["--cwd", "x"]),
    (["--cwd", "x", "fix it"], "fix it", ["--cwd", "x"]),
    (["--output-format=json", "fix"], "fix", ["--output-format=json"]),
    (["--allowed-tools", "Bash", "Read", "--", "fix"], "fix", ["--allowed-tools", "Bash", "Read"]),
    (["--ci", "--max-turns", "3", "go"], "go", ["--ci", "--max-turns", "3"]),
    (["sessions", "list"], None, ["sessions", "list"]),
    (["resume", "T", "--approve"], None, ["resume", "T", "--approve"]),
    (["-p", "task"], None, ["-p", "task"]),
    ([], None, []),
])
def test_the_positional_task_is_told_from_options_and_subcommands(argv, task, rest):
    assert split_task(build_parser(), argv) == (task, rest)


def test_a_positional_task_runs_headless_even_in_a_terminal(scripted_server, project):
    scripted_server.add(text("hello from the model"))
    _, tty = os.openpty()
    try:
        proc = harness("say hi", "--cwd", str(project), "--output-format", "json", stdin=tty)
    finally:
        os.close(tty)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["result"] == "hello from the model"
    assert first_user_text(scripted_server.requests[0].body) == "say hi"


def test_claude_code_order_p_as_a_flag_then_the_task_works(scripted_server, project, capsys):
    scripted_server.add(text("hi"))
    code, out, err = run_cli(capsys, "-p", "--output-format", "json", "say hi", "--cwd",
                             str(project))
    assert code == 0, err
    assert json.loads(out)["result"] == "hi"
    assert first_user_text(scripted_server.requests[0].body) == "say hi"


def test_a_task_given_twice_is_refused(project, capsys):
    code, _, err = run_cli(capsys, "-p", "one", "two", "--cwd", str(project))
    assert code == 2 and "given twice" in err


# --- empty tasks ------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["-p", ""], ["-p", "  \n\t "], ["   "]])
def test_an_empty_or_whitespace_task_is_refused_with_what_is_allowed(scripted_server, project,
                                                                     capsys, argv):
    code, out, err = run_cli(capsys, *argv, "--cwd", str(project))
    assert code == 2 and out == ""
    assert "task is empty" in err and 'harness -p "TASK"' in err and "stdin" in err
    assert scripted_server.requests == []


# --- piped stdin ---------------------------------------------------------------------------


def test_piped_input_with_a_task_sends_both_task_first_and_delimited(scripted_server, project):
    scripted_server.add(text("the build failed on line 2"))
    log = "step 1 ok\nstep 2 ERROR: missing semicolon\n"
    proc = harness("-p", "explain", "--cwd", str(project), input=log)
    assert proc.returncode == 0, proc.stderr
    sent = first_user_text(scripted_server.requests[0].body)
    assert sent.startswith("explain\n")
    assert f"<stdin>\n{log.rstrip()}\n</stdin>" in sent
    assert proc.stdout.strip() == "the build failed on line 2"


def test_piped_input_alone_is_the_task_and_p_needs_no_value(scripted_server, project):
    scripted_server.add(text("done"))
    proc = harness("-p", "--cwd", str(project), input="  list the files  \n")
    assert proc.returncode == 0, proc.stderr
    assert first_user_text(scripted_server.requests[0].body) == "list the files"


def test_piped_input_is_cut_at_the_stated_cap(scripted_server, project):
    scripted_server.add(text("long"))
    big = "x" * (STDIN_CAP_BYTES + 5000)
    proc = harness("-p", "summarise", "--cwd", str(project), input=big)
    assert proc.returncode == 0, proc.stderr
    sent = first_user_text(scripted_server.requests[0].body)
    assert sent.count("x") == STDIN_CAP_BYTES
    assert "stdin was cut at 256 KiB" in sent and "256 KiB" in proc.stderr


def test_ci_without_a_task_never_hangs_on_a_pipe_nobody_writes(project):
    read_end, write_end = os.pipe()  # open, never written, never closed while harness runs
    started = time.monotonic()
    try:
        proc = harness("--ci", "--cwd", str(project), stdin=read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert proc.returncode == 2 and "no task given" in proc.stderr
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("flag", ["--ci", "-p"])
def test_no_task_in_a_terminal_does_not_read_stdin(project, flag):
    _, tty = os.openpty()
    started = time.monotonic()
    try:
        proc = harness(flag, "--cwd", str(project), stdin=tty)
    finally:
        os.close(tty)
    assert proc.returncode == 2 and "no task given" in proc.stderr
    assert time.monotonic() - started < 30


def test_a_task_with_a_pipe_nobody_writes_runs_without_it_and_says_so(scripted_server, project):
    scripted_server.add(text("ran"))
    read_end, write_end = os.pipe()
    try:
        proc = harness("-p", "just this", "--cwd", str(project), stdin=read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    assert "no input on stdin" in proc.stderr and "< /dev/null" in proc.stderr
    assert first_user_text(scripted_server.requests[0].body) == "just this"


# --- -c / --continue ------------------------------------------------------------------------


def test_continue_goes_on_in_the_most_recent_thread_of_the_project(scripted_server, project,
                                                                   capsys):
    scripted_server.add(text("first answer"))
    code, out, _ = run_cli(capsys, "-p", "first", "--cwd", str(project), "--output-format",
                           "json")
    thread = json.loads(out)["thread_id"]
    scripted_server.add(text("second answer"))
    code, out, err = run_cli(capsys, "-c", "-p", "second", "--cwd", str(project),
                             "--output-format", "json")
    assert code == 0, err
    assert json.loads(out)["thread_id"] == thread
    history = json.dumps(scripted_server.requests[1].body["messages"])
    assert "first answer" in history and "second" in history


def test_continue_takes_its_prompt_from_piped_input(scripted_server, project, capsys):
    scripted_server.add(text("first answer"))
    code, out, _ = run_cli(capsys, "-p", "first", "--cwd", str(project), "--output-format",
                           "json")
    assert code == 0
    thread = json.loads(out)["thread_id"]
    scripted_server.add(text("second answer"))
    proc = harness("-c", "--cwd", str(project), "--output-format", "json",
                   input="the next step\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["thread_id"] == thread
    last = scripted_server.requests[1].body["messages"][-1]
    assert "the next step" in json.dumps(last)


def test_continue_with_resume_is_refused(project, capsys):
    code, _, err = run_cli(capsys, "-c", "--resume", "x", "-p", "go", "--cwd", str(project))
    assert code == 2 and "--continue" in err
