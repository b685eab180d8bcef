"""The input line and the turn loop, driven through a pipe: multi-line editing, vi mode,
history per project, Shift+Tab, Esc/Ctrl+C cancelling a turn, quit with a pending ask.

The session here is the small stand-in of `fake_session.py`: these tests pin the
front-end's own key handling; `test_app_session.py` runs the real session end to end.
"""

from __future__ import annotations

import asyncio

import pytest
from prompt_toolkit.history import InMemoryHistory

from harness.exitcodes import AWAITING, DONE
from harness.store.events import PermissionRequest
from harness.ui.inline.app import InlineApp
from harness.ui.inline.approver import InlineApprover
from harness.ui.inline.history import history_path, project_history
from harness.ui.inline.toolbar import toolbar_text
from harness.ui.inline.transcript import Transcript
from tests.ui.inline.fake_session import FakeSession, Step
from tests.ui.inline.waiting import wait_for


def _ask() -> PermissionRequest:
    return PermissionRequest(
        call_id="w1", tool="Write", input={"file_path": "notes.txt", "content": "hi\n"},
        category="write", reason="writes ask in default mode",
        preview="--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+hi\n",
    )


def _make(tmp_path, steps=(), *, vi=False, history=None):
    out: list[str] = []
    transcript = Transcript(out.append, color=False)
    approver = InlineApprover(transcript, vi_mode=vi)
    session = FakeSession(tmp_path, approver, transcript, list(steps))
    app = InlineApp(session, transcript, approver, vi_mode=vi, patch=False,
                    history=history if history is not None else InMemoryHistory())
    return app, session, out


async def _at_prompt(app: InlineApp) -> None:
    await wait_for(lambda: app._turn is None and app.prompt.app.is_running)


async def test_enter_sends_and_ctrl_j_or_esc_enter_add_newlines(pipe, tmp_path):
    app, _, _ = _make(tmp_path)
    pipe.send_text("one\ntwo\x1b\rthree\r")
    assert await app.read_input() == "one\ntwo\nthree"


async def test_vi_mode_edits_with_vi_keys(pipe, tmp_path):
    app, _, _ = _make(tmp_path, vi=True)
    task = asyncio.ensure_future(app.read_input())
    pipe.send_text("hello world")  # vi starts in insert mode
    await wait_for(lambda: app.prompt.default_buffer.text == "hello world")
    pipe.send_text("\x1b")
    await asyncio.sleep(0.1)
    pipe.send_text("0dwA!\r")
    assert await task == "world!"


async def test_emacs_mode_is_the_default(pipe, tmp_path):
    app, _, _ = _make(tmp_path)
    pipe.send_text("world\x01hello \r")  # Ctrl+A: start of line
    assert await app.read_input() == "hello world"


async def test_history_persists_per_project(pipe, tmp_path):
    root_a, root_b = tmp_path / "a", tmp_path / "b"
    root_a.mkdir()
    root_b.mkdir()
    assert history_path(root_a) != history_path(root_b)
    app, _, _ = _make(root_a, history=project_history(root_a))
    pipe.send_text("remember me\r")
    assert await app.read_input() == "remember me"
    assert "remember me" in history_path(root_a).read_text()

    again, _, _ = _make(root_a, history=project_history(root_a))
    task = asyncio.ensure_future(again.read_input())
    await wait_for(lambda: again.prompt.app.is_running)
    await wait_for(lambda: "remember me" in list(again.prompt.history.get_strings()))
    pipe.send_text("\x1b[A")  # Up
    await wait_for(lambda: again.prompt.default_buffer.text == "remember me")
    pipe.send_text("\r")
    assert await task == "remember me"
    assert not list(project_history(root_b).load_history_strings())


async def test_shift_tab_cycles_the_mode_shown_in_the_toolbar(pipe, tmp_path):
    app, session, out = _make(tmp_path)
    assert "mode: default" in toolbar_text(session)
    pipe.send_text("\x1b[Z\x1b[Z\r")
    await app.read_input()
    assert session.mode == "plan"
    assert "mode: plan" in toolbar_text(session) and "claude-test" in toolbar_text(session)
    assert "mode: acceptEdits\n" in "".join(out)


async def test_a_prompt_runs_a_turn_and_an_ask_is_approved_with_y(pipe, tmp_path):
    app, session, out = _make(tmp_path, [Step(text="I will write it.", ask=_ask())])
    task = asyncio.ensure_future(app.run())
    await _at_prompt(app)
    pipe.send_text("write notes\r")
    await wait_for(lambda: "? permission" in "".join(out))
    pipe.send_text("y")
    await wait_for(lambda: len(session.answers) == 1)
    await _at_prompt(app)
    pipe.send_text("/quit\r")
    assert await task == DONE
    assert session.prompts == ["write notes"]
    assert session.answers[0].kind == "approve"
    text = "".join(out)
    assert "I will write it." in text and "● Write(notes.txt)" in text and "+hi" in text


async def test_quit_at_a_permission_prompt_leaves_it_pending_and_exits_3(pipe, tmp_path):
    app, session, out = _make(tmp_path, [Step(ask=_ask())])
    task = asyncio.ensure_future(app.run())
    await _at_prompt(app)
    pipe.send_text("write notes\r")
    await wait_for(lambda: "? permission" in "".join(out))
    pipe.send_text("q")
    assert await asyncio.wait_for(task, 5) == AWAITING
    assert session.pending is not None and session.answers == [None]


async def test_open_with_a_pending_request_asks_again_first(pipe, tmp_path):
    app, session, out = _make(tmp_path)
    session.pending = _ask()
    task = asyncio.ensure_future(app.run())
    await wait_for(lambda: "? permission" in "".join(out))
    pipe.send_text("nnot there, in docs/\r")
    await wait_for(lambda: len(session.answers) == 1)
    await _at_prompt(app)
    pipe.send_text("\x04")  # Ctrl+D quits
    assert await task == DONE
    assert session.answers[0].feedback == "not there, in docs/"
    assert session.pending is None


@pytest.mark.parametrize("key", ["\x03", "\x1b"])
async def test_ctrl_c_or_esc_during_a_turn_cancels_it_and_keeps_the_thread(pipe, tmp_path, key):
    app, session, out = _make(tmp_path, [Step(hang=True), Step(text="still here")])
    task = asyncio.ensure_future(app.run())
    await _at_prompt(app)
    pipe.send_text("long task\r")
    await wait_for(lambda: app._watcher is not None and app._watcher.is_running)
    pipe.send_text(key)
    await wait_for(lambda: session.cancelled.is_set())
    await _at_prompt(app)
    pipe.send_text("next\r")
    await wait_for(lambda: "still here" in "".join(out))
    await _at_prompt(app)
    pipe.send_text("/quit\r")
    assert await task == DONE
    assert session.prompts == ["long task", "next"]


async def test_keys_typed_during_a_turn_start_the_next_prompt(pipe, tmp_path):
    app, session, _ = _make(tmp_path, [Step(hang=True)])
    task = asyncio.ensure_future(app.run())
    await _at_prompt(app)
    pipe.send_text("long task\r")
    await wait_for(lambda: app._watcher is not None and app._watcher.is_running)
    pipe.send_text("and thenX\x7f")
    await wait_for(lambda: app._typeahead == "and then")
    pipe.send_text("\x03")
    await _at_prompt(app)
    pipe.send_text(" more\r")
    await wait_for(lambda: len(session.prompts) == 2)
    await _at_prompt(app)
    pipe.send_text("/quit\r")
    await task
    assert session.prompts == ["long task", "and then more"]


async def test_slash_commands_help_mode_cost_and_unknown(pipe, tmp_path):
    app, session, out = _make(tmp_path)
    task = asyncio.ensure_future(app.run())
    for line in ("/help", "/mode plan", "/mode nonsense", "/cost", "/fork 3", "/bogus"):
        await _at_prompt(app)
        pipe.send_text(line + "\r")
    await _at_prompt(app)
    pipe.send_text("/quit\r")
    assert await task == DONE
    text = "".join(out)
    assert "/rewind" in text and "y once · s this session" in text
    assert session.mode == "plan" and "no mode 'nonsense'" in text
    assert "cost $0.0123" in text and "1.2k" in text
    assert "now on thread t-fork-3" in text
    assert "unknown command /bogus" in text
    assert session.prompts == []  # no slash command reached the model


async def test_enter_on_a_completed_slash_command_runs_it(pipe, tmp_path):
    app, _, _ = _make(tmp_path)
    task = asyncio.ensure_future(app.read_input())
    pipe.send_text("/cos")
    buf = app.prompt.default_buffer
    await wait_for(lambda: buf.complete_state is not None and buf.complete_state.completions)
    pipe.send_text("\t")
    await wait_for(lambda: buf.text == "/cost")
    pipe.send_text("\r")
    assert await task == "/cost"


async def test_enter_on_a_completed_path_inserts_it_and_keeps_editing(pipe, tmp_path):
    (tmp_path / "alpha.py").write_text("")
    app, _, _ = _make(tmp_path)
    task = asyncio.ensure_future(app.read_input())
    pipe.send_text("read @alp")
    buf = app.prompt.default_buffer
    await wait_for(lambda: buf.complete_state is not None and buf.complete_state.completions)
    pipe.send_text("\t")
    await wait_for(lambda: buf.text == "read @alpha.py")
    pipe.send_text("\r")
    await wait_for(lambda: buf.complete_state is None)
    pipe.send_text(" now\r")
    assert await task == "read @alpha.py now"
