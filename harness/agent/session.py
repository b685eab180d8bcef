"""AgentSession: the one object front-ends talk to (see notes in README "Architecture").

It owns a thread: opens or resumes or forks it in the store, holds its lease, folds its
log into state, and runs prompts through `AgentLoop` (what each request is built from is
`requests`; the store writes run on its `StoreWriter`). Front-ends get every event through
`sink(event, seq)` and answer asks through their `Approver`; they never touch the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.agent import requests
from harness.agent.loop import AgentLoop, Limits
from harness.agent.opening import (
    SessionError,
    SessionOptions,
    stale_threads,
    start_notices,
    target_thread,
    unknown_outcome_notices,
)
from harness.agent.run_options import RunOptions
from harness.agent.state import ThreadState
from harness.config.loader import ConfigError, find_project_root, load_config
from harness.config.schema import Settings, UiSettings
from harness.protocol.approver import Approver
from harness.protocol.events import (
    Attachment,
    ErrorEvent,
    Event,
    FileSnapshot,
    ModeChanged,
    ModelChanged,
    PermissionRequest,
    SessionStarted,
    Usage,
    UserMessage,
    UserShell,
)
from harness.protocol.kinds import MODES
from harness.protocol.outcomes import RunResult
from harness.protocol.session import Sink
from harness.protocol.usage import Spend
from harness.store.base import SeqConflict, Store, StoreError, Thread

CYCLE = ("default", "acceptEdits", "plan")


async def open_session(opts: SessionOptions, *, approver: Approver, sink: Sink) -> AgentSession:
    """Load config, open the store, pick the thread (new, resumed or forked), take its lease."""
    from harness.model.preload import start_background_import

    if not opts.demo and opts.model_client is None:
        start_background_import()  # overlaps the SDK's ~1 s import with the rest of start-up
    root = (opts.project_root or find_project_root()).resolve()
    loaded = load_config(root, flags=opts.flags)
    settings = loaded.settings
    store = opts.store
    if store is None:
        from harness.config.schema import parse_duration
        from harness.store.open import open_store

        store = await asyncio.to_thread(
            functools.partial(
                open_store, opts.store_url or settings.sessions.store or None,
                reconnect_window=parse_duration(settings.sessions.reconnect_window),
            )
        )
    session = AgentSession(root, settings, store, approver, sink, opts)
    await asyncio.to_thread(session._attach, target_thread(store, root, opts))
    session.abandoned = await asyncio.to_thread(
        stale_threads, store, str(root), settings.sessions.abandon_after, session.thread_id
    )
    session.notices = start_notices(settings, root) + session.thread_notices
    session.notices += store.spill_report.notices()  # steps a failed run kept locally
    try:
        session.notices += session.pricing_notices(loaded.source_of("agent.max_cost_usd"))
    except ConfigError:
        await session.close()
        raise
    return session


class AgentSession:
    def __init__(
        self,
        root: Path,
        settings: Settings,
        store: Store,
        approver: Approver,
        sink: Sink,
        opts: SessionOptions,
    ) -> None:
        from harness.tools.base import ToolContext

        self.project_root, self.settings, self.store = root, settings, store
        self._base_settings = settings  # before a resumed thread's own options apply
        self.approver, self.sink, self.opts = approver, sink, opts
        self.thread_id: str = ""
        self.state = ThreadState()
        self._model: Any = opts.model_client
        self._task: asyncio.Task | None = None
        self._shell_task: asyncio.Task | None = None  # a running `!cmd`, for cancel()
        self._shell_stopped = False
        self._starting = False  # a run is between its start and its loop task
        self._stop_requested = False
        self._explicit_changes: list[Event] = []  # mode/model set by this command's flags
        self.run_options = RunOptions.explicit(opts)
        self._leased = False
        from harness.agent.store_failures import StoreFailures

        self._store_failures = StoreFailures()  # a failed append: later steps are spilled
        from harness.store.writer import StoreWriter

        # Appends run on this thread, in seq order, never on the event loop that draws the
        # UI; the loop waits for them (without blocking) before a request or a tool runs.
        self._writer = StoreWriter()
        self._snapshotted: set[str] = set()
        self._waiting_children: dict[str, tuple[Usage, float]] = {}  # see spend
        self._calls: Any = None
        self.abandoned: list = []  # threads left waiting for a human (see stale_threads)
        self.notices: list[str] = []  # e.g. no OS sandbox available (see start_notices)
        self._loop: AgentLoop | None = None
        self._shadow: Any = None
        from harness.permissions.sandbox_paths import configured_hook_scripts

        self.tool_ctx = ToolContext(
            project_root=root,
            sandbox_enabled=settings.sandbox.enabled,
            sandbox_network=settings.sandbox.network,
            sandbox_writable=tuple(Path(p).expanduser() for p in settings.sandbox.writable),
            sandbox_env_include=tuple(settings.sandbox.env.include),
            sandbox_env_exclude=tuple(settings.sandbox.env.exclude),
            sandbox_protected=configured_hook_scripts(settings, root),
            sandbox_unix_sockets=settings.sandbox.unix_sockets,
            snapshot=self._snapshot,
        )
        from harness.config.home import harness_home

        self.tool_ctx.harness_home = harness_home()
        self.tool_ctx.search_filter = self._search_filter
        self._tools = requests.default_tool_table()
        self._system: list[dict] | None = None
        self._tool_schemas: list[dict] | None = None
        from harness.agent.tracing import Tracing

        self.tracer = opts.tracer or Tracing.from_settings(settings)
        self._install_subagents()

    def _install_subagents(self) -> None:
        """The Task tool and its runner (sub-agent sessions install their own, one deeper)."""
        from harness.agent.subagents.runner import install

        install(self)

    # --- thread lifecycle --------------------------------------------------------------

    def _attach(self, thread_id: str | None) -> None:
        """Make `thread_id` current: lease it and fold its log (None = a new thread later)."""
        self._writer.wait()  # the current thread's last steps are stored first
        if self._leased:
            self.store.release_lease(self.thread_id)
            self._leased = False
        self.thread_id, self.state = thread_id or "", ThreadState()
        if thread_id:
            self.store.acquire_lease(thread_id)
            self._leased = True
            for item in self.store.events(thread_id):
                self.state.apply(item.seq, item.decode())
        self._adopt_run_options()
        self._sync_tool_ctx()
        self._snapshotted.clear()
        self._refresh_waiting_children()

    def _adopt_run_options(self) -> None:
        """Resume keeps the run's own options from the log (allow/deny rules, mode, model,
        budget, max_turns, on_ask); what this command sets explicitly wins."""
        explicit = RunOptions.explicit(self.opts)
        self.run_options = explicit.over(RunOptions.from_json(self.state.run_options))
        if self.run_options.flags != explicit.flags:
            flags = {**self.run_options.flags, **self.opts.flags}
            self.settings = load_config(self.project_root, flags=flags).settings
        else:
            self.settings = self._base_settings
        self._explicit_changes = []
        mode, model = explicit.flags.get("permissions.mode"), explicit.flags.get("model.name")
        if mode and self.state.mode not in (None, mode):  # a /mode in the log: flag wins now
            self._explicit_changes.append(ModeChanged(mode=mode))
        if model and self.state.model not in (None, model):
            self._explicit_changes.append(ModelChanged(model=model))

    @property
    def thread_notices(self) -> list[str]:
        """What a person must hear about the current thread when it is opened or switched
        to: calls whose outcome is unknown, with their inputs (also in `notices` at start)."""
        return unknown_outcome_notices(self.state.unknown_outcome_calls)

    @property
    def on_ask(self) -> str | None:
        """Headless: what to do with an ask (`--on-ask`, or the resumed run's own)."""
        return self.run_options.on_ask

    def _sync_tool_ctx(self) -> None:
        from harness.tools.base import FileFingerprint

        self.tool_ctx.thread_id = self.thread_id
        self.tool_ctx.file_reads = {
            path: FileFingerprint.from_json(fp) for path, fp in self.state.file_reads.items()
        }
        self.tool_ctx.cwd = Path(self.state.cwd) if self.state.cwd else None

    def _ensure_thread(self) -> None:
        if self.thread_id:
            return
        thread = self.store.create_thread(str(self.project_root), model=self.model_name)
        self.thread_id = thread.thread_id
        self.store.acquire_lease(self.thread_id)
        self._leased = True
        self.tool_ctx.thread_id = self.thread_id

    async def switch_to(self, thread_id: str) -> None:
        self._require_idle()
        await asyncio.to_thread(self._attach, thread_id)

    async def fork(self, seq: int | None = None, *, restore_files: bool = False) -> str:
        """New thread from the current one at `seq` (default: now); switch to it."""
        self._require_idle()
        if not self.thread_id:
            raise SessionError("nothing to fork yet: the thread has no steps")
        source = self.thread_id
        if restore_files and seq is not None:
            await self.rewind(seq)
        await self._writer.drained()
        child = await asyncio.to_thread(self.store.fork, source, seq)
        await asyncio.to_thread(self._attach, child.thread_id)
        return child.thread_id

    async def rewind(self, seq: int) -> list[str]:
        """Restore every file a tool changed after `seq` to its content at that step."""
        from harness.tools.rewind import restore_files, select_snapshots

        if not self.thread_id:
            return []
        await self._writer.drained()
        events = [
            (e.seq, e.decode())
            for e in self.store.events(self.thread_id, after_seq=seq)
            if e.type == "file_snapshot"
        ]
        return await restore_files(self.project_root, select_snapshots(events, seq))

    async def close(self) -> None:
        if self._task and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        with contextlib.suppress(Exception):  # a failed write was reported by its run
            await self._writer.drained()
        self._writer.close()
        if self._leased:
            with contextlib.suppress(StoreError):  # a failed store: the lease goes stale
                await asyncio.to_thread(self.store.release_lease, self.thread_id)
            self._leased = False
        if self.opts.tracer is None and self.tracer.enabled:  # ours: export what is buffered
            await asyncio.to_thread(self.tracer.shutdown)
        if self.opts.store is None:  # we opened it: stop its heartbeat, checkpoint, close
            await asyncio.to_thread(self.store.close)

    # --- recording -----------------------------------------------------------------------

    def record(self, event: Event) -> int:
        """Append a stored event (or pass a stream-only one through) and tell the front-end."""
        if event.STREAM_ONLY:
            self.sink(event, self.state.last_seq)
            return self.state.last_seq
        seq = self._append(event)
        self.sink(event, seq)  # queued: it is stored, or kept in the spill, in seq order
        self._raise_store_failure()  # an earlier step could not be stored: the run stops
        return seq

    def _append(self, event: Event) -> int:
        """Queue one event for the store writer at the next seq and fold it into state (no
        front-end call: safe in a worker). The session holds the thread's lease, so the
        next seq is its own to take; the writer checks the store gave the event that seq."""
        self._ensure_thread()
        self._writer.raise_error()
        seq = self.state.last_seq + 1
        self._writer.submit(functools.partial(self._store_step, self.thread_id, seq, event))
        self.state.apply(seq, event)
        return seq

    def _store_step(self, thread_id: str, seq: int, event: Event) -> None:
        """On the writer thread: store one step, or spill it once the store has failed
        (later steps follow in order, see store_failures)."""
        failures = self._store_failures
        if failures.failed:
            failures.spill(self, thread_id, seq, event, None)
            return
        try:
            stored = self.store.append(thread_id, event)  # the store's next seq, no extra read
        except StoreError as exc:
            failures.spill(self, thread_id, seq, event, exc)
            return
        if stored != seq:  # only if another process wrote to this thread despite the lease
            raise SeqConflict(thread_id, seq, f"the store put the step at seq {stored}")

    def _raise_store_failure(self) -> None:
        self._writer.raise_error()
        if self._store_failures.failure is not None:
            raise self._store_failures.failure  # the run stops; _store_guarded ends it

    async def _stored(self) -> None:
        """The barrier: every step queued so far is stored (or spilled); raise if the store
        failed. Awaited before each model request and tool run, and at the end of a run."""
        await self._writer.drained()
        self._raise_store_failure()

    async def _snapshot(self, path: Path) -> None:
        """Before the first change to a file in a turn, keep its prior content (rewind)."""
        key = f"{self.state.num_turns}:{path}"
        if key in self._snapshotted:
            return
        self._snapshotted.add(key)
        if self._shadow is None:
            from harness.tools.rewind import ShadowRepo

            self._shadow = ShadowRepo(self.project_root)
        info = await self._shadow.snapshot(Path(path))
        if info is None:  # a secret file: its content never enters the shadow repository
            return
        call_id = self._calls.current_call if self._calls else ""
        self.record(
            FileSnapshot(
                call_id=call_id or "", path=str(path), commit=info.commit, existed=info.existed
            )
        )

    # --- running -------------------------------------------------------------------------

    async def run_prompt(
        self, text: str, *, max_turns: int | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> RunResult:
        prompt = UserMessage(text=text, attachments=list(attachments))
        return await self._store_guarded(self._run(prompt, max_turns))

    async def run_shell(self, command: str) -> UserShell:
        """`!cmd`: run the person's own command (no ask; sandboxed like Bash), record it."""
        from harness.agent.user_shell import run_user_shell

        self._require_idle()
        if self.state.open_calls:
            raise SessionError("a tool call is waiting for an answer; answer it first")
        await asyncio.to_thread(self._ensure_thread)  # the command's temp folder is the thread's
        task = asyncio.current_task()
        self._shell_task, self._shell_stopped = task, False
        try:
            event = await run_user_shell(command, self.tool_ctx)
        except asyncio.CancelledError:
            if not self._shell_stopped or task is None:
                raise  # not our cancel() (the front-end's own task, shutdown): pass it on
            task.uncancel()
            # It may have done part of its work: say so, rather than forget it ran.
            event = UserShell(command=command, is_error=True, cwd=str(self.tool_ctx.workdir),
                              output="(interrupted before it finished; its output is lost)")
        finally:
            self._shell_task = None
        self.record(event)
        return event

    def check_read(self, path: str) -> str | None:
        """`@path`: None when Read may read `path` without asking (under the current mode,
        rules and session grants); else the reason it may not (denied, secret, outside)."""
        from harness.permissions.types import ToolCall

        decision = requests.decide(ToolCall("Read", {"file_path": path}), self.permission_context())
        if decision.decision == "allow":
            return None
        return decision.reason or f"Read({path}) is not allowed without asking"

    async def continue_pending(self, *, max_turns: int | None = None) -> RunResult:
        """Go on from the log as it stands: re-ask a pending request, finish open calls."""
        return await self._store_guarded(self._run(None, max_turns))

    async def _store_guarded(self, run: Any) -> RunResult:
        from harness.agent.store_failures import result_event

        try:
            result = await run
            await self._stored()  # the run returns once all of its steps are stored
            return result
        except StoreError as exc:  # disk full, corrupt page, server gone: typed, one line
            with contextlib.suppress(StoreError):
                await self._writer.drained()  # the steps queued after the failure are spilled
            result = await asyncio.to_thread(self._store_failures.end_run, self, exc)
            self.sink(result_event(result), self.state.last_seq)
            return result

    async def _run(self, prompt: UserMessage | None, max_turns: int | None) -> RunResult:
        self._require_idle()
        if prompt is None and not self.state.has_prompt and self.pending is None:
            raise SessionError(
                f"thread {self.thread_id or '(new)'} has no task recorded (it stopped before "
                "its prompt was saved), so there is nothing to continue; start a new run"
            )
        self._starting = True  # from here a signal is honoured: see cancel()
        try:
            return await self._run_started(prompt, max_turns)
        finally:
            self._starting = self._stop_requested = False

    async def _run_started(self, prompt: UserMessage | None, max_turns: int | None) -> RunResult:
        loop = self._build_loop(max_turns or self.run_options.max_turns)
        hooks = self._calls.hooks
        if prompt is not None and hooks is not None:
            await self._shielded(self._ensure_thread)
            blocked = await hooks.prompt_submit(prompt.text)
            if blocked:
                self.record(ErrorEvent(message=f"prompt blocked by a hook: {blocked}", kind="hook"))
                result = RunResult(status="failed", result=blocked, error=blocked)
                self._set_state("failed")
                return result
        # The prompt is in the log before anything can act on it, written with the thread.
        for event, seq in await self._shielded(self._begin, prompt):
            self.sink(event, seq)
        if self._stop_requested:  # a signal came while the thread was being created
            result = loop.cancelled()
        else:
            result = await self._drive(loop, prompt is None)
        if hooks is not None:
            await hooks.stop(result.status, result.result)
        self._set_state(
            {
                "done": "done",
                "failed": "failed",
                "cancelled": "cancelled",
                "limit": "cancelled",
                "awaiting_approval": "awaiting_approval",
            }[result.status]
        )
        return result

    async def _drive(self, loop: AgentLoop, resumed: bool) -> RunResult:
        with self.tracer.span("session", {
            "harness.thread_id": self.thread_id, "harness.model": self.model_name,
            "harness.resumed": resumed, "harness.mode": self.mode,
        }) as span:
            # Its own task, so `cancel()` stops exactly this run and the loop records it.
            self._task = asyncio.create_task(loop.run(None))
            try:
                result = await self._task
            finally:
                self._task = None
            span.set("harness.status", result.status)
            span.set_usage(result.usage, cost_usd=result.cost_usd)
        return result

    def _begin(self, prompt: UserMessage | None) -> list[tuple[Event, int]]:
        """Create the thread if needed and log the prompt and the run's start (one worker
        call, shielded from cancellation). Returns what the front-end is still to be shown."""
        self._ensure_thread()
        events: list[Event] = []
        if prompt is not None:
            events.append(prompt)
        events += self._explicit_changes
        self._explicit_changes = []
        shown = [(event, self._append(event)) for event in events]
        self._set_state("running", title=prompt.text if prompt is not None else None)
        started = SessionStarted(
            project=str(self.project_root),
            model=self.model_name,
            mode=self.mode,
            front_end=self.opts.front_end,
            resumed=prompt is None,
            options=self.run_options.to_json(),
        )
        shown.append((started, self._append(started)))
        self._writer.wait()  # in the log before anything can act on the prompt
        self._raise_store_failure()
        return shown

    async def _shielded(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a store write in a worker to its end even when a signal or Esc comes
        meanwhile; the stop is honoured right after (the run ends cancelled, resumable)."""
        inner = asyncio.ensure_future(asyncio.to_thread(fn, *args))
        while True:
            try:
                return await asyncio.shield(inner)
            except asyncio.CancelledError:
                self._stop_requested = True
                if inner.done():
                    return inner.result()

    def cancel(self) -> None:
        """Stop the running stream or tool; the run returns status "cancelled". While a run
        is still starting (thread creation, store waits) the stop is kept and honoured as
        soon as the prompt is saved."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        elif self._shell_task is not None:  # a `!cmd` (its Bash run ends the process group)
            self._shell_stopped = True
            self._shell_task.cancel()
        elif self._starting:
            self._stop_requested = True

    def stop_next_run(self) -> None:
        """A stop that came before the run began (headless: a signal while opening): the
        next run saves its prompt, then ends cancelled."""
        self._stop_requested = True

    def _build_loop(self, max_turns: int | None) -> AgentLoop:
        from harness.agent.calls import CallRunner

        self._calls = CallRunner(
            tools=self._tools,
            state=self.state,
            record=self.record,
            approver=self.approver,
            tool_ctx=self.tool_ctx,
            permission_context=self.permission_context,
            decide=requests.decide,
            grant=self._grant,
            grant_hint=_grant_hint,
            hooks=_hooks_for(self),
            tracer=self.tracer,
            stored=self._stored,
        )
        from harness.agent.compaction import Compactor

        compactor = Compactor(self)
        self._loop = AgentLoop(
            state=self.state,
            record=self.record,
            emit=self.record,
            model=self.model,
            request=self._request,
            calls=self._calls,
            limits=Limits.from_settings(self.settings, max_turns),
            price=self.price,
            compact=compactor.compact,
            compact_needed=compactor.needed,
            tracer=self.tracer,
            thread_id=lambda: self.thread_id,
            stored=self._stored,
        )
        return self._loop

    async def compact(self) -> None:
        from harness.agent.compaction import Compactor

        self._require_idle()
        await asyncio.to_thread(self._ensure_thread)
        await Compactor(self).compact()

    # --- what the loop needs -------------------------------------------------------------

    @property
    def model(self) -> Any:
        if self._model is None:
            from harness.model.preload import make_client

            self._model = make_client(self.settings, demo=self.opts.demo)
        return self._model

    # What follows is built in `requests` from settings and state; the session keeps the
    # per-session caches and hands its collaborators these entry points.

    def _request(self) -> Any:
        return requests.model_request(self.settings, self.state, model=self.model_name,
                                      system=self.system, tools=self.tool_schemas)

    @property
    def system(self) -> list[dict]:
        if self._system is None:
            self._system = requests.system_prompt(self.project_root, self.settings)
        return self._system

    @property
    def tool_schemas(self) -> list[dict]:
        if self._tool_schemas is None:  # once per session: part of the cached prefix
            self._tool_schemas = requests.tool_schemas(list(self._tools.values()),
                                                       self.tool_ctx.harness_home)
        return self._tool_schemas

    def price(self, model: str, usage: Usage) -> float:
        return requests.price(self.settings, model or self.model_name, usage,
                              demo=self.opts.demo)

    def permission_context(self) -> Any:
        return requests.permission_context(self.settings, self.project_root, self.state,
                                           mode=self.mode, cwd=self.tool_ctx.cwd)

    def _search_filter(self, tool: str) -> Any:
        return requests.search_filter(self.permission_context(), tool)

    def _grant(self, call: Any, pctx: Any, scope: str) -> str | None:
        return requests.grant(self.project_root, call, pctx, scope)

    # --- what front-ends read --------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.state.mode or self.settings.permissions.mode

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
        if mode == "bypassPermissions" and not self.bypass_allowed:
            raise ValueError(
                "bypassPermissions is off; enable it with --allow-bypass or "
                "permissions.allow_bypass = true"
            )
        self.record(ModeChanged(mode=mode))

    @property
    def bypass_allowed(self) -> bool:
        return (
            self.settings.permissions.allow_bypass
            or self.settings.permissions.mode == "bypassPermissions"
        )

    def cycle_mode(self) -> str:
        order = CYCLE + (("bypassPermissions",) if self.bypass_allowed else ())
        current = self.mode if self.mode in order else "default"
        self.set_mode(order[(order.index(current) + 1) % len(order)])
        return self.mode

    @property
    def model_name(self) -> str:
        return self.state.model or self.settings.model.name

    def set_model(self, name: str) -> None:
        """`/model NAME`: later turns use `name` (an event, so resume and fork keep it)."""
        name = name.strip()
        if not name or any(c.isspace() for c in name):
            raise ValueError(f"{name!r} is not a model id, e.g. claude-sonnet-4-5")
        self._require_idle()
        requests.check_model_priced(self.settings, name, demo=self.opts.demo)
        self.record(ModelChanged(model=name))

    async def new_thread(self) -> None:
        """`/clear`: start an empty thread in the same project (the old one stays saved)."""
        self._require_idle()
        await asyncio.to_thread(self._attach, None)

    @property
    def spend(self) -> Spend:
        """This thread's spend, split into its own and its sub-agents' (`/cost`), a
        sub-agent waiting for a person included."""
        return self.state.spend_with(self._waiting_children)

    def _refresh_waiting_children(self) -> None:
        from harness.agent.subagents.runner import waiting_children_spend

        self._waiting_children = (
            waiting_children_spend(self.store, self.thread_id, self.state)
            if self.thread_id else {})

    @property
    def usage(self) -> Usage:
        return self.spend.usage  # sub-agents included, as every display shows

    @property
    def cost_usd(self) -> float:
        return self.spend.cost_usd

    @property
    def unpriced_models(self) -> list[str]:
        """Models of this thread (the current one included) with no configured price."""
        return requests.unpriced_models(self.settings, self.state, self.model_name,
                                        demo=self.opts.demo)

    @property
    def cost_known(self) -> bool:
        """False when some spend of this thread has no price: shown as unknown, never $0."""
        return not self.unpriced_models

    def pricing_notices(self, budget_source: str = "config") -> list[str]:
        """A start-up notice for an unpriced model; a ConfigError when a cost budget is set
        for one, since the budget could never trip."""
        return requests.pricing_notices(self.settings, self.unpriced_models, budget_source)

    @property
    def context_tokens(self) -> int:
        return self.state.context_tokens

    @property
    def context_window(self) -> int:
        return self.settings.model.context_window

    @property
    def num_turns(self) -> int:
        return self.state.num_turns

    @property
    def todos(self) -> list[dict]:
        return self.state.todos

    @property
    def pending(self) -> PermissionRequest | None:
        if self.state.pending is not None or not self.thread_id or self._store_failures.failed:
            return self.state.pending
        from harness.agent.subagents.runner import pending_in_children

        return pending_in_children(self.store, self.thread_id, self.state)  # a sub-agent's ask

    @property
    def busy(self) -> bool:
        return self._starting or (self._task is not None and not self._task.done())

    def history(self) -> list[tuple[int, Event]]:
        if not self.thread_id:
            return []
        self._writer.wait()  # idle: at most a /mode or /model step is still queued
        return [(e.seq, e.decode()) for e in self.store.events(self.thread_id)]

    def list_threads(self) -> list[Thread]:
        """This project's threads, newest first (front-ends never open the store)."""
        return list(self.store.list_threads(project=str(self.project_root)))

    @property
    def ui(self) -> UiSettings:
        return self.settings.ui

    # --- helpers -------------------------------------------------------------------------

    def _require_idle(self) -> None:
        if self.busy:
            raise SessionError("a run is in progress; wait for it or press Esc first")

    def _set_state(self, state: str, title: str | None = None) -> None:
        """Queue the thread row's update after the steps before it (the writer runs it)."""
        if not self.thread_id:
            return
        self._refresh_waiting_children()  # a run ends: a sub-agent may wait for a person
        fields: dict[str, Any] = {
            "state": state,
            "num_turns": self.state.num_turns,
            "tokens": self.spend.usage.total,  # sub-agents included (sessions list)
            "cost_usd": self.spend.cost_usd,
        }
        self._writer.submit(
            functools.partial(self._store_thread_fields, self.thread_id, fields, title)
        )

    def _store_thread_fields(self, thread_id: str, fields: dict[str, Any], title: str | None
                             ) -> None:
        """On the writer thread; after a store failure the run's end marks it failed."""
        failures = self._store_failures
        if failures.failed:
            return
        try:
            if title and not self.store.get_thread(thread_id).title:
                fields["title"] = " ".join(title.split())[:80]
            self.store.update_thread(thread_id, **fields)
        except StoreError as exc:
            failures.failure = failures.failure or exc


def _grant_hint(call: Any, ctx: Any) -> str | None:
    """The rule that would allow such a call (told to the model when nobody could ask)."""
    from harness.permissions.grants import suggest_rule

    rule = suggest_rule(call, ctx)
    return str(rule) if rule is not None else None


def _hooks_for(session: AgentSession) -> Any:
    hooks = session.settings.hooks
    if not any(
        (
            hooks.pre_tool_use,
            hooks.post_tool_use,
            hooks.notification,
            hooks.user_prompt_submit,
            hooks.stop,
        )
    ):
        return None  # no hooks configured: no per-call cost
    from harness.hooks.bridge import HookBridge

    return HookBridge(session)
