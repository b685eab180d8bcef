"""Start-up of `harness --inline`: errors users can meet, the scrollback writer, dumb
terminals."""

from __future__ import annotations

import argparse
import asyncio
import io

from prompt_toolkit.application import Application
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import Layout
from prompt_toolkit.layout.containers import Window
from prompt_toolkit.layout.controls import FormattedTextControl

from harness.config.flags import flags_from_args
from harness.exitcodes import USAGE
from harness.protocol.approver import ApprovalAnswer
from harness.protocol.events import PermissionRequest
from harness.ui.inline.approver import InlineApprover
from harness.ui.inline.output import ScrollbackWriter
from harness.ui.inline.run import run_inline, run_inline_async
from harness.ui.inline.transcript import Transcript
from tests.ui.inline.waiting import wait_for


def _args(**kw) -> argparse.Namespace:
    base = dict(prompt=None, inline=True, vi=False, resume=None, fork=None,
                permission_mode=None, model=None, allow_bypass=False, store=None, cwd=None,
                demo=False, allowed_tools=[], disallowed_tools=[], max_turns=None,
                max_budget_usd=None)
    base.update(kw)
    return argparse.Namespace(**base)


async def test_broken_config_exits_2_with_the_file_and_key(tmp_path, capsys):
    (tmp_path / ".harness").mkdir()
    (tmp_path / ".harness" / "config.toml").write_text("[permissions]\nmode = 'yolo'\n")
    code = await run_inline_async(_args(cwd=str(tmp_path)), write=lambda s: None)
    assert code == USAGE
    err = capsys.readouterr().err
    assert "config.toml" in err and "permissions.mode" in err and "Traceback" not in err


async def test_resume_with_nothing_to_resume_exits_2(tmp_path, capsys):
    code = await run_inline_async(_args(cwd=str(tmp_path), resume=""), write=lambda s: None)
    assert code == USAGE
    assert "no thread to resume" in capsys.readouterr().err


async def test_missing_cwd_exits_2(tmp_path, capsys):
    code = await run_inline_async(_args(cwd=str(tmp_path / "nope")), write=lambda s: None)
    assert code == USAGE and "no such folder" in capsys.readouterr().err


def test_without_a_terminal_it_points_to_headless_mode(capsys):
    # pytest's stdin/stdout are not TTYs.
    assert run_inline(_args()) == USAGE
    assert "harness -p" in capsys.readouterr().err


def test_flags_become_dotted_config_overrides():
    flags = flags_from_args(_args(permission_mode="plan", model="m", allow_bypass=True, vi=True,
                                  allowed_tools=["Bash(ls:*)"]))
    assert flags == {"permissions.mode": "plan", "model.name": "m",
                     "permissions.allow_bypass": True, "ui.vi_mode": True,
                     "permissions.allow": ["Bash(ls:*)"]}


async def test_writer_prints_at_once_without_an_app_and_above_a_running_one(pipe):
    stream = io.StringIO()
    writer = ScrollbackWriter(stream)
    writer.write("first\n")
    assert stream.getvalue() == "first\n"

    kb = KeyBindings()
    kb.add("x")(lambda e: e.app.exit())
    app: Application[None] = Application(
        layout=Layout(Window(FormattedTextControl("status"), height=1)), key_bindings=kb
    )
    task = asyncio.ensure_future(app.run_async())
    await wait_for(lambda: app.is_running)
    writer.write("second\n")
    writer.write("third\n")
    await wait_for(lambda: stream.getvalue() == "first\nsecond\nthird\n")
    pipe.send_text("x")
    await task


async def test_dumb_terminal_takes_the_key_as_a_line(pipe, monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    approver = InlineApprover(Transcript(lambda s: None, color=False))
    pipe.send_text("z\rs\r")
    request = PermissionRequest(call_id="c", tool="Bash", input={"command": "make"})
    assert await approver.answer(request) == ApprovalAnswer.approve("session")
