"""The `Session` protocol: everything a front-end (TUI, inline, headless) may call on the
agent's session. The agent's `AgentSession` implements it; test fakes implement it too and
are type-checked against it, so a front-end never probes with `getattr(session, …)`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from harness.protocol.approver import Approver
from harness.protocol.events import (
    Attachment,
    Event,
    PendingShown,
    PermissionRequest,
    UserShell,
)
from harness.protocol.kinds import ThreadStateName
from harness.protocol.outcomes import RunResult
from harness.protocol.usage import Spend, Usage

Sink = Callable[[Event, int], None]  # (event, seq); seq 0 for stream-only events


class ThreadSummary(Protocol):
    """One line of a thread list (the store's `Thread` satisfies it)."""

    @property
    def thread_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def state(self) -> ThreadStateName: ...
    @property
    def updated_at(self) -> float: ...


class UiPreferences(Protocol):
    """The `[ui]` settings a front-end reads."""

    @property
    def theme(self) -> str: ...
    @property
    def show_thinking(self) -> bool: ...
    @property
    def vi_mode(self) -> bool: ...


class ThreadView(Protocol):
    """What a front-end may read of the folded thread (headless checks a decision's target)."""

    @property
    def last_seq(self) -> int: ...
    @property
    def open_calls(self) -> Mapping[str, Any]: ...
    @property
    def requests(self) -> Mapping[str, PermissionRequest]: ...
    @property
    def last_shown(self) -> PendingShown | None: ...
    @property
    def unknown_outcome_calls(self) -> Sequence[Any]: ...


class Session(Protocol):
    """A thread being driven: its figures, its runs, its lifecycle commands."""

    approver: Approver
    sink: Sink

    # --- what it is and where it stands ----------------------------------------------
    @property
    def thread_id(self) -> str: ...  # "" until the first prompt creates the thread
    @property
    def project_root(self) -> Path: ...
    @property
    def model_name(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def pending(self) -> PermissionRequest | None: ...
    @property
    def busy(self) -> bool: ...
    @property
    def usage(self) -> Usage: ...  # sub-agents included
    @property
    def cost_usd(self) -> float: ...  # sub-agents included
    @property
    def spend(self) -> Spend: ...  # the same, split into the thread's own and sub-agents'
    @property
    def cost_known(self) -> bool: ...  # False: a model has no price; show no cost, never $0
    @property
    def context_tokens(self) -> int: ...
    @property
    def context_window(self) -> int: ...
    @property
    def num_turns(self) -> int: ...
    @property
    def todos(self) -> list[dict[str, Any]]: ...
    @property
    def state(self) -> ThreadView: ...
    @property
    def ui(self) -> UiPreferences: ...
    @property
    def on_ask(self) -> str | None: ...
    @property
    def notices(self) -> list[str]: ...  # start-up notices (no sandbox, outcome unknown…)
    @property
    def thread_notices(self) -> list[str]: ...  # of the current thread, on open or switch
    @property
    def abandoned(self) -> Sequence[ThreadSummary]: ...  # threads left waiting for a human

    def history(self) -> list[tuple[int, Event]]: ...
    def list_threads(self) -> Sequence[ThreadSummary]: ...  # this project's, newest first

    # --- runs -------------------------------------------------------------------------
    async def run_prompt(
        self, text: str, *, max_turns: int | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> RunResult: ...
    async def continue_pending(self, *, max_turns: int | None = None) -> RunResult: ...
    def cancel(self) -> None: ...
    def stop_next_run(self) -> None: ...
    def record(self, event: Event) -> int: ...
    # `!cmd`: the person's own command, sandboxed, recorded; the model sees it next prompt
    async def run_shell(self, command: str) -> UserShell: ...
    # `@path`: None when Read may read `path` without asking; else why it may not
    def check_read(self, path: str) -> str | None: ...

    # --- settings of the thread ---------------------------------------------------------
    def set_mode(self, mode: str) -> None: ...
    def cycle_mode(self) -> str: ...
    def set_model(self, name: str) -> None: ...

    # --- lifecycle --------------------------------------------------------------------
    async def new_thread(self) -> None: ...
    async def switch_to(self, thread_id: str) -> None: ...
    async def fork(self, seq: int | None = None, *, restore_files: bool = False) -> str: ...
    async def rewind(self, seq: int) -> list[str]: ...
    async def compact(self) -> None: ...
    async def close(self) -> None: ...
