"""The input line through a pipe, on a real session: multi-line editing, Emacs and vi
bindings, history per project, completion with Enter, keys typed during a turn, and the
slash commands that need no model."""

from __future__ import annotations

import asyncio

from prompt_toolkit.key_binding.vi_state import InputMode

from harness.exitcodes import DONE
from harness.model.script import Reply, Text, text
from harness.ui.inline.history import history_path, project_history
from harness.ui.inline.toolbar import toolbar_text
from tests.ui.inline.driver import Driver
from tests.ui.inline.waiting import wait_for


async def _input_line(pipe, repo, **kw):
    d = Driver(pipe, repo, **kw)
    app = await d.open()
    return d, app


async def test_enter_sends_and_ctrl_j_or_esc_enter_add_newlines(pipe, repo):
    d, app = await _input_line(pipe, repo)
    pipe.send_text("one\ntwo\x1b\rthree\r")
    assert await app.read_input() == "one\ntwo\nthree"
    await d.session.close()


async def test_vi_mode_edits_with_vi_keys(pipe, repo):
    d, app = await _input_line(pipe, repo, vi=True)
    task = asyncio.ensure_future(app.read_input())
    pipe.send_text("hello world")  # vi starts in insert mode
    await wait_for(lambda: app.prompt.default_buffer.text == "hello world")
    pipe.send_text("\x1b")
    # Only once Esc has been taken as Esc (not the start of an escape sequence) are the
    # next keys vi commands rather than text.
    await wait_for(lambda: app.prompt.app.vi_state.input_mode == InputMode.NAVIGATION)
    pipe.send_text("0dwA!\r")
    assert await task == "world!"
    await d.session.close()


async def test_emacs_mode_is_the_default(pipe, repo):
    d, app = await _input_line(pipe, repo)
    pipe.send_text("world\x01hello \r")  # Ctrl+A: start of line
    assert await app.read_input() == "hello world"
    await d.session.close()


async def test_history_persists_per_project(pipe, repo, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    assert history_path(repo) != history_path(other)
    d, app = await _input_line(pipe, repo, history=project_history(repo))
    pipe.send_text("remember me\r")
    assert await app.read_input() == "remember me"
    assert "remember me" in history_path(repo).read_text()
    await d.session.close()

    d2, again = await _input_line(pipe, repo, history=project_history(repo))
    task = asyncio.ensure_future(again.read_input())
    await wait_for(lambda: again.prompt.app.is_running)
    await wait_for(lambda: "remember me" in list(again.prompt.history.get_strings()))
    pipe.send_text("\x1b[A")  # Up
    await wait_for(lambda: again.prompt.default_buffer.text == "remember me")
    pipe.send_text("\r")
    assert await task == "remember me"
    assert not list(project_history(other).load_history_strings())
    await d2.session.close()


async def test_toolbar_shows_mode_model_tokens_cost(pipe, repo):
    d, _ = await _input_line(pipe, repo)
    bar = toolbar_text(d.session)
    assert "mode: default" in bar and d.session.model_name in bar
    assert "0 tokens" in bar and "$0.0000" in bar and "context 0%" in bar
    await d.session.close()


async def test_enter_on_a_completed_slash_command_runs_it(pipe, repo):
    d, app = await _input_line(pipe, repo)
    task = asyncio.ensure_future(app.read_input())
    pipe.send_text("/cos")
    buf = app.prompt.default_buffer
    await wait_for(lambda: buf.complete_state is not None and buf.complete_state.completions)
    pipe.send_text("\t")
    await wait_for(lambda: buf.text == "/cost")
    pipe.send_text("\r")
    assert await task == "/cost"
    await d.session.close()


async def test_one_enter_sends_after_picking_a_path_completion(pipe, repo):
    # Issue 17: picking a completion and then Enter used to insert it only, so sending
    # took a second Enter.
    (repo / "alpha.py").write_text("")
    d, app = await _input_line(pipe, repo)
    task = asyncio.ensure_future(app.read_input())
    pipe.send_text("read @alp")
    buf = app.prompt.default_buffer
    await wait_for(lambda: buf.complete_state is not None and buf.complete_state.completions)
    pipe.send_text("\t")
    await wait_for(lambda: buf.text == "read @alpha.py")
    pipe.send_text("\r")
    assert await asyncio.wait_for(task, 10) == "read @alpha.py"
    await d.session.close()


async def test_enter_on_a_folder_completion_opens_the_folder(pipe, repo):
    (repo / "src" / "pkg").mkdir(parents=True)
    (repo / "src" / "pkg" / "mod.py").write_text("")
    d, app = await _input_line(pipe, repo)
    task = asyncio.ensure_future(app.read_input())
    pipe.send_text("see @sr")
    buf = app.prompt.default_buffer
    await wait_for(lambda: buf.complete_state is not None and buf.complete_state.completions)
    pipe.send_text("\t")
    await wait_for(lambda: buf.text == "see @src/")
    pipe.send_text("\r")  # not sent: the folder's entries are offered
    await wait_for(lambda: buf.complete_state is not None and any(
        c.text == "@src/pkg/" for c in buf.complete_state.completions))
    assert not task.done()
    pipe.send_text("\t")
    await wait_for(lambda: buf.text == "see @src/pkg/")
    pipe.send_text("\r")
    await wait_for(lambda: buf.complete_state is not None and any(
        c.text == "@src/pkg/mod.py" for c in buf.complete_state.completions))
    pipe.send_text("\t\r")
    assert await asyncio.wait_for(task, 10) == "see @src/pkg/mod.py"
    await d.session.close()


async def test_keys_typed_during_a_turn_start_the_next_prompt(pipe, repo, scripted_server):
    scripted_server.add(Reply((Text("slow"),), delay=30), text("fine"))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("long task")
    await wait_for(lambda: d.app._watcher is not None and d.app._watcher.is_running)
    pipe.send_text("and thenX\x7f")
    await wait_for(lambda: d.app._typeahead == "and then")
    # Cancel only once the slow request is at the server, so the next one gets "fine".
    await wait_for(lambda: len(scripted_server.message_requests) == 1)
    pipe.send_text("\x03")
    await d.at_prompt()
    pipe.send_text(" more\r")
    await d.until("fine")
    assert await d.finish() == DONE
    assert "and then more" in str(scripted_server.message_requests[-1].body["messages"])


async def test_slash_commands_help_mode_cost_fork_and_unknown(pipe, repo, scripted_server):
    scripted_server.add(text("hi"))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("hello")
    await d.until("hi")
    parent = d.session.thread_id
    for line in ("/help", "/mode plan", "/mode nonsense", "/cost", "/model", "/fork 2",
                 "/bogus"):
        await d.type(line)
    assert await d.finish() == DONE
    out = d.text
    assert "/rewind" in out and "y once · s this session" in out
    assert "mode: plan" in out and "no mode 'nonsense'" in out
    assert "cost $" in out and "turns · input" in out
    assert f"model: {d.session.model_name}" in out
    assert f"forked {parent}@2 → now on thread {d.session.thread_id}" in out
    assert d.session.thread_id != parent
    assert "unknown command /bogus" in out
    assert len(scripted_server.message_requests) == 1  # no slash command reached the model


def test_the_tui_and_inline_share_one_history_file(repo):
    from harness.ui.history import PromptHistory

    tui = PromptHistory(history_path(repo))
    tui.add("typed in the TUI")
    inline = project_history(repo)
    assert next(iter(inline.load_history_strings())) == "typed in the TUI"
    inline.store_string("typed inline\nover two lines")
    again = PromptHistory(history_path(repo))
    again.load()
    assert again.entries[-2:] == ["typed in the TUI", "typed inline\nover two lines"]
