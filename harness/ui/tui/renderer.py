"""Turns the session's events into conversation entries (the only place that knows events).

Live events stream into mounted widgets; replayed history (on open, resume, fork) is
folded into entries first and mounted once, newest window only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, assert_never

from harness.ui.describe import task_goal
from harness.ui.tui.conversation import Conversation, Entry
from harness.ui.tui.tool_card import SubagentInfo, ToolInfo

if TYPE_CHECKING:
    from harness.protocol.events import Event

KEY_HINT = (
    "Export your key (export ANTHROPIC_API_KEY=sk-ant-…; ANTHROPIC_BASE_URL points harness "
    "at a proxy) and restart, or try `harness --demo` offline."
)


def error_text(message: str, *, hint: bool = True) -> str:
    low = message.lower()
    if hint and any(k in low for k in ("api key", "api_key", "authentication", "401")):
        return f"{message}\n{KEY_HINT}"
    return message


class Renderer:
    def __init__(self, conversation: Conversation) -> None:
        self.conv = conversation
        self.tools: dict[str, Entry] = {}
        self.todos: list[dict[str, Any]] | None = None  # set when a TodoWrite result arrives
        self.errors_shown = 0
        self.key_hint_shown = False  # KEY_HINT was shown once: later errors need not repeat it
        self._text: Entry | None = None  # text block being streamed
        self._thinking: Entry | None = None
        self._message_entries: list[Entry] = []  # entries of the message being streamed
        self._collect: list[Entry] | None = None  # replay: entries gathered, mounted later

    def reset(self) -> None:
        self.tools.clear()
        self._end_stream()

    def _end_stream(self) -> None:
        self._text = self._thinking = None
        self._message_entries = []

    def _add(self, entry: Entry) -> Entry:
        if self._collect is not None:
            self._collect.append(entry)
            return entry
        return self.conv.add(entry)

    def explain(self, message: str) -> str:
        """`error_text`, with the long key hint only the first time it applies."""
        text = error_text(message, hint=not self.key_hint_shown)
        self.key_hint_shown = self.key_hint_shown or text != message
        return text

    def notice(self, text: str, style: str = "info") -> Entry:
        return self._add(Entry("notice", text=text, style=style))

    def replay(self, history: list[tuple[int, Any]]) -> None:
        self._collect = []
        try:
            for seq, event in history:
                self.handle(event, seq)
        finally:
            entries, self._collect = self._collect, None
        # The cards stay known by call id: a resumed call that is approved now, or a call
        # whose result comes after the replay, updates its card instead of drawing another.
        self._end_stream()
        self.conv.add_many(entries)

    # --- dispatch ---------------------------------------------------------------------

    def handle(self, event: Event, seq: int) -> None:
        # Matched on the tag, not the class: the events module (pydantic) loads after the
        # first frame. `assert_never` makes an unhandled new event a type error.
        match event.type:
            case "user_message":
                self.on_user_message(event)
            case "user_shell":
                self.on_user_shell(event)
            case "assistant_delta":
                self.on_assistant_delta(event)
            case "tool_input_delta":
                self.on_tool_input_delta(event)
            case "retrying":
                self.on_retrying(event)
            case "assistant_message":
                self.on_assistant_message(event)
            case "tool_call":
                self.on_tool_call(event)
            case "permission_request":
                self.on_permission_request(event)
            case "permission_decision":
                self.on_permission_decision(event)
            case "tool_started":
                self.on_tool_started(event)
            case "tool_progress":
                self.on_tool_progress(event)
            case "tool_result":
                self.on_tool_result(event)
            case "compaction":
                self.on_compaction(event)
            case "mode_changed":
                self.on_mode_changed(event)
            case "model_changed":
                self.on_model_changed(event)
            case "error":
                self.on_error(event)
            case "interrupted":
                self.on_interrupted(event)
            case "result":
                self.on_result(event)
            case "subagent_started":
                self.on_subagent_started(event)
            case "subagent_finished":
                self.on_subagent_finished(event)
            case ("session_started" | "turn_completed" | "file_snapshot" | "pending_shown"
                  | "unknown" | "assistant_text" | "grant_revoked"):
                pass  # bookkeeping the conversation does not show
            case _:
                assert_never(event.type)

    def on_user_message(self, event: Any) -> None:
        self._end_message()
        attached = "".join(f"\n📎 {a.path}" for a in event.attachments)
        self._add(Entry("user", text=event.text + attached))

    def on_user_shell(self, event: Any) -> None:
        from harness.ui.user_input import shell_lines

        self._end_message()
        self._add(Entry("user", text="! " + event.command))
        self.notice("\n".join(shell_lines(event)) + "\n(the model sees this with your next "
                    "prompt)", "error" if event.is_error else "info")

    def on_assistant_delta(self, event: Any) -> None:
        if event.kind == "thinking":
            if self._thinking is None:
                self._thinking = self._add(Entry("thinking"))
                self._message_entries.append(self._thinking)
            self.conv.feed(self._thinking, event.text)
            return
        if self._text is None:
            self._text = self._add(Entry("text"))
            self._message_entries.append(self._text)
        self.conv.feed(self._text, event.text)

    def on_tool_input_delta(self, event: Any) -> None:
        # The text before a tool_use block is complete; text after it starts a new block.
        self._close_text()

    def on_retrying(self, event: Any) -> None:
        for entry in self._message_entries:
            self.conv.remove_entry(entry)
        self._message_entries = []
        self._text = self._thinking = None
        self.notice(
            f"model call failed ({event.reason}); retrying in {event.delay:.1f}s "
            f"(attempt {event.attempt})", "warn",
        )

    def on_assistant_message(self, event: Any) -> None:
        streamed = bool(self._message_entries)
        self._end_message()
        if streamed:
            return
        for block in event.content:
            kind = block.get("type")
            if kind == "thinking" and block.get("thinking"):
                self._add(Entry("thinking", text=block["thinking"]))
            elif kind == "text" and block.get("text"):
                self._add(Entry("text", text=block["text"]))

    def _close_text(self) -> None:
        if self._text is not None:
            entry, self._text = self._text, None
            if self._collect is None:
                self.conv.finish(entry)

    def _end_message(self) -> None:
        self._close_text()
        self._thinking = None
        self._message_entries = []

    def on_tool_call(self, event: Any) -> None:
        self._close_text()
        info = ToolInfo(call_id=event.call_id, tool=event.tool, input=dict(event.input))
        if event.tool == "Task":
            info.subagent = SubagentInfo(agent=str(event.input.get("agent") or "sub-agent"),
                                         goal=task_goal(dict(event.input)))
        self.tools[event.call_id] = self._add(Entry("tool", tool=info))

    def _tool(self, call_id: str, status: str | None = None) -> Entry | None:
        entry = self.tools.get(call_id)
        if entry is not None and entry.tool is not None and status is not None:
            entry.tool.status = status
        return entry

    def _changed(self, entry: Entry | None) -> None:
        if entry is not None and self._collect is None:
            self.conv.update_tool(entry)

    def on_permission_request(self, event: Any) -> None:
        entry = self._tool(event.call_id, "asking")
        if entry is None:  # a request whose tool_call is outside the shown window
            info = ToolInfo(call_id=event.call_id, tool=event.tool, input=dict(event.input),
                            status="asking")
            entry = self.tools[event.call_id] = self._add(Entry("tool", tool=info))
        self._changed(entry)

    def on_permission_decision(self, event: Any) -> None:
        entry = self._tool(event.call_id, "approved" if event.outcome == "allow" else "rejected")
        if entry is not None and entry.tool is not None:
            if event.edited_input:
                entry.tool.input = dict(event.edited_input)
            if event.feedback:
                entry.tool.feedback = event.feedback
            elif event.outcome == "deny" and event.reason:
                entry.tool.feedback = event.reason
        self._changed(entry)

    def on_tool_started(self, event: Any) -> None:
        self._changed(self._tool(event.call_id, "running"))

    def on_tool_progress(self, event: Any) -> None:
        entry = self._tool(event.call_id)
        if entry is not None and entry.tool is not None:
            entry.tool.progress = event.text
            sub = entry.tool.subagent
            if sub is not None:  # "explore: Grep alpha": the sub-agent's name is on the card
                name = f"{sub.agent}: "
                sub.steps.append(event.text[len(name):] if event.text.startswith(name)
                                 else event.text)
            self._changed(entry)

    def on_tool_result(self, event: Any) -> None:
        entry = self._tool(event.call_id)
        if entry is None:
            new = ToolInfo(call_id=event.call_id, tool=event.tool, input={})
            entry = self.tools[event.call_id] = self._add(Entry("tool", tool=new))
        info = entry.tool
        assert info is not None
        if info.status != "rejected":
            info.status = "unknown" if event.outcome_unknown else (
                "error" if event.is_error else "done")
        info.duration_ms = event.duration_ms
        info.output = event.content
        info.metadata = dict(event.metadata or {})
        info.diff = str(info.metadata.get("diff") or "")
        if "todos" in info.metadata:
            self.todos = list(info.metadata["todos"] or [])
        self._changed(entry)

    def on_compaction(self, event: Any) -> None:
        summary = event.summary.strip().splitlines()[0] if event.summary.strip() else ""
        self.notice(f"context compacted ({event.replaced_events} events summarised): {summary}")

    def on_mode_changed(self, event: Any) -> None:
        self.notice(f"mode → {event.mode}")

    def on_model_changed(self, event: Any) -> None:
        self.notice(f"model → {event.model}")

    def on_error(self, event: Any) -> None:
        self.errors_shown += 1
        self.notice(self.explain(event.message), "error")

    def on_interrupted(self, event: Any) -> None:
        self._end_message()
        self.notice("⏹ interrupted — everything so far is saved", "warn")

    def on_result(self, event: Any) -> None:
        if event.status == "limit":
            self.notice(f"stopped: a limit was reached. {event.result}".strip(), "warn")
        elif event.status == "awaiting_approval":
            self.notice("waiting for your decision — saved; `harness --resume` shows it again",
                        "warn")

    def _subagent(self, call_id: str) -> tuple[Entry | None, SubagentInfo | None]:
        entry = self.tools.get(call_id)
        return entry, (entry.tool.subagent if entry is not None and entry.tool else None)

    def on_subagent_started(self, event: Any) -> None:
        entry, sub = self._subagent(event.call_id)
        if sub is None:  # its Task card is outside the shown window
            self.notice(f"↳ subagent {event.agent} started ({event.child_thread_id[:12]})")
            return
        sub.agent, sub.child_thread_id = event.agent, event.child_thread_id
        if entry is not None and entry.tool is not None and entry.tool.status in (
                "pending", "approved"):
            entry.tool.status = "running"  # a Task has no tool_started: it acts through others
        self._changed(entry)

    def on_subagent_finished(self, event: Any) -> None:
        entry, sub = self._subagent(event.call_id)
        if sub is None:
            self.notice(f"↳ subagent {event.agent} {event.status} · ${event.cost_usd:.3f}")
            return
        sub.outcome, sub.cost_usd = event.status, event.cost_usd
        self._changed(entry)
