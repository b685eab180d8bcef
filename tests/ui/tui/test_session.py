"""The TUI on the real AgentSession, the real anthropic SDK and the scripted Messages-API
server: a session with a Read, an ask answered each of the four ways, Esc mid-stream, quit
and resume showing the pending dialog, fork from the picker, mode cycling."""

from __future__ import annotations

import json
from pathlib import Path

from textual.geometry import Region

from harness.agent.session import SessionOptions, open_session
from harness.model.script import Reply, StreamCut, Text, Thinking, text, tool
from harness.ui.history import PromptHistory
from harness.ui.tui.app import HarnessApp
from harness.ui.tui.session_picker import StepPicker, ThreadPicker
from tests.ui.tui.waiting import dialog_up, settled, wait_until

SIZE = (100, 30)


def real_app(project: Path, resume: str | None = None) -> HarnessApp:
    async def connect(approver, sink):
        opts = SessionOptions(project_root=project, front_end="tui", resume=resume)
        return await open_session(opts, approver=approver, sink=sink)

    return HarnessApp(connect, project, history=PromptHistory(None), theme="dark",
                      load_files=False)


async def until(pilot, check, timeout: float = 30.0) -> None:
    """Wall-clock bound, generous: a loaded machine is slow, not wrong."""
    await wait_until(pilot, check, f"{check.__code__.co_consts or check}", timeout)


async def send(app: HarnessApp, pilot, prompt: str) -> None:
    await until(pilot, lambda: app.session is not None)
    app.prompt.load_text(prompt)
    await pilot.press("enter")


async def idle(app: HarnessApp, pilot) -> None:
    await until(pilot, lambda: not app.running and not app.queue)
    await settled(pilot)


def widget_text(widget) -> str:
    """What the widget shows on screen, as plain text."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def shown(app: HarnessApp) -> str:
    parts = []
    for e in app.conversation.entries:
        parts.append(e.text if e.tool is None else f"[{e.tool.tool} {e.tool.status}]")
    return "\n".join(parts)


async def test_a_session_with_a_read_shows_the_card_and_the_streamed_answer(
        project, scripted_server):
    scripted_server.add(
        tool("Read", {"file_path": "src/app.py"}, say="Let me look."),
        text("The file prints **hi**.", chunk_size=3),
    )
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "what does app.py do?")
        await idle(app, pilot)
        out = shown(app)
        assert "what does app.py do?" in out and "Let me look." in out
        assert "[Read done]" in out and "The file prints **hi**." in out
        card = next(e for e in app.conversation.entries if e.kind == "tool")
        assert "print('hi')" in card.tool.output and card.widget.collapsed
        card.widget.collapsed = False  # output expands on demand
        await pilot.pause()
        assert "print('hi')" in widget_text(card.widget._body)
        assert app.session.num_turns == 2
        assert "2 tok" not in str(app.status.render())  # usage of both turns is shown
        assert app.session.thread_id[:12] in str(app.status.render())
        await pilot.press("ctrl+c", "ctrl+c")
    assert app.return_value == 0


async def _ask_then(project, scripted_server, keys: list[str], edit: str | None = None):
    scripted_server.add(
        tool("Write", {"file_path": "notes.txt", "content": "hello\n"}),
        text("All set."),
    )
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "write notes")
        await until(pilot, lambda: dialog_up(app))
        dialog = app.screen
        assert "notes.txt" in str(dialog.query_one("#headline").render())
        assert "+hello" in widget_text(dialog.query_one("#preview").query_one("Static"))
        assert "why:" in str(dialog.query_one("#why").render())
        await pilot.press("enter")  # safe: approves nothing
        assert app.screen is dialog
        for key in keys:
            await pilot.press(key)
        if edit is not None:
            dialog.query_one("#edit").load_text(edit)
            await pilot.press("ctrl+s")
        await idle(app, pilot)
        text_shown = shown(app)
        session = app.session
        await pilot.press("ctrl+c", "ctrl+c")
    return text_shown, session, scripted_server.message_requests[-1].body


async def test_approve_once_runs_the_write(project, scripted_server):
    out, session, _ = await _ask_then(project, scripted_server, ["y"])
    assert (project / "notes.txt").read_text() == "hello\n"
    assert "[Write done]" in out and "All set." in out
    assert session.state.session_rules == [] or not session.state.session_rules


async def test_approve_for_the_session_records_a_session_rule(project, scripted_server):
    _, session, _ = await _ask_then(project, scripted_server, ["s"])
    assert (project / "notes.txt").exists() and session.state.session_rules
    from harness.store.open import open_store  # the app closed its own store on quit

    log = open_store().events(session.thread_id)
    decision = [e.decode() for e in log if e.type == "permission_decision"][-1]
    assert decision.scope == "session"


async def test_approve_always_writes_a_project_rule(project, scripted_server):
    await _ask_then(project, scripted_server, ["a"])
    assert (project / "notes.txt").exists()
    assert "notes.txt" in (project / ".harness" / "config.local.toml").read_text()


async def test_edit_runs_the_edited_input(project, scripted_server):
    edited = json.dumps({"file_path": "notes.txt", "content": "edited\n"})
    await _ask_then(project, scripted_server, ["e"], edit=edited)
    assert (project / "notes.txt").read_text() == "edited\n"


async def test_reject_sends_the_feedback_to_the_model(project, scripted_server):
    out, _, body = await _ask_then(project, scripted_server, ["n", *"not now", "enter"])
    assert not (project / "notes.txt").exists()
    assert "not now" in json.dumps(body["messages"]) and "[Write rejected]" in out


async def test_a_question_is_answered_in_the_dialog(project, scripted_server):
    scripted_server.add(tool("AskUser", {"question": "Tabs or spaces?"}), text("Spaces it is."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "format it")
        await until(pilot, lambda: dialog_up(app))
        assert "Tabs or spaces?" in str(app.screen.query_one("#question").render())
        await pilot.press(*"spaces", "enter")
        await idle(app, pilot)
        assert "Spaces it is." in shown(app)
        await pilot.press("ctrl+c", "ctrl+c")
    assert "spaces" in json.dumps(scripted_server.message_requests[-1].body["messages"])


async def test_escape_interrupts_a_streaming_answer_and_the_next_prompt_works(
        project, scripted_server):
    paragraphs = "".join(f"Paragraph {i} of a long answer, streamed.\n\n" for i in range(15000))
    scripted_server.add(Reply((Text(paragraphs),), chunk_size=4), text("Back again."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "talk a lot")
        await until(pilot, lambda: any(e.kind == "text" and len(e.text) > 50
                                       for e in app.conversation.entries))
        await pilot.press("escape")
        await idle(app, pilot)
        out = shown(app)
        assert "interrupted" in out
        streamed = next(e for e in app.conversation.entries if e.kind == "text")
        assert 50 < len(streamed.text) < len(paragraphs)
        await send(app, pilot, "are you there?")
        await idle(app, pilot)
        assert "Back again." in shown(app)
        types = [e.type for _, e in app.session.history()]
        assert "interrupted" in types
        await pilot.press("ctrl+c", "ctrl+c")


async def test_quit_while_asked_then_resume_shows_the_same_dialog(project, scripted_server):
    scripted_server.add(
        tool("Write", {"file_path": "later.txt", "content": "x\n"}),
        text("Wrote it after the resume."),
    )
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "write later.txt")
        await until(pilot, lambda: dialog_up(app))
        thread = app.session.thread_id
        call_id = app.session.pending.call_id
        await pilot.press("ctrl+c", "ctrl+c")
    # Issue 17: a normal quit exits 0 even with a call pending (exit 3 is headless's); the
    # message printed after the app says what waits and how to answer it.
    assert app.return_value == 0
    assert not (project / "later.txt").exists()
    assert f"thread {thread} saved" in app.farewell
    assert f"harness --resume {thread}" in app.farewell
    assert "a call is waiting for your approval: Write(later.txt)" in app.farewell
    assert f"harness resume {thread} --approve --call {call_id}" in app.farewell

    again = real_app(project, resume="")
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: dialog_up(again))
        assert again.session.thread_id == thread
        assert "later.txt" in str(again.screen.query_one("#headline").render())
        assert "write later.txt" in shown(again)  # the thread so far is shown
        await pilot.press("y")
        await idle(again, pilot)
        assert "Wrote it after the resume." in shown(again)
        # The approved call is drawn once: the pending card was updated in place.
        cards = [e for e in again.conversation.entries if e.kind == "tool"]
        assert len(cards) == 1 and cards[0].tool.status == "done"
        assert cards[0].tool.input == {"file_path": "later.txt", "content": "x\n"}
        title = str(cards[0].widget.title)
        assert "Write" in title and "later.txt" in title and "✓" in title
        await pilot.press("ctrl+c", "ctrl+c")
    assert again.return_value == 0 and "waiting" not in again.farewell
    assert (project / "later.txt").read_text() == "x\n"
    assert len(scripted_server.message_requests) == 2  # resuming did not re-ask the model


async def test_fork_from_the_picker_continues_in_a_new_thread(project, scripted_server):
    scripted_server.add(text("First answer."), text("Second answer."), text("Forked answer."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "one")
        await idle(app, pilot)
        await send(app, pilot, "two")
        await idle(app, pilot)
        original = app.session.thread_id
        await send(app, pilot, "/fork")
        await until(pilot, lambda: isinstance(app.screen, StepPicker))
        await pilot.press("up", "up", "enter")  # newest step first; go back to "First answer."
        await until(pilot, lambda: app.session.thread_id != original)
        await until(pilot, lambda: "forked" in shown(app) and "two" not in shown(app))
        out = shown(app)
        assert "First answer." in out and "two" not in out and "forked" in out
        await send(app, pilot, "three")
        await idle(app, pilot)
        assert "Forked answer." in shown(app)
        sent = json.dumps(scripted_server.message_requests[-1].body["messages"])
        assert "one" in sent and "Second answer." not in sent
        await pilot.press("ctrl+c", "ctrl+c")


async def test_shift_tab_cycles_modes_and_the_status_line_follows(project, scripted_server):
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None)
        seen = []
        for _ in range(4):
            await pilot.press("shift+tab")
            seen.append(app.session.mode)
            assert str(app.status.render()).lstrip().startswith(app.session.mode)
        assert seen == ["acceptEdits", "plan", "default", "acceptEdits"]
        await pilot.press("ctrl+c", "ctrl+c")


async def test_a_missing_key_is_explained_inside_the_ui(project, scripted_server, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ANTHROPIC_API_KEY is not set" in shown(app))
        await send(app, pilot, "hello?")
        await idle(app, pilot)
        errors = [e for e in app.conversation.entries if e.style == "error"]
        assert len(errors) >= 2 and "harness --demo" in errors[-1].text
        await pilot.press("ctrl+c", "ctrl+c")
    assert scripted_server.message_requests == []  # the SDK refused before sending


async def test_an_unreachable_model_is_explained_inside_the_ui(project, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HARNESS_MODEL__MAX_RETRIES", "0")
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "hello?")
        await idle(app, pilot)
        errors = [e.text for e in app.conversation.entries if e.style == "error"]
        assert errors and "127.0.0.1:9" in errors[-1], shown(app)
        await pilot.press("ctrl+c", "ctrl+c")


async def test_thinking_is_shown_collapsed(project, scripted_server):
    scripted_server.add(Reply((Thinking("Let me weigh the options."), Text("Use spaces."))))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "tabs?")
        await idle(app, pilot)
        thinking = next(e for e in app.conversation.entries if e.kind == "thinking")
        assert "weigh the options" in thinking.text and thinking.widget.collapsed
        assert "Use spaces." in shown(app)
        await pilot.press("ctrl+c", "ctrl+c")


async def test_model_cost_and_clear_commands_use_the_session(project, scripted_server):
    scripted_server.add(text("Hi."), text("Haiku here."), text("Fresh start."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "hello")
        await idle(app, pilot)
        first = app.session.thread_id
        await send(app, pilot, "/model claude-haiku-4-5")
        await until(pilot, lambda: app.session.model_name == "claude-haiku-4-5")
        assert "claude-haiku-4-5" in str(app.status.render())
        await send(app, pilot, "which model?")
        await idle(app, pilot)
        assert scripted_server.message_requests[-1].body["model"] == "claude-haiku-4-5"
        await send(app, pilot, "/cost")
        await until(pilot, lambda: "turns" in app.conversation.entries[-1].text)
        await send(app, pilot, "/clear")
        await until(pilot, lambda: "hello" not in shown(app) and first in shown(app))
        await send(app, pilot, "again")
        await idle(app, pilot)
        assert app.session.thread_id != first and "Fresh start." in shown(app)
        await pilot.press("ctrl+c", "ctrl+c")


async def test_the_theme_comes_from_the_settings(project, scripted_server):
    (project / ".harness").mkdir()
    (project / ".harness" / "config.toml").write_text('[ui]\ntheme = "light"\n')
    app = HarnessApp(real_app(project).connect, project, history=PromptHistory(None),
                     load_files=False)  # theme "auto": the settings decide
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None)
        assert app.theme == "textual-light"
        await pilot.press("ctrl+c", "ctrl+c")


async def test_resume_picker_lists_the_stores_threads_and_switches(project, scripted_server):
    scripted_server.add(text("About A."), text("About B."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "topic A")
        await idle(app, pilot)
        first = app.session.thread_id
        await send(app, pilot, "/clear")
        await until(pilot, lambda: app.session.thread_id == "")  # a new thread, not yet saved
        await send(app, pilot, "topic B")
        await idle(app, pilot)
        await send(app, pilot, "/resume")
        await until(pilot, lambda: isinstance(app.screen, ThreadPicker))
        await until(pilot, lambda: "topic B" in widget_text(app.screen.query_one("#choices")))
        listed = widget_text(app.screen.query_one("#choices"))
        assert "topic A" in listed and "topic B" in listed and "done" in listed
        await pilot.press("down", "enter")  # the newest (B, current) is first
        await until(pilot, lambda: app.session.thread_id == first)
        await until(pilot, lambda: "About A." in shown(app))
        assert "About B." not in shown(app)
        await pilot.press("ctrl+c", "ctrl+c")


async def _written_then_rewind(app, pilot, project):
    """A Write approved, then /rewind picked at the first step: the question is up."""
    from harness.ui.tui.rewind_dialog import RewindDialog

    await send(app, pilot, "write notes")
    await until(pilot, lambda: dialog_up(app))
    await pilot.press("y")
    await idle(app, pilot)
    assert (project / "notes.txt").exists()
    await send(app, pilot, "/rewind")
    await until(pilot, lambda: isinstance(app.screen, StepPicker))
    await pilot.press("home", "enter")  # the first step: before the write
    await until(pilot, lambda: isinstance(app.screen, RewindDialog)
                and bool(app.screen.query("#rewind-options")))
    return app.screen


async def test_rewind_asks_first_and_files_restores_only_the_files(project, scripted_server):
    # Issue 17: /rewind asks (files, conversation, both) before restoring; this test used to
    # restore as soon as the step was picked.
    scripted_server.add(tool("Write", {"file_path": "notes.txt", "content": "v1\n"}),
                        text("Written."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _written_then_rewind(app, pilot, project)
        question = widget_text(dialog.query_one("#rewind-question"))
        assert "1 file(s) changed since: notes.txt" in question
        options = widget_text(dialog.query_one("#rewind-options"))
        assert "files" in options and "conversation" in options and "both" in options
        await pilot.press("enter")  # chooses nothing
        assert app.screen is dialog and (project / "notes.txt").exists()
        thread = app.session.thread_id
        await pilot.press("f")
        await until(pilot, lambda: "files restored" in shown(app))
        assert not (project / "notes.txt").exists()
        assert app.session.thread_id == thread and "Written." in shown(app)
        await pilot.press("ctrl+c", "ctrl+c")


async def test_rewind_conversation_forks_at_the_step_and_keeps_the_files(
        project, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "notes.txt", "content": "v1\n"}),
                        text("Written."), text("On the fork."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await _written_then_rewind(app, pilot, project)
        thread = app.session.thread_id
        await pilot.press("c")
        await until(pilot, lambda: app.session.thread_id != thread)
        await until(pilot, lambda: "conversation rewound" in shown(app))
        assert (project / "notes.txt").exists()  # files stay as they are
        assert "Written." not in shown(app) and "write notes" in shown(app)
        assert f"forked {thread}@" in shown(app)
        await send(app, pilot, "go on")
        await idle(app, pilot)
        assert "On the fork." in shown(app)
        sent = json.dumps(scripted_server.message_requests[-1].body["messages"])
        assert "Written." not in sent
        await pilot.press("ctrl+c", "ctrl+c")


async def test_rewind_both_restores_files_and_forks(project, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "notes.txt", "content": "v1\n"}),
                        text("Written."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await _written_then_rewind(app, pilot, project)
        thread = app.session.thread_id
        await pilot.press("b")
        await until(pilot, lambda: "conversation rewound" in shown(app)
                    and "files restored" in shown(app))
        assert not (project / "notes.txt").exists() and app.session.thread_id != thread
        await pilot.press("ctrl+c", "ctrl+c")


async def test_rewind_cancelled_restores_nothing(project, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "notes.txt", "content": "v1\n"}),
                        text("Written."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await _written_then_rewind(app, pilot, project)
        thread = app.session.thread_id
        await pilot.press("escape")
        await until(pilot, lambda: "nothing was restored" in shown(app))
        assert (project / "notes.txt").exists() and app.session.thread_id == thread
        assert app.focused is app.prompt
        await pilot.press("ctrl+c", "ctrl+c")


async def test_compact_summarises_the_thread(project, scripted_server):
    scripted_server.add(text("First."), text("Summary: the user said hello."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "hello")
        await idle(app, pilot)
        await send(app, pilot, "/compact")
        await until(pilot, lambda: "context compacted" in shown(app))
        assert any(e.type == "compaction" for _, e in app.session.history())
        await pilot.press("ctrl+c", "ctrl+c")


async def test_abandoned_threads_are_surfaced_at_start(project, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "x.txt", "content": "x"}))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "old work")
        await until(pilot, lambda: dialog_up(app))
        old = app.session.thread_id
        await pilot.press("ctrl+c", "ctrl+c")
    from harness.store.open import open_store

    store = open_store(None)
    store.update_thread(old, state="abandoned")  # as `harness sessions gc` marks it
    store.close()
    again = real_app(project)
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "wait for a decision (abandoned)" in shown(again))
        assert "old work" in shown(again)
        await pilot.press("ctrl+c", "ctrl+c")


async def test_a_retried_stream_shows_the_answer_once(project, scripted_server):
    answer = Reply((Text("The whole answer, streamed in small pieces."),), chunk_size=3)
    scripted_server.add(StreamCut(answer, after_events=6, error_type="overloaded_error"), answer)
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "go")
        await idle(app, pilot)
        out = shown(app)
        assert out.count("The whole answer") == 1 and "retrying" in out
        await pilot.press("ctrl+c", "ctrl+c")


async def test_command_line_flags_reach_the_session(project, scripted_server):
    from harness.cli import build_parser
    from harness.ui.tui.run import build_app

    args = build_parser().parse_args(["--cwd", str(project), "--permission-mode", "plan",
                                      "--model", "claude-opus-4-1"])
    app = build_app(args)
    app._load_files = False
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session is not None)
        assert app.session.mode == "plan" and app.session.model_name == "claude-opus-4-1"
        assert app.session.project_root == project.resolve()
        await pilot.press("ctrl+c", "ctrl+c")


async def test_running_without_a_sandbox_is_said_in_the_ui(project, scripted_server, monkeypatch):
    monkeypatch.setenv("HARNESS_SANDBOX__ENABLED", "false")
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "sandbox off" in shown(app))
        await pilot.press("ctrl+c", "ctrl+c")


async def test_tab_never_takes_focus_from_the_prompt_and_esc_brings_it_back(
        project, scripted_server):
    scripted_server.add(tool("Read", {"file_path": "src/app.py"}), text("It prints hi."))
    app = HarnessApp(real_app(project).connect, project, history=PromptHistory(None),
                     theme="dark")  # files loaded: @ completes
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "read app.py")
        await idle(app, pilot)
        await until(pilot, lambda: "src/app.py" in app.prompt.files)
        await pilot.press("tab")  # an empty prompt: nothing to complete, focus stays
        assert app.focused is app.prompt
        await pilot.press(*"see @app", "tab")
        assert app.prompt.text == "see @src/app.py " and app.focused is app.prompt
        await pilot.press("tab", "tab", *"now")  # after the completion: still the prompt
        assert app.prompt.text == "see @src/app.py now" and app.focused is app.prompt
        card = next(e.widget for e in app.conversation.entries if e.kind == "tool")
        await pilot.click(card.query_one("CollapsibleTitle"))  # focus elsewhere, by mouse
        assert app.focused is not app.prompt and not card.collapsed
        await pilot.press("escape")
        assert app.focused is app.prompt
        app.conversation.focus()
        await pilot.pause()
        await pilot.press("!")  # typing on another widget goes to the prompt
        assert app.focused is app.prompt and app.prompt.text.endswith("now!")
        await pilot.press("ctrl+o")  # the newest card, without a mouse
        assert card.collapsed
        await pilot.press("ctrl+c", "ctrl+c")


async def test_esc_returns_to_the_prompt_after_a_dialog_is_answered(project, scripted_server):
    scripted_server.add(tool("Write", {"file_path": "n.txt", "content": "x"}), text("Done."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "write n")
        await until(pilot, lambda: dialog_up(app))
        await pilot.press("escape")  # in the dialog Esc is its own (a hint), never a quit
        assert dialog_up(app)
        await pilot.press("y")
        await idle(app, pilot)
        assert app.focused is app.prompt
        await pilot.press(*"next")
        assert app.prompt.text == "next"
        await pilot.press("ctrl+c", "ctrl+c")


async def test_keys_typed_before_the_first_frame_reach_the_prompt(project, scripted_server):
    """Keys queued before the app mounted (and before the session connected) are kept: the
    text lands in the prompt, and an Enter among them sends it once the session is open."""
    import asyncio

    from textual import events

    scripted_server.add(text("Hello early bird."))
    gate = asyncio.Event()
    inner = real_app(project).connect

    async def slow_connect(approver, sink):
        await gate.wait()
        return await inner(approver, sink)

    app = HarnessApp(slow_connect, project, history=PromptHistory(None), theme="dark",
                     load_files=False)
    for ch in "hi there":
        app.post_message(events.Key("space" if ch == " " else ch, ch))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.prompt.text == "hi there")
        assert app.session is None and app.focused is app.prompt
        await pilot.press("enter")
        assert list(app.queue) == ["hi there"]
        gate.set()
        await idle(app, pilot)
        assert "Hello early bird." in shown(app)
        await pilot.press("ctrl+c", "ctrl+c")
    sent = scripted_server.message_requests[-1].body["messages"]
    assert "hi there" in json.dumps(sent)
