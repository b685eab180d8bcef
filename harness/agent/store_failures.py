"""What a session does when its store fails mid-run (disk full, corrupt page, I/O error,
PostgreSQL gone): later steps go, in order, to the store's local spill; the thread is
marked `failed` (through the spill when the store cannot take that either); the run ends
`failed` with a one-line reason (exit 1 headless), never a traceback."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from harness.protocol.events import Event, Result, Usage
from harness.protocol.outcomes import RunResult
from harness.store.base import StoreError, StoreFailure, one_line

if TYPE_CHECKING:
    from harness.agent.session import AgentSession


class StoreFailures:
    """The store-failure state of one session: once one append failed, every later step
    is spilled (the spill keeps the order; the store must not get step N+1 without N)."""

    def __init__(self) -> None:
        self.failure: StoreError | None = None
        self.spill_path = ""

    @property
    def failed(self) -> bool:
        return self.failure is not None

    def spill(
        self, session: AgentSession, thread_id: str, seq: int, event: Event,
        exc: StoreError | None,
    ) -> None:
        """Keep `event` in the spill at `seq` (on the session's store writer thread)."""
        if exc is not None and self.failure is None:
            self.failure = exc
        try:
            self.spill_path = session.store.spill(thread_id, seq, event)
        except OSError as err:
            self.failure = StoreFailure(
                f"{self.failure}; keeping step {seq} locally failed too ({err})"
            )

    def end_run(self, session: AgentSession, exc: StoreError) -> RunResult:
        """Mark the thread failed and build the run's result (blocking: call in a thread)."""
        reason = one_line(str(exc))
        if session.thread_id:
            try:
                session.store.update_thread(session.thread_id, state="failed")
            except StoreError:
                with contextlib.suppress(OSError):
                    session.store.spill_state(session.thread_id, session.state.last_seq,
                                              "failed")
            if self.spill_path:
                reason += (f"; the steps it could not store are kept in {self.spill_path} "
                           "and stored at the next start")
        self.failure = self.failure or exc
        counters = session._loop.counters if session._loop is not None else None
        return RunResult(
            status="failed", result=reason, error=reason,
            num_turns=counters.turns if counters else 0,
            usage=counters.usage if counters else Usage(),
            cost_usd=counters.cost_usd if counters else 0.0,
        )


def result_event(result: RunResult) -> Result:
    """The run's `result`, for front-ends only: the store could not take it."""
    return Result(status=result.status, result=result.result, is_error=True,
                  num_turns=result.num_turns, usage=result.usage, cost_usd=result.cost_usd)
