"""`harness --inline --demo` on the real session, built the way the command builds it
(prepare_demo → session_options → open_session) with the built-in scripted model: the
toolbar names `demo` as the model, and a follow-up after the script says the demo is over
and how to use a real model instead of failing."""

from __future__ import annotations

import asyncio

from harness.agent.session import open_session
from harness.cli import build_parser
from harness.commands.demo import DEMO_TASK, prepare_demo
from harness.exitcodes import DONE
from harness.ui.inline.app import InlineApp
from harness.ui.inline.approver import InlineApprover
from harness.ui.inline.toolbar import toolbar_text
from harness.ui.inline.transcript import Transcript
from harness.ui.launch import session_options
from tests.ui.inline.driver import Driver
from tests.ui.inline.waiting import wait_for


async def test_demo_then_a_follow_up_in_the_inline_front_end(pipe, tmp_path, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    args = prepare_demo(build_parser().parse_args(["--inline", "--demo"]))
    out: list[str] = []
    transcript = Transcript(out.append, color=False)
    approver = InlineApprover(transcript)
    session = await open_session(session_options(args, "inline"), approver=approver,
                                 sink=transcript)
    app = InlineApp(session, transcript, approver, patch=False,
                    initial_text=args.prompt_default)
    d = Driver(pipe, session.project_root)  # only its key and wait helpers
    d.session, d.app, d.out = session, app, out
    d.task = asyncio.ensure_future(app.run())

    assert args.prompt_default == DEMO_TASK
    assert session.model_name == "demo" and " demo " in toolbar_text(session)
    await d.at_prompt()
    pipe.send_text("\r")  # the demo task is ready on the prompt line
    for asks in (1, 2):  # the edit, then the command
        await wait_for(lambda n=asks: d.text.count("? permission") >= n, 30)
        pipe.send_text("y")
    await d.until("That was the whole loop")
    await d.type("now write tests for it")
    await d.until("plays the demo again")
    assert "ANTHROPIC_API_KEY" in d.text and "error" not in d.text.lower()
    assert " demo " in toolbar_text(session)
    assert await d.finish() == DONE
