"""Permission prompts as single keys: the inline front-end's `Approver`.

Keys are the TUI's: y once · s this session · a always in this project · e edit ·
n reject with feedback; a question (AskUser) takes a typed answer. q, Ctrl+C or Ctrl+D
leave the request pending in the thread and quit, so `harness --inline --resume` asks
again. Enter answers nothing: a stray key press must never approve a destructive call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import Layout
from prompt_toolkit.layout.containers import Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.utils import is_dumb_terminal

from harness.protocol.approver import ApprovalAnswer
from harness.protocol.events import PermissionRequest
from harness.ui.describe import describe_call
from harness.ui.inline.render import highlight, highlight_command, highlight_diff
from harness.ui.inline.transcript import Transcript

QUIT_KEYS = ("q", "c-c", "c-d")


@contextlib.asynccontextmanager
async def _no_hold() -> AsyncIterator[None]:
    yield

KEY_LABELS = {
    "y": "yes once",
    "s": "yes this session",
    "a": "always in project",
    "e": "edit",
    "n": "no, say why",
    "q": "decide later",
}


async def read_key(prompt: str, keys: list[str]) -> str | None:
    """Wait for one of `keys` (case-insensitive); None for q / Ctrl+C / Ctrl+D."""
    if is_dumb_terminal():
        return await _read_key_line(prompt, keys)
    kb = KeyBindings()

    def _bind(key: str, result: str | None) -> None:
        @kb.add(key, eager=True)
        def _(event: Any) -> None:
            event.app.exit(result=result)

    for key in keys:
        _bind(key, key)
        if key.isalpha():
            _bind(key.upper(), key)
    for key in QUIT_KEYS:
        _bind(key, None)

    @kb.add("<any>")
    def _ignore(event: Any) -> None:  # Enter, arrows, other letters: not an answer
        pass

    control = FormattedTextControl(FormattedText([("bold", prompt)]), show_cursor=True)
    app: Application[str | None] = Application(
        layout=Layout(Window(control, dont_extend_height=True, wrap_lines=True)),
        key_bindings=kb,
        full_screen=False,
        erase_when_done=True,
    )
    return await app.run_async()


async def _read_key_line(prompt: str, keys: list[str]) -> str | None:
    """A dumb terminal cannot take single keys: type the letter, then Enter."""
    session: PromptSession[str] = PromptSession()
    while True:
        try:
            text = (await session.prompt_async(prompt + "> ")).strip().lower()
        except (EOFError, KeyboardInterrupt):
            return None
        if text == "q":
            return None
        if text in keys:
            return text


def permission_keys(request: PermissionRequest) -> list[str]:
    keys = ["y", "s", "a", "e", "n"]
    if not request.session_scope_allowed:
        keys.remove("s")
    return keys


class InlineApprover:
    """Shows the request above the prompt and returns the human's `ApprovalAnswer`."""

    def __init__(self, transcript: Transcript, *, vi_mode: bool = False) -> None:
        self.transcript = transcript
        self.vi_mode = vi_mode
        self.quit_requested = False  # the human chose to leave the request pending
        # Parallel tool calls (subagents) may ask at once: one prompt at a time.
        self._lock = asyncio.Lock()
        # Set by the app: pauses its turn status line while a prompt owns the keyboard.
        self.hold_terminal: Callable[[], AbstractAsyncContextManager[None]] = _no_hold

    async def answer(self, request: PermissionRequest) -> ApprovalAnswer | None:
        async with self._lock:
            if self.quit_requested:  # the human already chose to quit: leave the rest pending
                return None
            async with self.hold_terminal():
                return await self._answer(request)

    async def _answer(self, request: PermissionRequest) -> ApprovalAnswer | None:
        self.transcript.end_stream()
        self.show(request)
        if request.kind == "question":
            return await self._question(request)
        keys = permission_keys(request)
        menu = " · ".join(f"{k} {KEY_LABELS[k]}" for k in [*keys, "q"])
        while True:
            key = await read_key(f"{menu} ", keys)
            if key is None:
                return self._leave_pending()
            if key in ("y", "s", "a"):
                scope = {"y": "once", "s": "session", "a": "project"}[key]
                self._said(f"approved ({scope})")
                self.transcript.previewed.add(request.call_id)  # its diff was just shown
                return ApprovalAnswer.approve(scope)  # type: ignore[arg-type]
            if key == "e":
                new_input = await self.edit_input(request.input)
                if new_input is not None:
                    self._said("approved with edited input")
                    return ApprovalAnswer.edit(new_input)
            elif key == "n":
                feedback = await self.read_line("feedback for the model (Enter to send): ")
                if feedback is not None:
                    self.transcript.previewed.add(request.call_id)
                    self._said(f"rejected: {feedback}" if feedback else "rejected")
                    return ApprovalAnswer.reject(feedback)

    # --- presentation -----------------------------------------------------------------

    def show(self, request: PermissionRequest) -> None:
        t = self.transcript
        p, color = t.p, t.color
        if request.kind == "question":
            question = str(request.input.get("question", request.preview or request.reason))
            t.write(p("? ", "yellow", "bold") + p(question, "bold") + "\n")
            return
        title = describe_call(request.tool, request.input, t.width - 12)
        t.write(p("? permission: ", "yellow", "bold") + p(title, "bold") + "\n")
        preview = request.preview.rstrip("\n")
        if preview:
            if request.tool == "Bash" or request.category == "shell":
                body = highlight_command(preview, color=color)
            elif preview.startswith(("--- ", "diff ", "@@")):
                body = highlight_diff(preview, color=color)
            else:
                body = highlight(preview, None, color=color)
            t.write("\n".join("    " + line for line in body.split("\n")) + "\n")
        why = request.reason or "this call needs your approval"
        if request.rule:
            why += f" (rule {request.rule})"
        t.write(p(f"  reason: {why}", "dim") + "\n")
        if request.grade == "irreversible":
            t.write(p("  ⚠ irreversible: it cannot be undone with /rewind", "red") + "\n")

    def _said(self, text: str) -> None:
        self.transcript.write(self.transcript.p(f"  ⎿ {text}", "dim") + "\n")

    def _leave_pending(self) -> None:
        self.quit_requested = True
        self._said("left pending; `harness --inline --resume` asks again")
        return None

    # --- typed input ------------------------------------------------------------------

    async def _question(self, request: PermissionRequest) -> ApprovalAnswer | None:
        while True:
            text = await self.read_line("answer> ")
            if text is None:
                return self._leave_pending()
            if text.strip():
                self._said(f"answered: {text}")
                return ApprovalAnswer.reply(text)

    async def read_line(self, message: str) -> str | None:
        """One line of text; None on Ctrl+C or Ctrl+D (the caller decides what that means)."""
        session: PromptSession[str] = PromptSession(vi_mode=self.vi_mode)
        try:
            return await session.prompt_async(message)
        except (EOFError, KeyboardInterrupt):
            return None

    async def edit_input(self, tool_input: dict[str, Any]) -> dict[str, Any] | None:
        """The tool input as JSON in $VISUAL/$EDITOR, or an inline multi-line editor."""
        text = json.dumps(tool_input, indent=2, ensure_ascii=False)
        while True:
            editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
            if editor:
                edited = await self._external_edit(editor, text)
            else:
                edited = await self._inline_edit(text)
            if edited is None:
                return None
            try:
                value = json.loads(edited)
            except json.JSONDecodeError as exc:
                self._said(f"not valid JSON ({exc.msg} at line {exc.lineno}); edit again")
                text = edited
                continue
            if not isinstance(value, dict):
                self._said("the tool input must be a JSON object; edit again")
                text = edited
                continue
            return value

    async def _inline_edit(self, text: str) -> str | None:
        kb = KeyBindings()

        @kb.add("escape", "enter")
        @kb.add("c-s")
        def _save(event: Any) -> None:
            event.current_buffer.validate_and_handle()

        self.transcript.write(
            self.transcript.p("  edit the input; Esc+Enter or Ctrl+S saves, Ctrl+C cancels", "dim")
            + "\n"
        )
        session: PromptSession[str] = PromptSession(
            multiline=True, vi_mode=self.vi_mode, key_bindings=kb
        )
        try:
            return await session.prompt_async("", default=text)
        except (EOFError, KeyboardInterrupt):
            return None

    async def _external_edit(self, editor: str, text: str) -> str | None:
        fd, path = tempfile.mkstemp(prefix="harness-edit-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            code = await asyncio.to_thread(subprocess.call, [*shlex.split(editor), path])
            if code != 0:
                self._said(f"{editor} exited with {code}; the call was not changed")
                return None
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        finally:
            os.unlink(path)
