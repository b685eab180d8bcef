"""Fold a thread's events into the state the loop continues from.

`ThreadState.apply` is the only place that interprets the log; it runs at load (resume,
fork) and after every append, so a resumed thread and a live one are the same value.
Messages are rebuilt in Messages-API wire format, append-only, so the request prefix stays
byte-stable from turn to turn (prompt caching).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never

from harness.agent.disclosure import edit_note
from harness.config.rules import Rule, parse_rule
from harness.protocol.events import (
    AssistantDelta,
    AssistantMessage,
    AssistantText,
    Attachment,
    Compaction,
    ErrorEvent,
    Event,
    FileSnapshot,
    GrantRevoked,
    Interrupted,
    ModeChanged,
    ModelChanged,
    PendingShown,
    PermissionDecision,
    PermissionRequest,
    Result,
    Retrying,
    SessionStarted,
    SubagentFinished,
    SubagentStarted,
    ToolCallEvent,
    ToolInputDelta,
    ToolProgress,
    ToolResult,
    ToolStarted,
    TurnCompleted,
    UnknownEvent,
    Usage,
    UserMessage,
    UserShell,
)
from harness.protocol.usage import Spend

NOT_ANSWERED = "Not run: the conversation moved on before this call was answered."
OUTCOME_UNKNOWN = (
    "Outcome unknown: harness stopped while this call was running, so whether it took effect "
    "is not known. It was not re-run. Check the current state (read the file, run a status "
    "command) before trying again."
)
CANCELLED_OUTCOME_UNKNOWN = (
    "Outcome unknown: this call was cancelled while it was running, so whether it took effect "
    "(in part or in full) is not known. It was not re-run. Check the current state before "
    "trying again."
)
CUT_REPLY_NOTE = (
    "(Your previous reply was cut off before it finished: harness was stopped or the "
    "connection dropped, so it did not reach the user as an answer. Continue from the last "
    "complete step; if you were about to call a tool, call it again in full.)"
)


@dataclass
class ThreadState:
    messages: list[dict[str, Any]] = field(default_factory=list)
    mode: str | None = None  # None = the configured mode
    model: str | None = None  # None = the configured model
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    models: set[str] = field(default_factory=set)  # every model that answered (pricing)
    num_turns: int = 0
    context_tokens: int = 0  # input side of the latest response
    todos: list[dict[str, Any]] = field(default_factory=list)
    file_reads: dict[str, dict[str, Any]] = field(default_factory=dict)
    cwd: str | None = None
    session_rules: list[Rule] = field(default_factory=list)
    # tool_use blocks of the latest assistant message, by id, and which have results
    open_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    requests: dict[str, PermissionRequest] = field(default_factory=dict)  # undecided asks
    decisions: dict[str, PermissionDecision] = field(default_factory=dict)
    last_seq: int = 0
    last_stop_reason: str | None = None
    last_result: Result | None = None
    final_text: str = ""
    has_prompt: bool = False  # a user message was recorded (a thread without one has no task)
    run_options: dict[str, Any] = field(default_factory=dict)  # of the latest run that had them
    # calls whose result was "outcome unknown" since the latest session_started
    unknown_outcomes: list[dict[str, Any]] = field(default_factory=list)
    last_shown: PendingShown | None = None  # the pending request last printed to a person
    # unexpected failures of the next step since the last progress: (step, signature)
    failures: list[tuple[str, str]] = field(default_factory=list)
    last_assistant_seq: int = 0  # seq of the latest complete assistant message
    # `!cmd` runs since the last prompt, as text blocks sent ahead of the next prompt
    shell_context: list[dict[str, Any]] = field(default_factory=list)
    # what each Task call's sub-agent thread spent in all (see SubagentFinished.total_*)
    subagent_spend: dict[str, tuple[Usage, float]] = field(default_factory=dict)

    # --- folding -----------------------------------------------------------------------

    def apply(self, seq: int, event: Event) -> None:
        self.last_seq = max(self.last_seq, seq)
        match event:
            case UserMessage():
                self._on_user_message(event)
            case UserShell():
                self._on_user_shell(event)
            case SessionStarted():
                self._on_session_started(event)
            case PendingShown():
                self._on_pending_shown(event)
            case ErrorEvent():
                self._on_error(event)
            case AssistantMessage():
                self._on_assistant_message(event)
            case ToolStarted():
                self._on_tool_started(event)
            case PermissionRequest():
                self._on_permission_request(event)
            case PermissionDecision():
                self._on_permission_decision(event)
            case ToolResult():
                self._on_tool_result(event)
            case TurnCompleted():
                self._on_turn_completed(event)
            case Compaction():
                self._on_compaction(event)
            case ModeChanged():
                self._on_mode_changed(event)
            case ModelChanged():
                self._on_model_changed(event)
            case Result():
                self._on_result(event)
            case SubagentFinished():
                self._on_subagent_finished(event)
            case GrantRevoked():
                self._on_grant_revoked(event)
            case (ToolCallEvent() | FileSnapshot() | Interrupted() | SubagentStarted()
                  | UnknownEvent()):
                pass  # the record only: the messages come from the assistant message
            case (AssistantDelta() | ToolInputDelta() | Retrying() | AssistantText()
                  | ToolProgress()):
                pass  # stream-only, never stored
            case _:
                assert_never(event)

    def _user_content(self, blocks: list[dict[str, Any]]) -> None:
        """Append user-role content, merging into a trailing user message (roles alternate)."""
        if self.messages and self.messages[-1]["role"] == "user":
            self.messages[-1]["content"].extend(blocks)
        else:
            self.messages.append({"role": "user", "content": list(blocks)})

    def _on_user_message(self, event: UserMessage) -> None:
        self._close_open_calls()
        blocks = [*self.shell_context, {"type": "text", "text": event.text}]
        blocks += [{"type": "text", "text": attachment_text(a)} for a in event.attachments]
        self._user_content(blocks)
        self.shell_context = []
        self.final_text = ""
        self.has_prompt = True
        self.failures = []

    def _on_user_shell(self, event: UserShell) -> None:
        # Held until the next prompt: added now, it would be a trailing user message that
        # a resume takes as a question waiting for the model.
        self.shell_context.append({"type": "text", "text": shell_context_text(event)})

    def _on_session_started(self, event: SessionStarted) -> None:
        if event.options:
            self.run_options = dict(event.options)
        self.unknown_outcomes = []

    def _on_pending_shown(self, event: PendingShown) -> None:
        self.last_shown = event

    def _on_error(self, event: ErrorEvent) -> None:
        if event.kind == "step" and event.step:
            self.failures.append((event.step, event.signature or ""))

    def _on_assistant_message(self, event: AssistantMessage) -> None:
        self._close_open_calls()
        self.usage = self.usage + event.usage
        self.cost_usd += event.cost_usd
        if event.model:
            self.models.add(event.model)
        self.context_tokens = event.usage.context_tokens or self.context_tokens
        self.last_stop_reason = event.stop_reason
        content = event.content
        if event.partial:
            self._cut_reply(content)
            return
        self.failures = []
        self.last_assistant_seq = self.last_seq
        if not content:
            content = [{"type": "text", "text": "(empty response)"}]
        self.messages.append({"role": "assistant", "content": content})
        text = "".join(b.get("text", "") for b in content if b.get("type") == "text")
        self.final_text = text or self.final_text
        self.open_calls = {b["id"]: b for b in content if b.get("type") == "tool_use"}
        self.started = set()

    def _cut_reply(self, content: list[dict[str, Any]]) -> None:
        """A reply cut short is never an answer: keep its text for context, drop half-made
        tool calls, and leave the model to be asked again with a note that it was cut."""
        text = [b for b in content if b.get("type") == "text" and b.get("text")]
        if text:
            self.messages.append({"role": "assistant", "content": text})
        self._user_content([{"type": "text", "text": CUT_REPLY_NOTE}])
        self.open_calls, self.started = {}, set()

    def _on_tool_started(self, event: ToolStarted) -> None:
        self.started.add(event.call_id)

    def _on_permission_request(self, event: PermissionRequest) -> None:
        self.requests[event.call_id] = event

    def _on_permission_decision(self, event: PermissionDecision) -> None:
        self.requests.pop(event.call_id, None)
        self.decisions[event.call_id] = event
        if event.outcome == "allow" and event.scope in ("session", "project") and event.rule:
            try:
                rule = parse_rule(event.rule)
            except ValueError:
                return
            if rule not in self.session_rules:
                self.session_rules.append(rule)

    def _on_tool_result(self, event: ToolResult) -> None:
        block: dict[str, Any] = {
            "type": "tool_result",
            "tool_use_id": event.call_id,
            "content": self._disclosed(event),
        }
        if event.is_error:
            block["is_error"] = True
        self._user_content([block])
        call = self.open_calls.pop(event.call_id, None)
        if event.outcome_unknown:
            self.unknown_outcomes.append(
                {"call_id": event.call_id, "tool": event.tool,
                 "input": (call or {}).get("input") or {}}
            )
        self.failures = []
        self.started.discard(event.call_id)
        self.requests.pop(event.call_id, None)
        meta = event.metadata
        if "todos" in meta and not event.is_error:
            self.todos = list(meta["todos"])
        if meta.get("file_reads"):
            self.file_reads.update(meta["file_reads"])
        if meta.get("cwd"):
            self.cwd = meta["cwd"]

    def _disclosed(self, event: ToolResult) -> str:
        """The result as the model reads it: after a person edited the call, first what
        changed between the input it sent and the one that ran."""
        decision = self.decisions.get(event.call_id)
        call = self.open_calls.get(event.call_id)
        if decision is None or decision.edited_input is None or call is None:
            return event.content
        sent = call.get("input") or {}
        return edit_note(event.tool, sent, decision.edited_input) + event.content

    def _on_grant_revoked(self, event: GrantRevoked) -> None:
        try:
            rule = parse_rule(event.rule)
        except ValueError:
            return
        self.session_rules = [r for r in self.session_rules if r != rule]

    def _on_subagent_finished(self, event: SubagentFinished) -> None:
        if event.total_usage.total or event.total_cost_usd:
            self.subagent_spend[event.call_id] = (event.total_usage, event.total_cost_usd)
        else:  # an older log: each finish carried only its own run's spend
            usage, cost = self.subagent_spend.get(event.call_id, (Usage(), 0.0))
            self.subagent_spend[event.call_id] = (usage + event.usage, cost + event.cost_usd)

    def _on_turn_completed(self, event: TurnCompleted) -> None:
        self.num_turns = max(self.num_turns, event.turn)

    def _on_compaction(self, event: Compaction) -> None:
        self.usage = self.usage + event.usage
        self.cost_usd += event.cost_usd
        self.messages = [
            {
                "role": "user",
                "content": [{"type": "text", "text": compaction_text(event.summary)}],
            }
        ]
        self.context_tokens = 0

    def _on_mode_changed(self, event: ModeChanged) -> None:
        self.mode = event.mode

    def _on_model_changed(self, event: ModelChanged) -> None:
        self.model = event.model

    def _on_result(self, event: Result) -> None:
        self.last_result = event

    def _close_open_calls(self) -> None:
        """A new message while calls are unanswered: give each a result so roles pair up."""
        for call_id in list(self.open_calls):
            self._user_content(
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": call_id,
                        "is_error": True,
                        "content": NOT_ANSWERED,
                    }
                ]
            )
        self.open_calls.clear()
        self.requests.clear()

    # --- queries -----------------------------------------------------------------------

    @property
    def spend(self) -> Spend:
        """The one sum of this thread's spend, its sub-agents' included (every display)."""
        return self.spend_with({})

    def spend_with(self, waiting: Mapping[str, tuple[Usage, float]]) -> Spend:
        """The spend, counting also sub-agents still running or waiting for a person
        (`waiting`, by Task call id); a finished sub-agent's own figure wins."""
        entries = {**waiting, **self.subagent_spend}
        sub_usage, sub_cost = Usage(), 0.0
        for usage, cost in entries.values():
            sub_usage, sub_cost = sub_usage + usage, sub_cost + cost
        return Spend(self.usage, self.cost_usd, sub_usage, sub_cost, len(entries))

    @property
    def pending(self) -> PermissionRequest | None:
        """The first ask still waiting for an answer (shown again on resume)."""
        for call_id in self.open_calls:
            if call_id in self.requests:
                return self.requests[call_id]
        return None

    @property
    def unresolved_calls(self) -> list[dict[str, Any]]:
        """tool_use blocks of the latest assistant message that have no result yet, in order."""
        return list(self.open_calls.values())

    @property
    def unknown_outcome_calls(self) -> list[dict[str, Any]]:
        """Calls a person must hear about at resume: those reported "outcome unknown" by the
        latest run, and those started and never finished (reported so when the run goes on)."""
        found = list(self.unknown_outcomes)
        for call_id in self.started:
            call = self.open_calls.get(call_id)
            if call is not None:
                found.append({"call_id": call_id, "tool": call.get("name", ""),
                              "input": call.get("input") or {}})
        return found

    @property
    def needs_continuation(self) -> bool:
        """The latest reply hit the output token limit with no tool call to run: it is cut,
        not finished (the loop asks the model to go on)."""
        return (
            self.last_stop_reason == "max_tokens"
            and bool(self.messages)
            and self.messages[-1]["role"] == "assistant"
            and not self.open_calls
        )

    @property
    def needs_model(self) -> bool:
        """True when the next step is a model call (the last message is the user's)."""
        return bool(self.messages) and self.messages[-1]["role"] == "user" and not self.open_calls


def attachment_text(attachment: Attachment) -> str:
    """An `@path` attachment as the model reads it, after the prompt that named it."""
    cut = " (cut at the attachment size cap)" if attachment.truncated else ""
    return (
        f'<attached_file path="{attachment.path}"{cut}>\n{attachment.content}\n'
        "</attached_file>"
    )


def shell_context_text(event: UserShell) -> str:
    """A `!` command as the model reads it: said to be the person's, with what it printed."""
    status = f"exit code {event.exit_code}" if event.exit_code is not None else "did not finish"
    return (
        f"The user ran this shell command themselves (in {event.cwd or 'the project'}), "
        f"{status}:\n$ {event.command}\n{event.output}"
    )


def compaction_text(summary: str) -> str:
    return (
        "This session was compacted to save context. Summary of the conversation so far:\n\n"
        f"{summary}\n\nContinue from here."
    )


def fold(events: list[tuple[int, Event]]) -> ThreadState:
    state = ThreadState()
    for seq, event in events:
        state.apply(seq, event)
    return state
