"""Durability under faults, one behaviour per test: cut replies, the prompt's place in the
log, signals while the store waits, poisoned steps, run options kept across resume,
outcome-unknown calls told to the person, and redacted stream-json."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.agent.session import SessionOptions, open_session
from harness.agent.state import CUT_REPLY_NOTE
from harness.model.script import Reply, Text, text, tool
from harness.model.scripted import ScriptedModelClient
from harness.protocol.approver import ApprovalAnswer, DenyApprover, QueuedApprover
from harness.protocol.events import (
    AssistantMessage,
    PermissionDecision,
    ToolCallEvent,
    ToolStarted,
    UserMessage,
)
from harness.store.open import open_store
from harness.tools.base import BaseTool, ToolInput, ToolOutput
from tests.agent.helpers import json_lines, make_project, result_text, run_cli, tool_results


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def collect():
    events: list = []
    return events, lambda event, seq: events.append((seq, event))


async def _open(project: Path, model, approver=None, **kw):
    events, sink = collect()
    session = await open_session(
        SessionOptions(project_root=project, model_client=model, **kw),
        approver=approver or DenyApprover(), sink=sink,
    )
    return session, events


def _harness(*argv: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "harness", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy(), **kw)


# --- 1. a cut reply is never the final answer ----------------------------------------------


async def test_a_reply_cut_mid_stream_is_asked_again_on_resume_not_taken_as_done(project):
    model = ScriptedModelClient([Reply((Text("half an answer " * 300),), chunk_size=5),
                                 text("the whole answer")], pace=0.002)
    session, events = await _open(project, model)
    task = asyncio.create_task(session.run_prompt("explain"))
    while not any(e.type == "assistant_delta" for _, e in events):
        await asyncio.sleep(0.01)
    session.cancel()
    assert (await task).status == "cancelled"
    thread = session.thread_id
    await session.close()
    resumed, _ = await _open(project, model, resume=thread)
    result = await resumed.continue_pending()  # no new prompt: the log alone says "ask again"
    await resumed.close()
    assert result.status == "done" and result.result == "the whole answer"
    last = model.requests[-1].messages
    assert last[-1]["role"] == "user" and last[-1]["content"][-1]["text"] == CUT_REPLY_NOTE
    cut = last[-2]["content"][0]["text"]
    assert cut and ("half an answer " * 300).startswith(cut)  # what had streamed, kept


def test_sigterm_mid_stream_then_resume_asks_the_model_again(project, monkeypatch):
    from tests.faults.paced import PacedServer

    with PacedServer([Reply((Text("partial " * 100),), chunk_size=2), text("final words")],
                     pace=0.01) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        proc = _harness("-p", "say it", "--cwd", str(project), "--output-format", "json")
        end = time.monotonic() + 60
        while not server.requests and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(1.0)  # about a third of the reply has streamed
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        thread = json.loads(out)["thread_id"]
        store = open_store()
        cut = [e.decode() for e in store.events(thread) if e.type == "assistant_message"]
        store.close()
        assert len(cut) == 1 and cut[0].partial  # stopped mid-stream, recorded as cut
        done = subprocess.run([sys.executable, "-m", "harness", "resume", thread, "--cwd",
                               str(project), "--output-format", "json"], capture_output=True,
                              text=True, env=os.environ.copy(), timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "done" and result["result"] == "final words"
    again = server.requests[-1].body["messages"]
    assert again[-1]["content"][-1]["text"] == CUT_REPLY_NOTE


# --- 2. the prompt is in the log before anything can act on it -----------------------------


def test_prompt_is_logged_before_session_started(scripted_server, project, capsys):
    scripted_server.add(text("hi"))
    code, out, _ = run_cli(capsys, "-p", "the task", "--cwd", str(project),
                           "--output-format", "stream-json")
    assert code == 0
    types = [line["type"] for line in json_lines(out)]
    assert types.index("user_message") < types.index("session_started")


def test_killed_at_its_first_output_line_the_thread_resumes_by_asking_the_model(
    scripted_server, project
):
    scripted_server.add(Reply((Text("late"),), delay=20))
    proc = _harness("-p", "remember this task", "--cwd", str(project),
                    "--output-format", "stream-json")
    first = json.loads(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    thread = first["thread_id"]
    scripted_server._steps.clear()
    scripted_server.add(text("did the task"))
    done = subprocess.run([sys.executable, "-m", "harness", "resume", thread, "--cwd",
                           str(project), "--output-format", "json"], capture_output=True,
                          text=True, env=os.environ.copy(), timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == "did the task"
    sent = scripted_server.requests[-1].body["messages"][0]["content"]
    assert "remember this task" in json.dumps(sent)


def test_killed_at_its_first_stderr_notice_the_task_is_already_saved(scripted_server, project):
    (project / ".harness").mkdir()
    (project / ".harness/config.toml").write_text("[sandbox]\nenabled = false\n")
    scripted_server.add(Reply((Text("late"),), delay=20))
    proc = _harness("-p", "the saved task", "--cwd", str(project))
    assert "sandbox off" in proc.stderr.readline()  # the first line a person sees
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    store = open_store()
    try:
        thread = store.last_thread(str(project.resolve()))
        assert thread is not None
        texts = [e.decode().text for e in store.events(thread.thread_id)
                 if e.type == "user_message"]
    finally:
        store.close()
    assert texts == ["the saved task"]


# --- 4. signals while the store waits --------------------------------------------------------


def test_sigterm_while_the_store_is_busy_exits_130_with_a_resumable_thread(
    scripted_server, project, _isolated_home
):
    db = Path(_isolated_home) / "sessions.db"
    open_store().close()  # the database exists; now another writer holds it
    blocker = sqlite3.connect(str(db), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    scripted_server.add(text("never asked"))
    try:
        proc = _harness("-p", "wait for the store", "--cwd", str(project),
                        "--output-format", "json")
        time.sleep(2.5)  # started, and waiting on the lock (open or thread creation)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    result = json.loads(out)
    assert result["status"] == "cancelled"
    store = open_store()
    events = [e.decode() for e in store.events(result["thread_id"])]
    store.close()
    assert [e.text for e in events if e.type == "user_message"] == ["wait for the store"]
    assert not scripted_server.requests  # nothing acted on it
    scripted_server._steps.clear()
    scripted_server.add(text("now done"))
    again = subprocess.run([sys.executable, "-m", "harness", "resume", result["thread_id"],
                            "--cwd", str(project)], capture_output=True, text=True,
                           env=os.environ.copy(), timeout=60)
    assert again.returncode == 0 and again.stdout.strip() == "now done", again.stderr


# --- 5. poisoned steps ---------------------------------------------------------------------


def test_ls_of_a_non_utf8_name_gives_a_clean_result_with_escapes(scripted_server, project,
                                                                  capsys):
    with open(os.fsencode(project) + b"/bad\xff name.txt", "wb") as f:
        f.write(b"x")
    scripted_server.add(tool("LS", {"path": "."}), tool("Glob", {"pattern": "*name*"}),
                        text("listed"))
    code, _, err = run_cli(capsys, "-p", "list", "--cwd", str(project))
    assert code == 0, err
    listing = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "bad\\xff name.txt" in listing
    found = result_text(tool_results(scripted_server.requests[2].body)[-1])
    assert "bad\\xff name.txt" in found


async def test_a_tool_input_no_encoder_takes_is_stored_escaped_not_a_crash(project):
    model = ScriptedModelClient([tool("Read", {"file_path": "odd\ud800name.txt"}),
                                 text("could not read it")])
    session, _ = await _open(project, model)
    result = await session.run_prompt("read the odd file")
    history = session.history()  # read back from the store: it encoded
    await session.close()
    assert result.status == "done" and result.result == "could not read it"
    call = next(e for _, e in history if e.type == "tool_call")
    assert call.input["file_path"] == "odd\\ud800name.txt"
    assert next(e for _, e in history if e.type == "tool_result").is_error


class _GlobInput(ToolInput):
    pattern: str


class _Broken(BaseTool):
    """A tool whose own check crashes: a poisoned step, the same on every resume."""

    name, description, Input = "Glob", "probe", _GlobInput
    category, concurrent_safe = "read", False
    calls = 0

    async def revalidate(self, input, ctx):
        _Broken.calls += 1
        raise RuntimeError("cannot encode this step")

    async def run(self, input, ctx):  # pragma: no cover - never reached
        return ToolOutput("ran")


async def test_a_step_failing_the_same_way_twice_stops_with_a_fork_hint(project, capsys):
    model = ScriptedModelClient([tool("Glob", {"pattern": "*"})])
    session, _ = await _open(project, model)
    session._tools["Glob"] = _Broken()
    first = await session.run_prompt("probe it")
    thread = session.thread_id
    await session.close()
    assert first.status == "failed" and "call toolu_" in first.error
    assert "failed unexpectedly" in first.error and "RuntimeError" in first.error
    outcomes = []
    for _ in range(2):
        again, _ = await _open(project, model, resume=thread)
        again._tools["Glob"] = _Broken()
        outcomes.append(await again.continue_pending())
        await again.close()
    assert _Broken.calls == 2  # the third run does not even try
    for result in outcomes:
        assert result.status == "failed"
        assert f"harness sessions fork {thread}@" in result.error
        assert "failed the same way twice" in result.error
    fork_at = outcomes[-1].error.split(f"{thread}@")[1].split()[0]
    code, out, err = run_cli(capsys, "sessions", "fork", f"{thread}@{fork_at}", "--json",
                             "--cwd", str(project))
    assert code == 0, err
    child = json.loads(out)["thread_id"]
    forked, _ = await _open(project, ScriptedModelClient([text("another way")]), resume=child)
    assert (await forked.continue_pending()).result == "another way"
    await forked.close()


# --- 6. resume keeps the run's own options ---------------------------------------------------


def test_resume_keeps_allowed_tools_max_turns_and_on_ask(scripted_server, project, capsys):
    scripted_server.add(tool("Bash", {"command": "touch one.txt"}),
                        tool("Bash", {"command": "touch two.txt"}), text("both made"))
    code, out, err = run_cli(capsys, "-p", "make two files", "--cwd", str(project),
                             "--allowed-tools", "Bash(touch:*)", "--max-turns", "1",
                             "--on-ask", "interrupt", "--output-format", "json")
    assert code == 4, err  # the turn limit
    thread = json.loads(out)["thread_id"]
    code, out, err = run_cli(capsys, "resume", thread, "--cwd", str(project),
                             "--output-format", "json")
    assert code == 4, err  # max-turns 1 again: the run's own limit
    code, out, err = run_cli(capsys, "resume", thread, "--cwd", str(project),
                             "--output-format", "json")
    assert code == 0, err
    assert (project / "one.txt").exists() and (project / "two.txt").exists()
    for request in scripted_server.requests[1:]:
        assert not any(r.get("is_error") for r in tool_results(request.body))
    # An explicit flag on resume wins over the recorded one.
    scripted_server.add(tool("Bash", {"command": "touch three.txt"}), text("stopped"))
    code, out, _ = run_cli(capsys, "-p", "one more", "--resume", thread, "--cwd", str(project),
                           "--disallowed-tools", "Bash(touch:*)", "--max-turns", "5",
                           "--output-format", "json")
    assert code == 0 and not (project / "three.txt").exists()


def test_on_ask_deny_is_not_worded_as_a_persons_rejection(scripted_server, project, capsys):
    scripted_server.add(tool("Bash", {"command": "touch x.txt"}), text("ok"))
    code, out, _ = run_cli(capsys, "-p", "touch", "--cwd", str(project),
                           "--output-format", "stream-json")
    assert code == 0
    denial = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "rejected" not in denial and "nobody was asked" in denial
    decision = next(e for e in json_lines(out) if e["type"] == "permission_decision")
    assert decision["source"] == "policy"


# --- 7. cancelled = outcome unknown, and the person is told ---------------------------------


async def test_a_command_cancelled_mid_run_is_outcome_unknown_and_told_at_resume(project):
    model = ScriptedModelClient([tool("Bash", {"command": "echo wrote >> out.txt; sleep 30"})])
    session, events = await _open(project, model,
                                  approver=QueuedApprover(ApprovalAnswer.approve()))
    task = asyncio.create_task(session.run_prompt("write"))
    while not any(e.type == "tool_started" for _, e in events):
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    session.cancel()
    assert (await task).status == "cancelled"
    thread = session.thread_id
    result = [e for _, e in events if e.type == "tool_result"][-1]
    await session.close()
    assert result.outcome_unknown and result.content.startswith("Outcome unknown")
    resumed, _ = await _open(project, ScriptedModelClient([]), resume=thread)
    notices = [n for n in resumed.notices if n.startswith("outcome unknown")]
    await resumed.close()
    assert len(notices) == 1 and "echo wrote >> out.txt" in notices[0]


def test_a_call_left_started_is_told_on_stderr_and_in_stream_json(scripted_server, project,
                                                                    capsys):
    store = open_store()
    thread = store.create_thread(str(project)).thread_id
    call = {"type": "tool_use", "id": "toolu_k", "name": "Bash",
            "input": {"command": "make deploy"}}
    for event in (UserMessage(text="deploy"), AssistantMessage(content=[call]),
                  ToolCallEvent(call_id="toolu_k", tool="Bash", input=call["input"]),
                  PermissionDecision(call_id="toolu_k", outcome="allow", source="human"),
                  ToolStarted(call_id="toolu_k", tool="Bash", input=call["input"])):
        store.append(thread, event)
    store.close()
    scripted_server.add(text("checked"))
    code, out, err = run_cli(capsys, "resume", thread, "--cwd", str(project),
                             "--output-format", "stream-json")
    assert code == 0
    assert "outcome unknown: Bash" in err and "make deploy" in err
    notice = next(e for e in json_lines(out) if e["type"] == "notice")
    assert notice["kind"] == "outcome_unknown" and notice["call_id"] == "toolu_k"
    assert notice["input"] == {"command": "make deploy"}


# --- 8. stream-json is redacted like the store ------------------------------------------------


def test_stream_json_redacts_secret_values(scripted_server, project, capsys, monkeypatch):
    monkeypatch.setenv("DEPLOY_TOKEN", "tok-9f8e7d6c5b4a")
    scripted_server.add(text("the token is tok-9f8e7d6c5b4a"))
    for fmt in ("stream-json", "json", "text"):
        scripted_server.add(text("the token is tok-9f8e7d6c5b4a"))
        code, out, _ = run_cli(capsys, "-p", "say tok-9f8e7d6c5b4a", "--cwd", str(project),
                               "--output-format", fmt)
        assert code == 0
        assert "tok-9f8e7d6c5b4a" not in out and "[redacted:DEPLOY_TOKEN]" in out


def test_a_dropped_stream_is_logged_as_cut_and_resume_asks_again(scripted_server, project,
                                                                  capsys):
    from harness.model.script import StreamCut

    (project / ".harness").mkdir()
    (project / ".harness/config.toml").write_text("[model]\nmax_retries = 0\n")
    scripted_server.add(StreamCut(Reply((Text("half of it " * 10),), chunk_size=4),
                                  after_events=8), text("all of it"))
    code, out, _ = run_cli(capsys, "-p", "tell", "--cwd", str(project), "--output-format", "json")
    assert code == 1
    thread = json.loads(out)["thread_id"]
    code, out, err = run_cli(capsys, "resume", thread, "--cwd", str(project))
    assert code == 0, err
    assert out.strip() == "all of it"
    sent = scripted_server.requests[-1].body["messages"]
    assert sent[-2]["content"][0]["text"].startswith("half of it")
    assert sent[-1]["content"][-1]["text"] == CUT_REPLY_NOTE
