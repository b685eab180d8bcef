"""Slash commands typed in the prompt; each maps to one session call or one picker."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from harness.model.pricing import cost_line
from harness.protocol.kinds import MODES
from harness.ui.formatting import human_tokens
from harness.ui.slash import SLASH_COMMANDS
from harness.ui.tui.session_picker import StepPicker, ThreadPicker, steps_of

if TYPE_CHECKING:
    from harness.ui.tui.app import HarnessApp


HELP = """Keys: Enter send · Shift+Enter or Ctrl+J newline · ↑/↓ history · Tab complete \
/commands and @files · Esc interrupt (or back to the prompt) · Shift+Tab cycle mode · \
Ctrl+O open the last tool card · Ctrl+T todos · Ctrl+C twice quit (the thread is saved).
In a permission dialog: y approve once · s for this session · a always in this project · \
e edit the input · n reject with feedback.
Commands:
""" + "\n".join(f"  {name:<10} {text}" for name, text in SLASH_COMMANDS.items())


async def run_command(app: HarnessApp, line: str) -> None:
    name, _, arg = line.strip().partition(" ")
    arg = arg.strip()
    handler = _COMMANDS.get(name)
    if handler is None:
        app.renderer.notice(f"unknown command {name}; /help lists them", "warn")
        return
    if name not in ("/help", "/quit", "/clear") and app.session is None:
        app.renderer.notice(f"{name}: the session is still starting; try again in a moment",
                            "warn")
        return
    await handler(app, arg)


async def _help(app: HarnessApp, arg: str) -> None:
    app.renderer.notice(HELP)


async def _mode(app: HarnessApp, arg: str) -> None:
    session = app.session
    if not arg:
        app.renderer.notice(f"mode: {session.mode} (Shift+Tab cycles; /mode NAME sets: "
                            f"{', '.join(MODES)})")
        return
    if arg not in MODES:
        app.renderer.notice(f"unknown mode {arg!r}; use one of {', '.join(MODES)}", "warn")
        return
    try:
        session.set_mode(arg)
    except Exception as exc:  # e.g. bypass not enabled
        app.renderer.notice(str(exc), "warn")
    app.refresh_status()


async def _model(app: HarnessApp, arg: str) -> None:
    session = app.session
    if not arg:
        app.renderer.notice(f"model: {session.model_name} (/model NAME switches)")
        return
    if _busy(app, "/model"):
        return
    try:
        session.set_model(arg)
    except ValueError as exc:
        app.renderer.notice(str(exc), "warn")
    app.refresh_status()


async def _cost(app: HarnessApp, arg: str) -> None:
    s = app.session
    u = s.usage
    app.renderer.notice(
        f"this thread (sub-agents included): {human_tokens(u.input_tokens)} in · "
        f"{human_tokens(u.output_tokens)} out · "
        f"{human_tokens(u.cache_read_input_tokens)} cache read · "
        f"{human_tokens(u.cache_creation_input_tokens)} cache write · "
        f"{cost_line(s.cost_usd, s.unpriced_models)}{s.spend.split_text()} · "
        f"{s.num_turns} turns · context "
        f"{human_tokens(s.context_tokens)}/{human_tokens(s.context_window)}"
    )


async def _clear(app: HarnessApp, arg: str) -> None:
    session = app.session
    if _busy(app, "/clear"):
        return
    old = session.thread_id
    await session.new_thread()
    app.show_history()
    saved = f"; the previous thread {old} is saved (/resume)" if old else ""
    app.renderer.notice(f"new conversation{saved}")


async def _compact(app: HarnessApp, arg: str) -> None:
    if _busy(app, "/compact"):
        return
    app.refresh_status("compacting…")
    try:
        await app.session.compact()
    except Exception as exc:
        app.renderer.notice(f"/compact failed: {exc}", "error")
    app.refresh_status()


def _busy(app: HarnessApp, name: str) -> bool:
    if app.running:
        app.renderer.notice(f"{name}: a turn is running; wait for it or press Esc first", "warn")
        return True
    return False


def _threads(app: HarnessApp) -> list[Any]:
    return list(app.session.list_threads())


async def _resume(app: HarnessApp, arg: str) -> None:
    if _busy(app, "/resume"):
        return
    try:
        threads = _threads(app)
    except Exception as exc:
        app.renderer.notice(f"could not list threads: {exc}", "error")
        return
    picker = ThreadPicker(threads, app.now(), current=app.session.thread_id)

    async def chosen(thread_id: str | None) -> None:
        if not thread_id or thread_id == app.session.thread_id:
            return
        try:
            await app.session.switch_to(thread_id)
        except Exception as exc:  # e.g. the lease is held by another process
            app.renderer.notice(f"could not open {thread_id}: {exc}", "error")
            return
        app.show_history()
        app.renderer.notice(f"resumed thread {thread_id}")
        for notice in app.session.thread_notices:  # outcome-unknown calls
            app.renderer.notice(notice, "warn")
        if app.session.pending is not None:
            app._start_runner(resume_pending=True)

    app.push_screen(picker, chosen)


async def _pick_step(app: HarnessApp, title: str, then: Any) -> None:
    steps = steps_of(list(app.session.history()))
    app.push_screen(StepPicker(steps, title), then)


async def _fork(app: HarnessApp, arg: str) -> None:
    if _busy(app, "/fork"):
        return
    old = app.session.thread_id

    async def chosen(seq: int | None) -> None:
        if seq is None:
            return
        try:
            new = await app.session.fork(seq)
        except Exception as exc:
            app.renderer.notice(f"/fork failed: {exc}", "error")
            return
        app.show_history()
        app.renderer.notice(f"forked {old}@{seq} → new thread {new}; continue from here")

    await _pick_step(app, "Fork from which step? (a new thread continues from it)", chosen)


async def _rewind(app: HarnessApp, arg: str) -> None:
    """Pick a step, then say what to rewind (ui/rewind.py): nothing happens before that."""
    from harness.ui.rewind import apply_rewind, files_changed_after, rewind_question
    from harness.ui.tui.rewind_dialog import RewindDialog

    if _busy(app, "/rewind"):
        return
    session = app.session

    def relative(path: str) -> str:
        from pathlib import Path

        try:
            return str(Path(path).relative_to(session.project_root))
        except ValueError:
            return path

    async def chosen(seq: int | None) -> None:
        if seq is None:
            return
        changed = files_changed_after(list(session.history()), seq)
        app.push_screen(RewindDialog(rewind_question(seq, changed, relative)),
                        functools.partial(answered, seq))

    async def answered(seq: int, choice: Any) -> None:
        if choice is None:
            app.renderer.notice("/rewind cancelled; nothing was restored")
            return
        try:
            outcome = await apply_rewind(session, seq, choice)
        except Exception as exc:
            app.renderer.notice(f"/rewind failed: {exc}", "error")
            return
        if outcome.new_thread:
            app.show_history()
        for line in outcome.lines(relative):
            app.renderer.notice(line)

    await _pick_step(app, "Rewind to which step? (then: files, conversation or both)", chosen)


async def _quit(app: HarnessApp, arg: str) -> None:
    await app.action_quit()


_COMMANDS = {
    "/help": _help, "/mode": _mode, "/model": _model, "/resume": _resume, "/fork": _fork,
    "/sessions": _resume, "/compact": _compact, "/cost": _cost, "/clear": _clear,
    "/rewind": _rewind, "/quit": _quit,
}
