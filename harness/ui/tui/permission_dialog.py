"""The permission dialog: what will run, why it was asked, and the answers on keys.

Keys match the inline prompt: y once · s this session · a always in this project ·
e edit the input · n reject with feedback; a question (AskUser) gets an answer field.
Focus starts on the preview (a scroll area), so a stray Enter approves nothing.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from harness.ui.tui.tool_card import EDIT_TOOLS, diff_renderable, looks_like_diff

GRADE_STYLE = {"reversible": "green", "recoverable": "yellow", "irreversible": "bold red"}


def preview_renderable(request: Any) -> RenderableType:
    preview = (request.preview or "").rstrip("\n")
    if not preview:
        preview = json.dumps(request.input, indent=2, ensure_ascii=False)
        return Syntax(preview, "json", theme="ansi_dark", background_color="default",
                      word_wrap=True)
    if request.tool in EDIT_TOOLS or looks_like_diff(preview):
        return diff_renderable(preview)
    if request.tool == "Bash":
        return Syntax(preview, "bash", theme="ansi_dark", background_color="default",
                      word_wrap=True)
    return Text(preview)


def headline(request: Any) -> str:
    if request.kind == "question":
        return "The model asks you"
    target = request.input.get("file_path") or request.input.get("path") or ""
    verbs = {"Bash": "run a command", "Edit": f"edit {target}", "MultiEdit": f"edit {target}",
             "Write": f"write {target}", "GitPush": "push", "GitCommit": "commit"}
    return f"{request.tool} wants to {verbs.get(request.tool, 'run')}".rstrip()


def _key_line(lead: str, keys: list[tuple[str, str]]) -> Text:
    text = Text(lead, style="bold")
    for i, (key, label) in enumerate(keys):
        if i:
            text.append("   ")
        text.append(f" {key} ", style="bold reverse")
        text.append(f" {label}")
    return text


class PermissionDialog(ModalScreen[Any]):
    """Dismisses with an ApprovalAnswer, or None when the app quits while it waits."""

    BINDINGS = [
        Binding("y", "approve('once')", "approve once", show=False),
        Binding("s", "approve('session')", "approve for session", show=False),
        Binding("a", "approve('project')", "always in project", show=False),
        Binding("e", "edit", "edit input", show=False),
        Binding("n", "reject", "reject", show=False),
        Binding("escape", "back", "back", show=False),
        Binding("ctrl+s", "send_edit", "send the edited input", show=False),
    ]

    def __init__(self, request: Any) -> None:
        super().__init__(classes="permission")
        self.request = request
        self.state = "answer" if request.kind == "question" else "choose"

    def compose(self) -> ComposeResult:
        r = self.request
        with Vertical(id="dialog"):
            yield Static(Text(headline(r), style="bold"), id="headline")
            if r.kind == "question":
                question = r.input.get("question") or r.preview or ""
                yield Static(Text(str(question)), id="question")
            else:
                with VerticalScroll(id="preview"):
                    yield Static(preview_renderable(r))
            yield Static(self._why(), id="why")
            yield Input(placeholder="your answer — Enter sends", id="answer")
            yield TextArea(json.dumps(r.input, indent=2, ensure_ascii=False),
                           id="edit", soft_wrap=True)
            yield Input(placeholder="why not? (goes back to the model) — Enter sends",
                        id="feedback")
            yield Static(self._keys(), id="keys")
            yield Static("", id="hint")

    def _why(self) -> Text:
        r = self.request
        text = Text()
        if r.kind == "question":
            return text
        text.append("why: ", style="bold")
        text.append(r.reason or "this call needs your approval")
        if r.rule:
            text.append(f" · rule {r.rule}")
        if r.grade:
            text.append(" · ")
            text.append(r.grade, style=GRADE_STYLE.get(r.grade, ""))
        return text

    def _keys(self) -> Text:
        if self.state == "choose" and self.request.kind != "question":
            approve = [("y", "once")]
            if self.request.session_scope_allowed:
                approve.append(("s", "this session"))
            approve.append(("a", "always in this project"))
            return _key_line("approve: ", approve) + _key_line(
                "\nor:      ", [("e", "edit the input"), ("n", "reject with feedback")])
        if self.state == "choose":
            keys = [("n", "decline"), ("Esc", "back to the answer")]
        elif self.state == "edit":
            keys = [("Ctrl+S", "run with this input"), ("Esc", "back")]
        elif self.state == "reject":
            keys = [("Enter", "reject with this feedback"), ("Esc", "back")]
        else:
            keys = [("Enter", "send answer"), ("Esc", "more choices")]
        return _key_line("", keys)

    def on_mount(self) -> None:
        self._show_state()

    def _show_state(self) -> None:
        self.query_one("#answer").display = self.state == "answer"
        self.query_one("#edit").display = self.state == "edit"
        self.query_one("#feedback").display = self.state == "reject"
        self.query_one("#keys", Static).update(self._keys())
        if self.state == "answer":
            self.query_one("#answer").focus()
        elif self.state == "edit":
            self.query_one("#edit").focus()
        elif self.state == "reject":
            self.query_one("#feedback").focus()
        elif self.request.kind == "question":
            self.set_focus(None)
        else:
            self.query_one("#preview").focus()

    # --- answers ------------------------------------------------------------------------

    def _finish(self, answer: Any) -> None:
        self.dismiss(answer)

    def action_approve(self, scope: str) -> None:
        if self.state != "choose" or self.request.kind == "question":
            return
        if scope == "session" and not self.request.session_scope_allowed:
            return
        from harness.protocol.approver import ApprovalAnswer

        self._finish(ApprovalAnswer.approve(scope))  # type: ignore[arg-type]

    def action_edit(self) -> None:
        if self.state == "choose" and self.request.kind != "question":
            self.state = "edit"
            self._show_state()

    def action_reject(self) -> None:
        if self.state == "choose":
            self.state = "reject"
            self._show_state()

    def action_back(self) -> None:
        if self.state == "choose" and self.request.kind != "question":
            self._hint("n rejects (with feedback); Ctrl+C twice quits and keeps this for later")
            return
        if self.state in ("edit", "reject"):
            self.state = "answer" if self.request.kind == "question" else "choose"
        elif self.state == "answer":
            self.state = "choose"
        elif self.request.kind == "question":
            self.state = "answer"
        self._show_state()

    def action_send_edit(self) -> None:
        if self.state != "edit":
            return
        raw = self.query_one("#edit", TextArea).text
        try:
            value = json.loads(raw)
        except ValueError as exc:
            self._hint(f"not valid JSON: {exc}; fix it, or Esc to go back")
            return
        if not isinstance(value, dict):
            self._hint("the tool input must be a JSON object {…}")
            return
        from harness.protocol.approver import ApprovalAnswer

        self._finish(ApprovalAnswer.edit(value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from harness.protocol.approver import ApprovalAnswer

        event.stop()
        if event.input.id == "feedback" and self.state == "reject":
            self._finish(ApprovalAnswer.reject(event.value.strip()))
        elif event.input.id == "answer" and self.state == "answer":
            if not event.value.strip():
                self._hint("type an answer first (Esc for other choices)")
                return
            self._finish(ApprovalAnswer.reply(event.value))

    def _hint(self, message: str) -> None:
        self.query_one("#hint", Static).update(Text(message, style="bold red"))

    def on_key(self, event: events.Key) -> None:
        # Enter in the choose state is deliberately a no-op: nothing here is approved by it.
        if event.key == "enter" and self.state == "choose":
            event.stop()
            self._hint("press a key shown below: y, s, a, e or n")
