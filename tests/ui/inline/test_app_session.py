"""The inline front-end on the real `AgentSession`, the real anthropic SDK and the scripted
Messages-API server, keys through a prompt-toolkit pipe: approve, reject with feedback,
edit, answer, cancel, quit at a prompt and resume."""

from __future__ import annotations

import pytest

from harness.exitcodes import AWAITING, DONE
from harness.model.script import Reply, Text, text, tool
from tests.ui.inline.driver import Driver
from tests.ui.inline.waiting import wait_for


async def test_write_is_shown_approved_with_y_and_runs(pipe, repo, scripted_server):
    scripted_server.add(
        tool("Write", {"file_path": "notes.txt", "content": "hello\n"}, say="Creating notes."),
        text("Created **notes.txt**."),
    )
    d = Driver(pipe, repo)
    await d.start()
    await d.type("create notes")
    await d.until("? permission")
    assert "Write(notes.txt)" in d.text and "+hello" in d.text and "reason:" in d.text
    pipe.send_text("y")
    await d.until("Created **notes.txt**.")
    assert await d.finish() == DONE
    assert (repo / "notes.txt").read_text() == "hello\n"
    assert "Creating notes." in d.text and "● Write(notes.txt)" in d.text
    assert "approved (once)" in d.text
    assert d.text.count("+hello") == 1  # the approved diff is not printed a second time


async def test_reject_with_feedback_reaches_the_model(pipe, repo, scripted_server):
    scripted_server.add(
        tool("Bash", {"command": "rm README.md"}),
        text("Understood, keeping it."),
    )
    d = Driver(pipe, repo)
    await d.start()
    await d.type("delete the readme")
    await d.until("? permission")
    pipe.send_text("nkeep the readme, it is needed\r")
    await d.until("Understood, keeping it.")
    assert await d.finish() == DONE
    assert (repo / "README.md").exists()
    assert d.text.count("keep the readme, it is needed") == 1
    sent = str(scripted_server.message_requests[-1].body["messages"])
    assert "keep the readme, it is needed" in sent


async def test_quit_at_prompt_then_resume_asks_again(pipe, repo, scripted_server):
    scripted_server.add(
        tool("Write", {"file_path": "later.txt", "content": "x\n"}),
        text("Wrote later.txt after the resume."),
    )
    first = Driver(pipe, repo)
    await first.start()
    await first.type("write later.txt")
    await first.until("? permission")
    pipe.send_text("q")
    assert await first.close() == AWAITING
    assert not (repo / "later.txt").exists()
    thread = first.session.thread_id

    again = Driver(pipe, repo, resume="")
    await again.start()
    assert again.session.thread_id == thread
    await again.until("? permission")
    assert "Write(later.txt)" in again.text
    assert "> write later.txt" in again.text  # the thread so far is replayed
    pipe.send_text("y")
    await again.until("Wrote later.txt after the resume.")
    assert await again.finish() == DONE
    assert (repo / "later.txt").read_text() == "x\n"
    assert len(scripted_server.message_requests) == 2  # resuming did not re-ask the model


async def test_edit_changes_the_input_before_it_runs(pipe, repo, scripted_server, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    scripted_server.add(
        tool("Write", {"file_path": "a.txt", "content": "one"}),
        text("ok"),
    )
    d = Driver(pipe, repo)
    await d.start()
    await d.type("write a")
    await d.until("? permission")
    # Inline editor: go to the end, replace `"one"\n}` by `"two"}`.
    pipe.send_text('e\x1b>' + "\x7f" * 7 + '"two"}\x1b\r')
    await d.until("ok")
    assert await d.finish() == DONE
    assert (repo / "a.txt").read_text() == "two"


async def test_question_is_answered_by_typing(pipe, repo, scripted_server):
    scripted_server.add(
        tool("AskUser", {"question": "Which database?"}),
        lambda body: text("You said: " + ("postgres" if "postgres" in str(body) else "?")),
    )
    d = Driver(pipe, repo)
    await d.start()
    await d.type("set up the db")
    await d.until("? Which database?")
    pipe.send_text("postgres\r")
    await d.until("You said: postgres")
    assert await d.finish() == DONE


@pytest.mark.parametrize("key", ["\x03", "\x1b"], ids=["ctrl-c", "esc"])
async def test_ctrl_c_or_esc_cancels_a_streaming_turn_and_the_thread_goes_on(
    pipe, repo, scripted_server, key
):
    scripted_server.add(
        Reply((Text("a slow answer"),), delay=30),
        text("second answer"),
    )
    d = Driver(pipe, repo)
    await d.start()
    await d.type("slow please")
    await wait_for(lambda: d.app._watcher is not None and d.app._watcher.is_running)
    await wait_for(lambda: len(scripted_server.message_requests) == 1)
    pipe.send_text(key)
    await d.until("interrupted")
    await d.type("again")
    await d.until("second answer")
    assert await d.finish() == DONE
    assert "slow please" in str(scripted_server.message_requests[-1].body["messages"])


async def test_shift_tab_cycles_the_sessions_mode(pipe, repo, scripted_server):
    d = Driver(pipe, repo)
    await d.start()
    await d.at_prompt()
    pipe.send_text("\x1b[Z")
    await d.until("mode: acceptEdits")
    assert d.session.mode == "acceptEdits"
    pipe.send_text("\x1b[Z")
    await d.until("mode: plan")
    assert await d.finish() == DONE
    assert d.session.mode == "plan"


async def test_resume_picker_switches_to_another_thread(pipe, repo, scripted_server):
    scripted_server.add(text("first answer"), text("second answer"))
    first = Driver(pipe, repo)
    await first.start()
    await first.type("the first thread")
    await first.until("first answer")
    assert await first.finish() == DONE
    first_id = first.session.thread_id

    second = Driver(pipe, repo)
    await second.start()
    await second.type("the second thread")
    await second.until("second answer")
    await second.type("/sessions")
    await second.until("← current")
    await second.type("/resume")
    await second.until(f"1. {first_id}")  # the picker lists the other threads
    pipe.send_text("1\r")
    await second.until(f"── thread {first_id} ──")
    assert second.session.thread_id == first_id
    assert await second.finish() == DONE
    replayed = second.text.split(f"── thread {first_id} ──")[1]
    assert "> the first thread" in replayed and "first answer" in replayed


async def test_compact_replaces_older_turns_with_a_summary(pipe, repo, scripted_server):
    scripted_server.add(text("an answer"), text("SUMMARY: the user asked; I answered."))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("a question")
    await d.until("an answer")
    await d.type("/compact")
    await d.until("compacted")
    assert await d.finish() == DONE
    assert scripted_server.remaining == 0


async def test_rewind_picker_restores_files_and_fork_picker_defaults_to_latest(
    pipe, repo, scripted_server
):
    scripted_server.add(
        tool("Write", {"file_path": "notes.txt", "content": "hello\n"}),
        text("Written."),
    )
    d = Driver(pipe, repo)
    await d.start()
    await d.type("write notes")
    await d.until("? permission")
    pipe.send_text("y")
    await d.until("Written.")
    assert (repo / "notes.txt").exists()
    first_prompt = next(seq for seq, e in d.session.history() if e.type == "user_message")

    await d.type("/rewind")
    await d.until("  Write(notes.txt)")  # the steps are listed with their seq
    assert f"{first_prompt:>5}  > write notes" in d.text
    pipe.send_text(f"{first_prompt}\r")
    # Issue 17: it asks what to rewind before restoring anything.
    await d.until("  b  both")  # the choices are listed; nothing is restored yet
    assert f"Rewind to step {first_prompt}? 1 file(s) changed since: notes.txt." in d.text
    assert (repo / "notes.txt").exists()
    pipe.send_text("f\r")
    await d.until(f"files restored to step {first_prompt}: notes.txt")
    assert not (repo / "notes.txt").exists()

    parent = d.session.thread_id
    await d.type("/fork")
    listed = f"{first_prompt:>5}  > write notes"
    await wait_for(lambda: d.text.count(listed) == 2)  # listed again, for the fork
    pipe.send_text("\r")  # Enter: from the latest step
    await d.until(f"forked {parent} → now on thread")
    assert await d.finish() == DONE
    assert d.session.thread_id != parent


async def test_model_command_switches_the_model_for_the_next_turn(pipe, repo, scripted_server):
    scripted_server.add(text("first"), text("second"))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("hi")
    await d.until("first")
    await d.type("/model claude-haiku-4-5")
    await d.until("model: claude-haiku-4-5")
    await d.type("again")
    await d.until("second")
    assert await d.finish() == DONE
    models = [r.body["model"] for r in scripted_server.message_requests]
    assert models == ["claude-sonnet-4-5", "claude-haiku-4-5"]


async def test_clear_starts_a_new_conversation_and_keeps_the_old_thread(
    pipe, repo, scripted_server
):
    scripted_server.add(text("one"), text("fresh"))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("remember 42")
    await d.until("one")
    old = d.session.thread_id
    await d.type("/clear")
    await d.until("new conversation")
    await d.type("what did I say?")
    await d.until("fresh")
    assert await d.finish() == DONE
    last = scripted_server.message_requests[-1].body["messages"]
    assert len(last) == 1 and "remember 42" not in str(last)
    assert d.session.thread_id != old


async def test_threads_left_waiting_are_shown_at_start(pipe, repo, scripted_server, monkeypatch):
    scripted_server.add(tool("Bash", {"command": "touch x"}))
    first = Driver(pipe, repo)
    await first.start()
    await first.type("touch x")
    await first.until("? permission")
    pipe.send_text("q")
    assert await first.close() == AWAITING
    waiting = first.session.thread_id
    monkeypatch.setenv("HARNESS_SESSIONS__ABANDON_AFTER", "0s")
    second = Driver(pipe, repo)
    await second.start()
    await second.until(f"waiting for you: thread {waiting}")
    assert await second.finish() == DONE
