"""`/rewind` in the inline front-end asks what to rewind (the kit's choice, ui/rewind.py):
conversation forks at the step and keeps the files; an unknown answer restores nothing."""

from __future__ import annotations

from harness.exitcodes import DONE
from harness.model.script import text, tool
from tests.ui.inline.driver import Driver
from tests.ui.inline.waiting import wait_for


async def test_rewind_conversation_forks_and_a_wrong_answer_restores_nothing(
        pipe, repo, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "notes.txt", "content": "hello\n"}),
                        text("Written."))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("write notes")
    await d.until("? permission")
    pipe.send_text("y")
    await d.until("Written.")
    first = next(seq for seq, e in d.session.history() if e.type == "user_message")
    thread = d.session.thread_id

    await d.type(f"/rewind {first}")
    await d.until("  b  both")
    pipe.send_text("x\r")
    await d.until("'x' is not f, c or b; nothing was restored")
    assert (repo / "notes.txt").exists() and d.session.thread_id == thread

    await d.type(f"/rewind {first}")
    await wait_for(lambda: d.text.count("  b  both") == 2)  # asked again
    pipe.send_text("conversation\r")
    await d.until(f"conversation rewound to step {first}: forked {thread}@{first}")
    assert (repo / "notes.txt").exists()  # files stay as they are
    assert d.session.thread_id != thread
    assert "files restored" not in d.text
    assert await d.finish() == DONE
