"""`@path` and `!cmd` typed at the inline prompt, on the real session, the real anthropic SDK
and the scripted Messages-API server: what reaches the model, what is refused, what the
thread records."""

from __future__ import annotations

import pytest

from harness.exitcodes import DONE
from harness.model.script import text
from harness.ui.user_input import MAX_ATTACHMENT_BYTES
from tests.ui.inline.driver import Driver
from tests.ui.inline.waiting import wait_for


def _sent(server, index: int = -1) -> str:
    return str(server.message_requests[index].body["messages"][-1])


async def test_at_path_attaches_the_file_and_the_thread_keeps_it(pipe, repo, scripted_server):
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("def greet():\n    return 'hi from app'\n")
    scripted_server.add(text("It greets."))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("what does @src/app.py do?")
    await d.until("It greets.")
    [msg] = [e for _, e in d.session.history() if e.type == "user_message"]
    assert await d.finish() == DONE
    sent = _sent(scripted_server)
    assert "what does @src/app.py do?" in sent
    assert '<attached_file path="src/app.py">' in sent and "hi from app" in sent
    assert "📎 attached src/app.py (38 B)" in d.text
    assert msg.text == "what does @src/app.py do?"  # typed text, content kept beside it
    assert [a.path for a in msg.attachments] == ["src/app.py"]
    assert "hi from app" not in d.text  # the person is not shown the file back


async def test_secret_denied_and_binary_paths_are_refused_not_attached(
        pipe, repo, scripted_server):
    (repo / ".env").write_text("API_TOKEN=do-not-send-me\n")
    (repo / "private.txt").write_text("private-words\n")
    (repo / "blob.bin").write_bytes(b"\x00\x01\x02binary-bytes")
    (repo / ".harness").mkdir()
    (repo / ".harness" / "config.toml").write_text(
        '[permissions]\ndeny = ["Read(private.txt)"]\n')
    scripted_server.add(text("ok"))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("look at @.env @private.txt and @blob.bin")
    await d.until("ok")
    stored = str([e for _, e in d.session.history()])
    assert await d.finish() == DONE
    sent = _sent(scripted_server)
    assert "do-not-send-me" not in sent and "private-words" not in sent
    assert "binary-bytes" not in sent and "attached_file" not in sent
    assert "@.env not attached:" in d.text and "secret" in d.text.lower()
    assert "@private.txt not attached:" in d.text and "Read(private.txt)" in d.text
    assert "@blob.bin not attached: it is a binary file" in d.text
    assert "do-not-send-me" not in stored


async def test_a_large_file_is_cut_at_the_cap_and_the_model_is_told(pipe, repo, scripted_server):
    (repo / "big.log").write_text("x" * (MAX_ATTACHMENT_BYTES + 5000))
    scripted_server.add(text("big"))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("summarise @big.log")
    await d.until("big")
    assert await d.finish() == DONE
    sent = _sent(scripted_server)
    assert "(cut at the attachment size cap)" in sent
    assert sent.count("x") < MAX_ATTACHMENT_BYTES + 100
    assert "cut to 100 kB" in d.text


async def test_bang_runs_the_command_without_asking_and_the_next_prompt_carries_it(
        pipe, repo, scripted_server):
    scripted_server.add(text("I see the listing."))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("!echo made-by-me && ls")
    await d.until("(the model sees this with your next prompt)")
    assert "made-by-me" in d.text and "README.md" in d.text
    assert "? permission" not in d.text  # the person's own command: no ask
    assert not scripted_server.message_requests  # nothing sent to the model yet
    await d.type("what did I just run?")
    await d.until("I see the listing.")
    [shell] = [e for _, e in d.session.history() if e.type == "user_shell"]
    assert await d.finish() == DONE
    sent = _sent(scripted_server)
    assert "The user ran this shell command themselves" in sent
    assert "$ echo made-by-me && ls" in sent and "made-by-me" in sent
    assert sent.index("made-by-me") < sent.index("what did I just run?")
    assert shell.command == "echo made-by-me && ls" and shell.exit_code == 0


async def test_bang_output_survives_a_resume_until_the_next_prompt(pipe, repo, scripted_server):
    first = Driver(pipe, repo)
    await first.start()
    await first.type("!echo remembered-output")
    await first.until("remembered-output")
    assert await first.finish() == DONE
    thread = first.session.thread_id

    scripted_server.add(text("yes"))
    again = Driver(pipe, repo, resume=thread)
    await again.start()
    await again.until("! echo remembered-output")  # replayed in the scrollback
    assert not scripted_server.message_requests  # a resume does not call the model for it
    await again.type("and now?")
    await again.until("yes")
    assert await again.finish() == DONE
    assert "remembered-output" in _sent(scripted_server)


@pytest.mark.parametrize("sandbox", [True, False])
async def test_bang_runs_in_the_sandbox(pipe, repo, scripted_server, tmp_path, sandbox):
    from harness.permissions.sandbox import sandbox_status

    status = sandbox_status()
    if not status.available:
        pytest.skip(f"no OS sandbox on this machine: {status.detail}")
    if not sandbox:  # the control: the same command, unconfined, does write the canary
        (repo / ".harness").mkdir()
        (repo / ".harness" / "config.toml").write_text("[sandbox]\nenabled = false\n")
    outside = tmp_path / "outside-canary.txt"  # beside the project, not in it
    d = Driver(pipe, repo)
    await d.start()
    await d.type(f"!echo escaped > {outside}; echo ran-it")
    await d.until("(the model sees this with your next prompt)")
    assert "ran-it" in d.text
    assert await d.finish() == DONE
    assert outside.exists() is not sandbox
    outside.unlink(missing_ok=True)


async def test_bang_while_a_call_waits_is_refused(pipe, repo, scripted_server):
    from harness.model.script import tool

    scripted_server.add(tool("Write", {"file_path": "w.txt", "content": "x"}))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("write it")
    await d.until("? permission")
    pipe.send_text("q")  # leave it pending
    await d.close()
    again = Driver(pipe, repo, resume=d.session.thread_id)
    await again.open()
    with pytest.raises(Exception, match="waiting for an answer"):
        await again.session.run_shell("echo no")
    await again.session.close()


async def test_esc_interrupts_a_bang_command_and_nothing_is_recorded(pipe, repo, scripted_server):
    d = Driver(pipe, repo)
    await d.start()
    await d.type("!sleep 30; echo never")
    await wait_for(lambda: d.app._watcher is not None and d.app._watcher.is_running)
    pipe.send_text("\x1b")
    await d.until("⏹ command interrupted")
    assert not [e for _, e in d.session.history() if e.type == "user_shell"]
    assert await d.finish() == DONE
    assert "never" not in d.text
