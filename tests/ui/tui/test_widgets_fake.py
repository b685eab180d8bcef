"""Widget behaviour against the fake session (the real-session tests are in test_session.py)."""

from __future__ import annotations

import asyncio

from harness.protocol import events as ev
from harness.ui.tui.conversation import WINDOW, Entry
from harness.ui.tui.permission_dialog import PermissionDialog
from harness.ui.tui.session_picker import StepPicker, ThreadPicker
from tests.ui.tui.conftest import fake_app
from tests.ui.tui.fake_session import Ask
from tests.ui.tui.waiting import dialog_up, settled, wait_until

DIFF = "--- a/src/app.py\n+++ b/src/app.py\n@@ -1 +1 @@\n-print('hi')\n+print('hello')\n"
EDIT = Ask("Edit", {"file_path": "src/app.py", "old_string": "hi", "new_string": "hello"},
           preview=DIFF)
RM = Ask("Bash", {"command": "rm -rf build"}, preview="rm -rf build", grade="irreversible",
         session_scope_allowed=False)


async def _ready(app, pilot):
    await wait_until(pilot, lambda: app.session is not None, "the session to open")


async def _dialog(app, pilot) -> PermissionDialog:
    await wait_until(pilot, lambda: dialog_up(app),
                     "the permission dialog")
    await pilot.pause()
    return app.screen


async def test_prompt_is_sent_and_the_answer_is_streamed_as_markdown(project):
    app, _ = fake_app(project, steps={"hello": ["**Hi** there"]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"hello", "enter")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: len(app.conversation.entries) == 2, "the answer")
        assert [e.kind for e in app.conversation.entries] == ["user", "text"]
        assert app.conversation.entries[1].text.strip() == "**Hi** there"
        assert "**Hi** there" in app.conversation.entries[1].widget.source


async def test_each_key_of_the_dialog_gives_its_answer(project):
    keys = {"y": ("approve", "once"), "s": ("approve", "session"), "a": ("approve", "project")}
    for key, (kind, scope) in keys.items():
        app, box = fake_app(project, steps={"go": [EDIT]})
        async with app.run_test(size=(100, 30)) as pilot:
            await _ready(app, pilot)
            await pilot.press(*"go", "enter")
            await _dialog(app, pilot)
            await pilot.press(key)
            await app.workers.wait_for_complete()
            answer = box["session"].answers[0]
            assert (answer.kind, answer.scope) == (kind, scope)


async def test_enter_in_the_dialog_approves_nothing(project):
    app, box = fake_app(project, steps={"go": [RM]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"go", "enter")
        dialog = await _dialog(app, pilot)
        await pilot.press("enter", "enter", "s")  # s is not offered for irreversible calls
        await pilot.pause(0.05)
        assert app.screen is dialog and box["session"].answers == []
        assert "press a key" in str(dialog.query_one("#hint").render())
        assert " s " not in str(dialog.query_one("#keys").render())
        await pilot.press("y")
        await app.workers.wait_for_complete()
        assert box["session"].answers[0].kind == "approve"


async def test_edit_sends_the_changed_json_input(project):
    app, box = fake_app(project, steps={"go": [RM]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"go", "enter")
        dialog = await _dialog(app, pilot)
        await pilot.press("e")
        area = dialog.query_one("#edit")
        assert area.has_focus
        area.load_text('{"command": "rm -rf build/tmp"}')
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        answer = box["session"].answers[0]
        assert answer.kind == "edit" and answer.input == {"command": "rm -rf build/tmp"}


async def test_edit_with_broken_json_says_so_and_stays_open(project):
    app, box = fake_app(project, steps={"go": [RM]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"go", "enter")
        dialog = await _dialog(app, pilot)
        await pilot.press("e")
        dialog.query_one("#edit").load_text("{nope")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "not valid JSON" in str(dialog.query_one("#hint").render())
        await pilot.press("escape", "n", *"no thanks", "enter")
        await app.workers.wait_for_complete()
        assert box["session"].answers[0].feedback == "no thanks"


async def test_reject_sends_the_feedback_typed(project):
    app, box = fake_app(project, steps={"go": [EDIT]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"go", "enter")
        await _dialog(app, pilot)
        await pilot.press("n", *"use sed", "enter")  # y/s/a typed here are feedback text
        await app.workers.wait_for_complete()
        answer = box["session"].answers[0]
        assert answer.kind == "reject" and answer.feedback == "use sed"
        card = next(e for e in app.conversation.entries if e.kind == "tool")
        assert card.tool.status == "rejected"


async def test_a_question_is_answered_in_a_text_field(project):
    ask = Ask("AskUser", {"question": "Which colour?"}, kind="question")
    app, box = fake_app(project, steps={"go": [ask]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"go", "enter")
        dialog = await _dialog(app, pilot)
        assert "Which colour?" in str(dialog.query_one("#question").render())
        await pilot.press(*"yellow", "enter")
        await app.workers.wait_for_complete()
        assert box["session"].answers[0].answer == "yellow"


async def test_quitting_while_asked_leaves_the_request_pending_and_closes(project):
    app, box = fake_app(project, steps={"go": [EDIT]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"go", "enter")
        await _dialog(app, pilot)
        await pilot.press("ctrl+c", "ctrl+c")
        await pilot.pause(0.1)
    session = box["session"]
    assert session.answers == [None] and session.pending is not None and session.closed


async def test_a_prompt_typed_before_the_session_is_ready_is_queued(project):
    gate = asyncio.Event()
    app, box = fake_app(project)
    inner = app.connect

    async def slow(approver, sink):
        await gate.wait()
        return await inner(approver, sink)

    app.connect = slow
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"early", "enter")
        await pilot.pause()
        assert list(app.queue) == ["early"]
        gate.set()
        await _ready(app, pilot)
        await app.workers.wait_for_complete()
        assert any(e.type == "user_message" and e.text == "early" for _, e in box["session"].log)


async def test_shift_tab_cycles_the_mode_shown_in_the_status_line(project):
    app, box = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        seen = []
        for _ in range(3):
            await pilot.press("shift+tab")
            seen.append(box["session"].mode)
            assert str(app.status.render()).lstrip().startswith(box["session"].mode)
        assert seen == ["acceptEdits", "plan", "default"]


async def test_history_is_kept_across_sessions_of_a_project(project):
    app, _ = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"first", "enter")
        await pilot.press(*"second", "enter")
        await app.workers.wait_for_complete()
    app2, _ = fake_app(project)
    async with app2.run_test(size=(100, 30)) as pilot:
        await _ready(app2, pilot)
        await app2.workers.wait_for_complete()
        await pilot.press("up")
        assert app2.prompt.text == "second"
        await pilot.press("up")
        assert app2.prompt.text == "first"
        await pilot.press("down", "down")
        assert app2.prompt.text == ""


async def test_shift_enter_and_ctrl_j_add_lines_instead_of_sending(project):
    app, box = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press("a", "ctrl+j", "b", "shift+enter", "c")
        assert app.prompt.text == "a\nb\nc"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert box["session"].log[0][1].text == "a\nb\nc"


async def test_slash_and_path_completion_honour_gitignore(project):
    app, _ = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await app.workers.wait_for_complete()
        assert "src/app.py" in app.prompt.files and "build/out.bin" not in app.prompt.files
        await pilot.press("/", "h", "e")
        assert app.menu.display
        await pilot.press("tab")
        assert app.prompt.text == "/help "
        app.prompt.clear()
        await pilot.press(*"look at @app", "tab")
        assert app.prompt.text == "look at @src/app.py "
        assert not app.menu.display


async def test_slash_help_and_unknown_commands_answer_in_the_view(project):
    app, _ = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"/help", "enter")
        await pilot.press(*"/nope", "enter")
        texts = [e.text for e in app.conversation.entries]
        assert any("/rewind" in t for t in texts)
        assert any("unknown command /nope" in t for t in texts)


async def test_escape_interrupts_a_streaming_answer(project):
    long = " ".join(f"word{i}" for i in range(400))
    app, box = fake_app(project, steps={"go": [long]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        box["session"].delay = 0.02  # 400 words: at least 8 s of streaming to interrupt
        await pilot.press(*"go", "enter")
        await wait_until(pilot, lambda: any(e.kind == "text" and e.text for e in
                                            app.conversation.entries), "the answer to stream")
        assert app.running
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        assert not app.running
        assert any(e.type == "interrupted" for _, e in box["session"].log)
        assert any("interrupted" in e.text for e in app.conversation.entries)


async def test_a_long_thread_mounts_only_a_window_and_loads_earlier_on_scroll(project):
    app, _ = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        conv = app.conversation
        conv.add_many([Entry("user", text=f"step {i}") for i in range(3000)])
        assert conv.mounted_count() == WINDOW
        # Laid out and following the tail: only then is there an "up" to scroll to.
        await wait_until(pilot, lambda: 0 < conv.max_scroll_y == conv.scroll_y,
                         "the window to be laid out at the tail")
        conv.scroll_home(animate=False)
        await wait_until(pilot, lambda: conv.mounted_count() > WINDOW and conv.scroll_y > 0,
                         "earlier entries to load with the position kept")


async def test_errors_show_in_the_view_with_what_to_do(project):
    app, box = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        box["session"]._emit(ev.ErrorEvent(message="invalid x-api-key (401)", kind="model"))
        await pilot.pause()
        last = app.conversation.entries[-1]
        assert last.style == "error" and "ANTHROPIC_API_KEY" in last.text


async def test_a_session_that_cannot_open_is_explained_in_the_view(project):
    async def broken(approver, sink):
        raise RuntimeError(".harness/config.toml: model.nam: unknown key")

    app, _ = fake_app(project)
    app.connect = broken
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "model.nam" in app.conversation.entries[-1].text
        await pilot.press(*"/cost", "enter")
        assert "still starting" in app.conversation.entries[-1].text


async def test_resume_picker_lists_threads_and_switches(project):
    app, box = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"/resume", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ThreadPicker), "the picker")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: box["session"].thread_id == "th-0002", "the switch")


async def test_fork_picker_forks_at_the_chosen_step(project):
    app, box = fake_app(project, steps={"one": ["A"], "two": ["B"]})
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        await pilot.press(*"one", "enter")
        await app.workers.wait_for_complete()
        await pilot.press(*"two", "enter")
        await app.workers.wait_for_complete()
        await pilot.press(*"/fork", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StepPicker), "the step picker")
        await pilot.press("up", "up", "enter")  # newest first selected: go to "A"
        await wait_until(pilot, lambda: box["session"].thread_id == "th-0001-fork", "the fork")
        await settled(pilot)
        assert [e.text for e in app.conversation.entries if e.kind == "user"] == ["one"]


async def test_todo_panel_follows_todowrite_results(project):
    app, box = fake_app(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        s = box["session"]
        todos = [{"content": "write tests", "status": "completed"},
                 {"content": "ship", "status": "in_progress", "activeForm": "shipping"}]
        s._emit(ev.ToolCallEvent(call_id="t1", tool="TodoWrite", input={"todos": todos}))
        s._emit(ev.ToolResult(call_id="t1", tool="TodoWrite", content="ok",
                              metadata={"todos": todos}))
        await pilot.pause()
        assert app.todo_panel.display
        assert "shipping" in str(app.todo_panel.render()) and "1/2" in str(app.todo_panel.render())
