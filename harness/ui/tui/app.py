"""The TUI application: lays out the widgets, owns the session, routes keys and events.

It holds no agent logic: prompts go to `session.run_prompt`, events come back through the
sink into the Renderer, and asks are answered by the PermissionDialog via TuiApprover.
The session is opened in a worker after the first frame, so the prompt is usable at once.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen

from harness.config.shipped import TUI_STYLES, read_shipped
from harness.exitcodes import USAGE
from harness.ui.history import PromptHistory
from harness.ui.tui.conversation import Conversation
from harness.ui.tui.prompt_input import CompletionMenu, PromptInput
from harness.ui.tui.renderer import KEY_HINT, Renderer, error_text
from harness.ui.tui.status_line import StatusLine
from harness.ui.tui.todo_panel import TodoPanel

if TYPE_CHECKING:  # the protocol (pydantic) loads after the first frame
    from harness.protocol.session import Session, Sink

Connect = Callable[[Any, "Sink"], Awaitable["Session"]]  # (approver, sink) -> the session
READY_FILE_ENV = "HARNESS_TUI_READY_FILE"  # benchmarks: time of the first usable frame
DOUBLE_PRESS_SECONDS = 2.0


def _calm_gc() -> None:
    """Full garbage collections over everything loaded took 30–90 ms here, long enough to
    stall a key press; frozen objects are skipped by them, and rarer young collections
    cost nothing noticeable with a UI's allocation rate. (No collect first: it would cost
    the first frame ~20 ms; what little garbage is frozen with the rest is harmless.)"""
    import gc

    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class TuiApprover:
    """The Approver protocol over the dialog: each ask pushes a PermissionDialog."""

    def __init__(self, app: HarnessApp) -> None:
        self.app = app
        self._waiting: set[asyncio.Future[Any]] = set()

    async def answer(self, request: Any) -> Any:
        if self.app.quitting:
            return None
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.add(future)

        def done(answer: Any) -> None:
            if not future.done():
                future.set_result(answer)

        from harness.ui.tui.permission_dialog import PermissionDialog

        self.app.push_screen(PermissionDialog(request), done)
        self.app.refresh_status()
        try:
            return await future
        finally:
            self._waiting.discard(future)
            if not self.app.quitting:
                self.app.refresh_status()

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    def release_all(self) -> None:
        """Quitting: every open ask returns None, so the request stays pending in the log."""
        for future in list(self._waiting):
            if not future.done():
                future.set_result(None)


class HarnessApp(App[int]):
    # Read through importlib.resources, not CSS_PATH: Textual resolves CSS_PATH against the
    # module's folder, which a zip or a wheel built without the file does not have; a missing
    # stylesheet is then a ShippedFileError naming it, before any screen is drawn.
    CSS = read_shipped(TUI_STYLES)
    TITLE = "harness"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+c", "ctrl_c", "interrupt / quit", priority=True, show=False),
        Binding("ctrl+q", "quit", "quit", priority=True, show=False),
        Binding("shift+tab", "cycle_mode", "cycle mode", priority=True, show=False),
        Binding("escape", "interrupt", "interrupt", show=False),
        Binding("ctrl+t", "toggle_todos", "todos", show=False),
        Binding("ctrl+o", "toggle_last_card", "open the last card", show=False),
    ]

    def __init__(
        self,
        connect: Connect,
        project_root: Path,
        *,
        initial_prompt: str | None = None,
        history: PromptHistory | None = None,
        now: Callable[[], float] = time.time,
        theme: str = "auto",
        load_files: bool = True,
        demo: bool = False,
        initial_text: str = "",
    ) -> None:
        super().__init__()
        self.connect = connect
        self.project_root = project_root
        self.history = history or PromptHistory(None)
        self.now = now
        self.session: Session | None = None
        self.approver = TuiApprover(self)
        self.queue: deque[str] = deque([initial_prompt] if initial_prompt else [])
        self.quitting = False
        self.running = False
        self.exit_code = 0
        self.demo = demo
        self.initial_text = initial_text  # prefilled in the prompt (the demo's task)
        self._theme_setting = theme
        self._load_files = load_files
        self._last_ctrl_c = 0.0
        self.last_key_at = 0.0  # streamed text yields the next frame to a fresh key press
        self._runner: Any = None
        self.farewell = ""  # printed to the terminal once the app has exited (see run.py)
        self._apply_theme(theme)

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.conversation = Conversation(id="conversation")
        self.renderer = Renderer(self.conversation)
        self.todo_panel = TodoPanel(id="todos")
        self.menu = CompletionMenu(id="completion")
        self.prompt = PromptInput(self.history, id="prompt")
        self.prompt.menu = self.menu
        self.status = StatusLine(id="status")
        yield self.conversation
        yield self.todo_panel
        yield self.menu
        yield self.prompt
        yield self.status

    def on_mount(self) -> None:
        # Focused now, not via `focus()` (a callback queued behind keys already waiting):
        # keys typed before the first frame are in the queue and must reach the prompt.
        self.screen.set_focus(self.prompt)
        self.menu.display = False
        self.todo_panel.display = False
        self.status.show(None, "starting the session…")
        self.prompt.placeholder = "Ask anything · Enter sends · Shift+Enter newline · /help"
        if self.initial_text:
            self.prompt.load_text(self.initial_text)
            self.prompt.move_cursor(self.prompt.document.end)
        self.call_after_refresh(self._first_frame)
        self.run_worker(self._open_session(), group="session", exclusive=True)
        if self._load_files:
            self.run_worker(self._load_project_files, thread=True, group="files")

    def _first_frame(self) -> None:
        self.prompt.starting = False
        marker = os.environ.get(READY_FILE_ENV)
        if marker:
            Path(marker).write_text(f"{time.time():.6f}\n")
        _calm_gc()

    def _apply_theme(self, setting: str) -> None:
        if setting == "auto":
            # COLORFGBG="15;0" is set by many terminals; a light background is 7 or 15.
            bg = os.environ.get("COLORFGBG", "").split(";")[-1]
            setting = "light" if bg in ("7", "15") else "dark"
        self.theme = "textual-light" if setting == "light" else "textual-dark"

    def _load_project_files(self) -> None:
        from harness.ui.files import project_files, with_folders

        self.history.load()
        files = with_folders(project_files(self.project_root))
        self.call_from_thread(setattr, self.prompt, "files", files)

    # --- session ----------------------------------------------------------------------

    async def _open_session(self) -> None:
        try:
            session = await self.connect(self.approver, self.session_sink)
        except Exception as exc:  # config, lease, store: shown in the UI, never a traceback
            from harness.agent.errors import open_exit_code

            self.renderer.notice(f"could not start the session: {error_text(str(exc))}", "error")
            self.status.show(None, "no session — fix the problem above, then Ctrl+C twice")
            # Not an opening failure (a bug) is still shown here, and counts as bad usage as
            # it always did in the TUI.
            self.exit_code = open_exit_code(exc) or USAGE
            return
        self.session = session
        _calm_gc()  # the agent, the store and the SDK are loaded now: stop rescanning them
        self.project_root = Path(session.project_root)
        ui = session.ui
        if self._theme_setting == "auto" and ui.theme != "auto":
            self._apply_theme(ui.theme)
        self.conversation.show_thinking = bool(ui.show_thinking)
        self.show_history()
        if not self.demo and not (os.environ.get("ANTHROPIC_API_KEY")
                                  or os.environ.get("ANTHROPIC_AUTH_TOKEN")):
            self.renderer.notice("ANTHROPIC_API_KEY is not set, so the model cannot be "
                                 f"reached. {KEY_HINT}", "error")
            self.renderer.key_hint_shown = True
        for notice in session.notices:
            self.renderer.notice(notice, "warn")
        self._surface_abandoned(list(session.abandoned))
        if session.pending is not None:
            self._start_runner(resume_pending=True)
        elif self.queue:
            self._start_runner()
        else:
            self.refresh_status()

    def _surface_abandoned(self, threads: list) -> None:
        """Threads left waiting for a decision (abandoned, or awaiting longer than
        `sessions.abandon_after`): the session lists them when it opens."""
        if threads:
            titles = ", ".join(f"{t.title or t.thread_id[:12]!r}" for t in threads[:3])
            self.renderer.notice(
                f"{len(threads)} thread(s) in this project still wait for a decision "
                f"(abandoned): {titles}. /sessions opens one.", "warn")

    def show_history(self) -> None:
        self.conversation.clear_entries()
        self.renderer.reset()
        self.renderer.replay(list(self.session.history()))
        self.todo_panel.set_todos(self.session.todos)
        self.refresh_status()

    def session_sink(self, event: Any, seq: int) -> None:
        """The session's sink: called on the loop for every event, stored or stream-only."""
        if self.session is None:
            return  # before open_session returns: history() will show what was stored
        self.renderer.handle(event, seq)
        if event.type == "assistant_delta":
            return
        if self.renderer.todos is not None:
            self.todo_panel.set_todos(self.renderer.todos)
            self.renderer.todos = None
        self.refresh_status()

    def refresh_status(self, state: str | None = None) -> None:
        if state is None:
            if self.approver.waiting:
                state = "waiting for you"
            elif self.running:
                state = "working… Esc interrupts"
            else:
                state = "ready" + (f" · {len(self.queue)} queued" if self.queue else "")
        self.status.show(self.session, state)

    # --- prompts ----------------------------------------------------------------------

    async def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        text = message.text.strip()
        if text.startswith("/") and "\n" not in text:
            from harness.ui.tui.commands import run_command

            await run_command(self, text)
            return
        self.queue.append(message.text)
        if self.session is None:
            self.renderer.notice("queued — it will be sent as soon as the session is ready")
            self.refresh_status("starting the session…")
        elif self.running:
            self.renderer.notice("queued — it will be sent when the current turn ends")
            self.refresh_status()
        else:
            self._start_runner()

    def _start_runner(self, resume_pending: bool = False) -> None:
        self.running = True
        self.refresh_status()
        self._runner = self.run_worker(self._run(resume_pending), group="run", exclusive=True)

    async def _run(self, resume_pending: bool) -> None:
        try:
            if resume_pending:
                await self._one(self.session.continue_pending())
            while self.queue and not self.quitting:
                await self._one(self._send(self.queue.popleft()))
        finally:
            self.running = False
            if not self.quitting:
                self.refresh_status()

    async def _send(self, text: str) -> Any:
        """A `!cmd` (run, no result) or a prompt with its `@path` files attached (the kit)."""
        from harness.ui.user_input import attach_files, shell_command

        command = shell_command(text)
        if command is not None:
            await self.session.run_shell(command)
            return None
        attached = await asyncio.to_thread(
            attach_files, text, self.project_root, self.session.check_read)
        for line in attached.refused:
            self.renderer.notice(line, "warn")
        for line in attached.notes():
            self.renderer.notice(line)
        return await self.session.run_prompt(text, attachments=attached.attachments)

    async def _one(self, run: Awaitable[Any]) -> None:
        errors_before = self.renderer.errors_shown
        try:
            result = await run
        except Exception as exc:  # a bug or an unexpected failure below: say it, keep the UI
            self.renderer.notice(f"the run failed: {self.renderer.explain(str(exc))}", "error")
            return
        if result is None:  # a `!cmd`: its output is already shown
            return
        if result.status == "failed" and self.renderer.errors_shown == errors_before:
            self.renderer.notice(self.renderer.explain(result.error or result.result
                                                       or "the run failed"),
                                 "error")

    # --- keys -------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """A key nobody took while focus is off the prompt (a clicked card, the scroll
        view): printable ones go to the prompt, so typing is never lost on another widget."""
        if isinstance(self.screen, ModalScreen) or self.focused is self.prompt:
            return
        if event.is_printable and event.character:
            event.stop()
            self.screen.set_focus(self.prompt)
            self.prompt.insert(event.character)

    def action_interrupt(self) -> None:
        """Esc: back to the prompt from any widget; in the prompt, interrupt the turn."""
        if isinstance(self.screen, ModalScreen):
            return
        if self.focused is not self.prompt:
            self.screen.set_focus(self.prompt)
            return
        if self.running and self.session is not None:
            self.session.cancel()
            dropped = list(self.queue)
            self.queue.clear()
            if dropped and not self.prompt.text:
                self.prompt.load_text("\n".join(dropped))
            self.refresh_status("interrupting…")

    async def action_ctrl_c(self) -> None:
        now = time.monotonic()
        if now - self._last_ctrl_c <= DOUBLE_PRESS_SECONDS:
            await self.action_quit()
            return
        self._last_ctrl_c = now
        if self.running and not self.approver.waiting:
            self.action_interrupt()
        self.notify("Press Ctrl+C again to quit (the thread is saved).", timeout=2)

    def action_cycle_mode(self) -> None:
        if isinstance(self.screen, ModalScreen):
            self.screen.focus_previous()
            return
        if self.session is None:
            self.notify("the session is still starting", timeout=2)
            return
        self.session.cycle_mode()
        self.refresh_status()

    def action_toggle_last_card(self) -> None:
        """Ctrl+O opens (or closes) the newest tool card: its output without a mouse."""
        from harness.ui.tui.tool_card import ToolCard

        for entry in reversed(self.conversation.entries):
            if isinstance(entry.widget, ToolCard):
                entry.widget.collapsed = not entry.widget.collapsed
                return

    def action_toggle_todos(self) -> None:
        if self.todo_panel.todos:
            self.todo_panel.display = not self.todo_panel.display

    async def action_quit(self) -> None:
        if self.quitting:
            return
        self.quitting = True
        self.status.show(self.session, "saving and quitting…")
        self.approver.release_all()
        session = self.session
        if session is not None:
            if self.running and not self.approver.waiting:
                session.cancel()
            if self._runner is not None:
                try:
                    await asyncio.wait_for(self._runner.wait(), timeout=5)
                except (TimeoutError, Exception):
                    session.cancel()
            # A normal quit exits 0 even with a call pending (exit 3 is the headless
            # contract): the message printed after the app says what waits and how to answer.
            from harness.ui.leaving import session_farewell

            self.farewell = session_farewell(session)
            try:
                await session.close()
            except Exception as exc:  # closing must never keep the user from leaving
                self.log.error(f"session close failed: {exc}")
        self.exit(self.exit_code)
