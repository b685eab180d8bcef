"""The inline front-end's main loop: a prompt-toolkit input line in the normal scrollback,
turns run below it with a one-line status that turns Esc / Ctrl+C into `session.cancel()`.

Holds no agent logic: prompts go to `session.run_prompt`, events come back through the
`Transcript` sink, and asks are answered by the `InlineApprover`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application
from prompt_toolkit.filters import emacs_mode, has_completions
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import Layout
from prompt_toolkit.layout.containers import Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.utils import is_dumb_terminal

from harness.exitcodes import AWAITING, DONE
from harness.protocol.session import Session
from harness.ui.inline.approver import InlineApprover
from harness.ui.inline.commands import SlashCommands
from harness.ui.inline.completion import InlineCompleter
from harness.ui.inline.history import project_history
from harness.ui.inline.toolbar import toolbar_fragments
from harness.ui.inline.transcript import Transcript
from harness.ui.user_input import attach_files, shell_command

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def prompt_bindings(on_cycle_mode: Any) -> KeyBindings:
    """Enter sends (also right after picking a completion; on a folder it opens the folder);
    Esc+Enter (Emacs) and Ctrl+J add a newline; Shift+Tab cycles the mode."""
    kb = KeyBindings()

    @kb.add("enter", filter=has_completions)
    def _take_completion(event: Any) -> None:
        buf = event.current_buffer
        state = buf.complete_state
        if state and state.current_completion:
            completion = state.current_completion
            buf.apply_completion(completion)
            if completion.text.endswith("/"):  # a folder: go on into it, one level at a time
                buf.start_completion(select_first=False)
            else:  # a file or a command: one Enter takes it and sends the line
                buf.validate_and_handle()
        else:
            buf.cancel_completion()
            buf.validate_and_handle()

    @kb.add("escape", "enter", filter=emacs_mode)
    @kb.add("c-j")
    def _newline(event: Any) -> None:
        event.current_buffer.insert_text("\n")

    @kb.add("s-tab")
    def _cycle(event: Any) -> None:
        on_cycle_mode()
        event.app.invalidate()

    return kb


class InlineApp:
    """One interactive inline session on an already opened `Session`."""

    def __init__(
        self,
        session: Session,
        transcript: Transcript,
        approver: InlineApprover,
        *,
        vi_mode: bool = False,
        patch: bool = True,
        history: Any = None,
        initial_text: str = "",
        notices: Sequence[str] = (),
    ) -> None:
        self.session = session
        self.transcript = transcript
        self.approver = approver
        self.vi_mode = vi_mode
        self.patch = patch
        self.quit = False
        self.commands = SlashCommands(self)
        self.completer = InlineCompleter(session.project_root)
        self.prompt = PromptSession(
            message=FormattedText([("bold", "› ")]),
            history=history if history is not None else project_history(session.project_root),
            completer=self.completer,
            complete_while_typing=True,
            vi_mode=vi_mode,
            key_bindings=prompt_bindings(self._cycle_mode),
            bottom_toolbar=lambda: toolbar_fragments(self.session),
            prompt_continuation=lambda width, line_number, wrap_count: " " * (width - 2) + "┊ ",
            enable_history_search=False,
        )
        self._watcher: Application[None] | None = None
        self._watcher_task: asyncio.Task[None] | None = None
        self._turn: asyncio.Task[Any] | None = None
        self._cancelling = False
        self._cancel_task = False
        self._last_interrupt = 0.0
        self._typeahead = initial_text  # e.g. the --demo task, ready to send with Enter
        self._notices = list(notices)  # the front-end's own start-up notices (no API key)
        approver.hold_terminal = self.hold_terminal

    # --- main loop --------------------------------------------------------------------

    async def run(self) -> int:
        ctx = patch_stdout(raw=True) if self.patch else contextlib.nullcontext()
        with ctx:
            self.transcript.replay(self.session.history())
            self.transcript.note(
                f"thread {self.session.thread_id or '(new)'} · {self.session.model_name} · "
                f"mode {self.session.mode} · /help for commands",
                "dim",
            )
            for notice in [*self._notices, *self.session.notices]:
                self.transcript.note(notice, "yellow")
            for t in self.session.abandoned[:5]:
                self.transcript.note(
                    f"waiting for you: thread {t.thread_id} ({t.state}) {t.title or ''} "
                    "· /resume to pick it up", "yellow")
            if self.session.pending is not None:
                await self.run_turn(self.session.continue_pending())
            while not (self.quit or self.approver.quit_requested):
                text = await self.read_input()
                if text is None:
                    break
                if not text.strip():
                    continue
                if self.commands.is_command(text):
                    await self.commands.run(text.strip())
                elif (command := shell_command(text)) is not None:
                    await self.run_turn(self.session.run_shell(command), own_task=True)
                else:
                    await self.send(text)
        return AWAITING if self.approver.quit_requested else DONE

    async def read_input(self) -> str | None:
        """The next prompt; None means quit (Ctrl+D, or Ctrl+C twice on an empty line)."""
        while True:
            try:
                default, self._typeahead = self._typeahead, ""
                text = await self.prompt.prompt_async(default=default)
                self._last_interrupt = 0.0
                return text
            except EOFError:
                return None
            except KeyboardInterrupt:
                now = time.monotonic()
                if now - self._last_interrupt < 2.0:
                    return None
                self._last_interrupt = now
                self.transcript.note("(Ctrl+C again or Ctrl+D to quit; the thread is saved)", "dim")

    def _cycle_mode(self) -> None:
        self.session.cycle_mode()

    # --- running a turn ---------------------------------------------------------------

    async def send(self, text: str) -> Any:
        """A prompt, with the files its `@path` mentions name attached (or refused, said)."""
        attached = await asyncio.to_thread(
            attach_files, text, self.session.project_root, self.session.check_read
        )
        for refusal in attached.refused:
            self.transcript.note(refusal, "yellow")
        for line in attached.notes():
            self.transcript.note(line, "dim")
        return await self.run_turn(
            self.session.run_prompt(text, attachments=attached.attachments)
        )

    async def run_turn(self, work: Awaitable[Any], *, own_task: bool = False) -> Any:
        """Await `work` (a run, a resume, a compaction) with Esc/Ctrl+C wired to cancel;
        `own_task`: work the session cannot cancel (a `!` command), so Esc cancels the task."""
        self._turn = asyncio.ensure_future(work)
        self._cancel_task = own_task
        self._cancelling = False
        seen_result = self.transcript.results_seen
        self._start_watcher()
        try:
            result = await self._turn
        except asyncio.CancelledError:
            if not own_task or asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise
            self.transcript.note("⏹ command interrupted", "yellow")
            return None
        except Exception as exc:  # a bug or an unexpected failure: say it, keep the thread
            self.transcript.note(f"✗ {type(exc).__name__}: {exc}", "red")
            return None
        finally:
            self._turn = None
            await self._stop_watcher()
        self.transcript.end_stream()
        if result is not None and self.transcript.results_seen == seen_result:
            self._report(result)
        return result

    def _report(self, result: Any) -> None:
        status = getattr(result, "status", None)
        if status == "cancelled":
            self.transcript.note("⏹ cancelled; the thread is saved", "yellow")
        elif status == "failed":
            self.transcript.note(f"■ failed: {getattr(result, 'error', '') or ''}", "red")
        elif status == "limit":
            self.transcript.note("■ stopped: a limit was reached", "yellow")

    def cancel_turn(self) -> None:
        if self._turn is not None and not self._turn.done() and not self._cancelling:
            self._cancelling = True
            if self._cancel_task:
                self._turn.cancel()
            else:
                self.session.cancel()

    def _status(self) -> FormattedText:
        frame = _SPINNER[int(time.monotonic() * 10) % len(_SPINNER)]
        if self._cancelling:
            return FormattedText([("fg:ansiyellow", f"{frame} interrupting…")])
        parts = [("", f"{frame} working… "), ("fg:ansibrightblack", "(esc to interrupt)")]
        if self._typeahead:
            parts.append(("", f"  › {self._typeahead}"))
        return FormattedText(parts)

    def _start_watcher(self) -> None:
        if self._turn is None or self._turn.done() or self._watcher is not None:
            return
        if is_dumb_terminal():  # no status line there; Ctrl+C arrives as SIGINT instead
            self._watch_sigint(True)
            return
        kb = KeyBindings()

        @kb.add("escape", eager=True)
        @kb.add("c-c", eager=True)
        def _cancel(event: Any) -> None:
            self.cancel_turn()

        @kb.add("<any>")
        def _type_ahead(event: Any) -> None:
            # Keys typed during a turn become the start of the next prompt; they must never
            # answer a permission prompt that appears later.
            data = event.data
            if data in ("\x7f", "\x08"):
                self._typeahead = self._typeahead[:-1]
            elif data.isprintable():
                self._typeahead += data

        self._watcher = Application(
            layout=Layout(Window(FormattedTextControl(self._status), height=1)),
            key_bindings=kb,
            full_screen=False,
            erase_when_done=True,
            refresh_interval=0.1,
        )
        self._watcher_task = asyncio.ensure_future(self._watcher.run_async())

    def _watch_sigint(self, on: bool) -> None:
        loop = asyncio.get_running_loop()
        try:
            if on:
                loop.add_signal_handler(signal.SIGINT, self.cancel_turn)
            else:
                loop.remove_signal_handler(signal.SIGINT)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass

    async def _stop_watcher(self) -> None:
        if is_dumb_terminal():
            self._watch_sigint(False)
        app, task = self._watcher, self._watcher_task
        self._watcher = self._watcher_task = None
        if app is None or task is None:
            return
        if not task.done():
            # The app may not have started its loop yet; wait until it can take exit().
            while not app.is_running and not task.done():
                await asyncio.sleep(0.005)
            if app.is_running and not app.future.done():  # type: ignore[union-attr]
                app.exit()
        with contextlib.suppress(Exception):
            await task

    @contextlib.asynccontextmanager
    async def hold_terminal(self) -> AsyncIterator[None]:
        """The approver needs the keyboard: pause the turn status line, then bring it back."""
        await self._stop_watcher()
        try:
            yield
        finally:
            self._start_watcher()

