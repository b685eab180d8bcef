"""One dedicated thread that runs a session's store writes, in the order they were queued,
so the event loop that draws the UI never waits on a database round trip or an fsync.

Jobs are plain callables; a job handles its own StoreErrors (the agent spills the step).
Anything else a job raises is a bug: the writer keeps it, runs no later job (step N+1 must
never be stored without step N) and raises it at every later barrier.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable

Job = Callable[[], object]


class StoreWriter:
    """A FIFO of store writes run by one thread, started at the first job."""

    def __init__(self, name: str = "harness-store-writer") -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queued = 0  # jobs ever queued
        self._finished = 0  # jobs run (or skipped after an error)
        self._waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.error: BaseException | None = None  # the first thing a job raised

    # --- queueing --------------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """Queue `job` after every job queued before it (from any thread)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
                self._thread.start()
            self._queued += 1
            self._jobs.put(job)

    @property
    def pending(self) -> int:
        """Jobs queued and not yet run."""
        with self._lock:
            return self._queued - self._finished

    # --- barriers --------------------------------------------------------------------

    def raise_error(self) -> None:
        """Raise what an earlier job raised, if one did."""
        if self.error is not None:
            raise self.error

    def wait(self) -> None:
        """Block until every job queued so far has run (from a worker, or while idle)."""
        with self._lock:
            target = self._queued
            while self._finished < target:
                self._idle.wait()
        self.raise_error()

    async def drained(self) -> None:
        """Wait, without blocking the event loop, until every job queued so far has run."""
        with self._lock:
            target = self._queued
            if self._finished >= target:
                future = None
            else:
                future = asyncio.get_running_loop().create_future()
                self._waiters.append((target, asyncio.get_running_loop(), future))
        if future is not None:
            await future
        self.raise_error()

    # --- the thread ------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self.error is None:
                try:
                    job()
                except BaseException as exc:  # a bug: kept and raised at the next barrier
                    self.error = exc
            self._finish_one()

    def _finish_one(self) -> None:
        with self._lock:
            self._finished += 1
            self._idle.notify_all()
            ready = [w for w in self._waiters if w[0] <= self._finished]
            self._waiters = [w for w in self._waiters if w[0] > self._finished]
        for _target, loop, future in ready:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                loop.call_soon_threadsafe(_resolve, future)

    def close(self) -> None:
        """Run what is queued, then stop the thread (a later job starts a new one)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._jobs.put(None)  # after every queued job; not counted as one
        if thread is not None and thread is not threading.current_thread():
            thread.join()

def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():  # its waiter was cancelled: nothing to tell
        future.set_result(None)
