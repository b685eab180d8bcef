"""The TUI's `@path` and `!cmd` hooks on the real AgentSession and the scripted Messages-API
server (the logic is the kit's, harness/ui/user_input.py): a file attached, a secret
refused, a shell command run without an ask and handed to the model with the next prompt,
and `@` completion going into folders."""

from __future__ import annotations

import time

from harness.model.script import text
from harness.ui.history import PromptHistory
from harness.ui.tui.app import HarnessApp
from tests.ui.tui.test_session import SIZE, idle, real_app, send, shown, until


async def test_bang_then_at_path_reach_the_model_and_secrets_stay_out(project, scripted_server):
    (project / ".env").write_text("TOKEN=never-sent\n")
    scripted_server.add(text("Got both."))
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "!echo shell-said-this")
        await idle(app, pilot)
        out = shown(app)
        assert "! echo shell-said-this" in out and "shell-said-this\n" in out
        assert "the model sees this with your next prompt" in out
        assert not scripted_server.message_requests
        await send(app, pilot, "look at @src/app.py and @.env")
        await idle(app, pilot)
        out = shown(app)
        assert "📎 attached src/app.py" in out and "@.env not attached:" in out
        assert "Got both." in out
        await pilot.press("ctrl+c", "ctrl+c")
    sent = str(scripted_server.message_requests[-1].body["messages"])
    assert "shell-said-this" in sent and '<attached_file path="src/app.py">' in sent
    assert "never-sent" not in sent


async def test_at_completion_goes_into_folders(project, scripted_server):
    (project / "src" / "pkg").mkdir()
    (project / "src" / "pkg" / "mod.py").write_text("")

    async def connect(approver, sink):
        from harness.agent.session import SessionOptions, open_session

        opts = SessionOptions(project_root=project, front_end="tui")
        return await open_session(opts, approver=approver, sink=sink)

    app = HarnessApp(connect, project, history=PromptHistory(None), theme="dark")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "src/pkg/" in app.prompt.files)
        app.prompt.focus()
        await pilot.press(*"see @sr")
        await until(pilot, lambda: app.prompt._values[:1] == ["@src/"])
        await pilot.press("tab")
        await until(pilot, lambda: app.prompt.text == "see @src/")
        await until(pilot, lambda: "@src/pkg/" in app.prompt._values)
        assert "@src/" not in app.prompt._values  # the folder typed is not offered again
        await pilot.press("ctrl+c", "ctrl+c")


async def test_the_long_key_hint_is_shown_once_not_with_every_prompt(
        project, scripted_server, monkeypatch):
    from harness.ui.tui.renderer import KEY_HINT

    monkeypatch.delenv("ANTHROPIC_API_KEY")
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ANTHROPIC_API_KEY is not set" in shown(app))
        for prompt in ("hello?", "still there?"):
            await send(app, pilot, prompt)
            await idle(app, pilot)
        out = shown(app)
        assert out.count(KEY_HINT) == 1
        assert out.count("ANTHROPIC_API_KEY is not set; export it") == 2  # each failure said
        await pilot.press("ctrl+c", "ctrl+c")


async def test_esc_interrupts_a_running_bang_command_and_says_so(project, scripted_server):
    started = project / "started"
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, f"!touch {started} && sleep 60 && touch finished")
        await until(pilot, lambda: started.exists() and app.running)
        t0 = time.monotonic()
        await pilot.press("escape")
        await idle(app, pilot)
        assert time.monotonic() - t0 < 20  # not the 60 s sleep, nor the 120 s timeout
        assert "interrupted before it finished" in shown(app)
        shells = [e for _, e in app.session.history() if e.type == "user_shell"]
        assert len(shells) == 1 and shells[0].is_error and shells[0].exit_code is None
        await pilot.press("ctrl+c", "ctrl+c")
    assert not (project / "finished").exists()
    assert not scripted_server.message_requests
