"""Slash commands of the inline prompt. Each one calls the session's public API and prints
the outcome as lines; pickers are numbered lists answered on the prompt line."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from harness.model.pricing import cost_line
from harness.protocol.kinds import MODES
from harness.ui.describe import describe_call
from harness.ui.formatting import age, human_tokens
from harness.ui.slash import SLASH_COMMANDS

if TYPE_CHECKING:
    from harness.ui.inline.app import InlineApp

KEYS_HELP = """\
keys: Enter send · Esc+Enter or Ctrl+J newline · Tab complete · @path attach a file
      !cmd run a shell command yourself (sandboxed; the model sees it with your next prompt)
      Shift+Tab cycle mode · Esc or Ctrl+C interrupt a turn · Ctrl+D or /quit leave
asks: y once · s this session · a always in this project · e edit · n reject with feedback
      q (or Ctrl+C / Ctrl+D) leave it pending and quit; `harness --inline --resume` asks again"""


class SlashCommands:
    def __init__(self, app: InlineApp) -> None:
        self.app = app

    @property
    def session(self) -> Any:
        return self.app.session

    def say(self, text: str, *styles: str) -> None:
        self.app.transcript.note(text, *styles)

    @staticmethod
    def is_command(text: str) -> bool:
        """`/help` is a command; `/etc/hosts looks wrong` is a prompt about a path."""
        words = text.strip().split(maxsplit=1)
        if not words or not words[0].startswith("/"):
            return False
        return words[0] in SLASH_COMMANDS or "/" not in words[0][1:]

    async def run(self, line: str) -> None:
        name, _, arg = line.partition(" ")
        arg = arg.strip()
        handler = getattr(self, "cmd_" + name.lstrip("/").lower(), None)
        if handler is None or name not in SLASH_COMMANDS:
            close = [c for c in SLASH_COMMANDS if c.startswith(name[:3])]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            self.say(f"unknown command {name}{hint}; /help lists them", "red")
            return
        try:
            await handler(arg)
        except Exception as exc:  # shown, never a traceback: the thread stays usable
            self.say(f"✗ {name}: {exc}", "red")

    async def choose(self, prompt: str) -> str | None:
        text = await self.app.approver.read_line(prompt)
        return None if text is None else text.strip()

    # --- commands ---------------------------------------------------------------------

    async def cmd_help(self, arg: str) -> None:
        width = max(len(c) for c in SLASH_COMMANDS)
        lines = [f"  {c.ljust(width)}  {h}" for c, h in SLASH_COMMANDS.items()]
        self.say("commands:\n" + "\n".join(lines) + "\n" + KEYS_HELP)

    async def cmd_quit(self, arg: str) -> None:
        self.app.quit = True

    async def cmd_mode(self, arg: str) -> None:
        if not arg:
            self.say(f"mode: {self.session.mode} (choose one of {', '.join(MODES)})")
            return
        if arg not in MODES:
            self.say(f"no mode {arg!r}; choose one of {', '.join(MODES)}", "red")
            return
        self.session.set_mode(arg)

    async def cmd_model(self, arg: str) -> None:
        if not arg:
            self.say(f"model: {self.session.model_name}")
            return
        try:
            self.session.set_model(arg)
        except ValueError as exc:
            self.say(str(exc), "red")
            return
        self.say(f"model: {self.session.model_name}")

    async def cmd_cost(self, arg: str) -> None:
        s = self.session
        u = s.usage
        window = max(1, s.context_window)
        ctx = s.context_tokens
        self.say(
            f"{cost_line(s.cost_usd, s.unpriced_models)}{s.spend.split_text()}"
            f" · {s.num_turns} turns"
            f" · input {human_tokens(u.input_tokens)} · output {human_tokens(u.output_tokens)}"
            " · cache write "
            f"{human_tokens(u.cache_creation_input_tokens)} · cache read "
            f"{human_tokens(u.cache_read_input_tokens)} · context {human_tokens(ctx)}"
            f" ({100 * ctx / window:.0f}% of {human_tokens(window)})"
        )

    async def cmd_clear(self, arg: str) -> None:
        from prompt_toolkit.shortcuts import clear

        # As in the TUI: a new conversation (the old thread stays saved), the view emptied.
        old = self.session.thread_id
        await self.session.new_thread()
        clear()
        self.app.transcript.reset()
        saved = f"; the previous thread {old} is saved (/resume lists it)" if old else ""
        self.say(f"new conversation{saved}", "dim")

    async def cmd_compact(self, arg: str) -> None:
        await self.app.run_turn(self.session.compact())

    async def cmd_sessions(self, arg: str) -> None:
        threads = self._threads()
        if not threads:
            self.say("no threads in this project yet")
        for i, t in enumerate(threads, 1):
            self.say(self._thread_line(i, t))

    async def cmd_resume(self, arg: str) -> None:
        target = arg
        if not target:
            threads = self._threads()
            others = [t for t in threads if t.thread_id != self.session.thread_id]
            if not others:
                self.say("no other thread in this project to resume")
                return
            for i, t in enumerate(others, 1):
                self.say(self._thread_line(i, t))
            picked = await self.choose("resume which? (number or id, Enter cancels) ")
            if not picked:
                return
            target = others[int(picked) - 1].thread_id if picked.isdigit() else picked
            if picked.isdigit() and not 1 <= int(picked) <= len(others):
                self.say(f"no thread number {picked}", "red")
                return
        await self.session.switch_to(target)
        self.say(f"── thread {self.session.thread_id} ──", "bold")
        self.app.transcript.replay(self.session.history())
        for notice in self.session.thread_notices:  # outcome-unknown calls
            self.say(notice, "yellow")
        if self.session.pending is not None:
            await self.app.run_turn(self.session.continue_pending())

    async def cmd_fork(self, arg: str) -> None:
        seq = await self._pick_step(arg, "fork from which step? (seq, Enter = the latest) ",
                                    enter_means_latest=True)
        if seq is False:
            return
        parent = self.session.thread_id
        new_id = await self.session.fork(seq)
        at = f"@{seq}" if seq is not None else ""
        self.say(f"forked {parent}{at} → now on thread {new_id}", "green")

    async def cmd_rewind(self, arg: str) -> None:
        from harness.ui.rewind import (
            REWIND_OPTIONS,
            apply_rewind,
            choice_for,
            files_changed_after,
            rewind_question,
        )

        seq = await self._pick_step(arg, "rewind to which step? (seq, Enter cancels) ")
        if seq is False or seq is None:
            return
        changed = files_changed_after(self.session.history(), seq)
        self.say(rewind_question(seq, changed, self._relative), "bold")
        for option in REWIND_OPTIONS:
            self.say(f"  {option.key}  {option.label}")
        answer = await self.choose("rewind what? (f, c or b; Enter cancels) ") or ""
        choice = choice_for(answer)
        if choice is None:
            self.say("/rewind cancelled; nothing was restored" if not answer else
                     f"{answer!r} is not f, c or b; nothing was restored", "yellow")
            return
        outcome = await apply_rewind(self.session, seq, choice)
        for line in outcome.lines(self._relative):
            self.say(line, "green")

    # --- helpers ----------------------------------------------------------------------

    def _threads(self) -> list[Any]:
        return self.session.list_threads()

    def _relative(self, path: str) -> str:
        from pathlib import Path

        try:
            return str(Path(path).relative_to(self.session.project_root))
        except ValueError:
            return path

    def _thread_line(self, i: int, t: Any) -> str:
        here = " ← current" if t.thread_id == self.session.thread_id else ""
        state = t.state.upper() if t.state == "abandoned" else t.state
        title = t.title or "(untitled)"
        ago = age(time.time() - t.updated_at)
        return f"  {i:>2}. {t.thread_id}  {title[:50]}  · {state} · {ago}{here}"

    async def _pick_step(
        self, arg: str, prompt: str, *, enter_means_latest: bool = False
    ) -> int | bool | None:
        """A step's seq from the argument or from a list; None = latest; False = cancelled."""
        if not arg:
            steps = [
                (seq, e) for seq, e in self.session.history()
                if e.type in ("user_message", "tool_call")
            ][-20:]
            for seq, e in steps:
                if e.type == "user_message":
                    label = "> " + " ".join(e.text.split())[:70]
                else:
                    label = "  " + describe_call(e.tool, e.input, 70)
                self.say(f"  {seq:>5}  {label}")
            arg = await self.choose(prompt) or ""
            if not arg:
                return None if enter_means_latest else False
        if not arg.isdigit():
            self.say(f"{arg!r} is not a step number (a seq from the list)", "red")
            return False
        return int(arg)
