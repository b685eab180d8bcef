"""The store interface every backend implements (SQLite embedded, PostgreSQL for teams).

A thread is a log of events numbered by `seq`; a checkpoint is `(thread_id, seq)`. A
forked thread records its parent checkpoint and shares the parent's prefix (no copy):
its own events continue at `parent_seq + 1`. Reading a thread yields the ancestors'
prefix, then its own events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from harness.protocol.events import Event
from harness.protocol.kinds import ThreadStateName

if TYPE_CHECKING:
    from harness.store.spill import ReplayReport


@dataclass(frozen=True, slots=True)
class Checkpoint:
    thread_id: str
    seq: int

    def __str__(self) -> str:
        return f"{self.thread_id}@{self.seq}"


@dataclass(slots=True)
class Thread:
    thread_id: str
    project: str
    title: str = ""
    state: ThreadStateName = "running"
    created_at: float = 0.0
    updated_at: float = 0.0
    parent_thread_id: str | None = None
    parent_seq: int | None = None
    last_seq: int = 0  # highest seq visible in this thread (0 = empty)
    num_turns: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    model: str = ""
    agent: str = ""  # subagent type for child threads of a Task call
    parent_call_id: str | None = None  # the Task call that started this (sub)thread
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id, "title": self.title, "project": self.project,
            "state": self.state, "created_at": self.created_at, "updated_at": self.updated_at,
            "parent_thread_id": self.parent_thread_id, "parent_seq": self.parent_seq,
            "last_seq": self.last_seq, "num_turns": self.num_turns, "tokens": self.tokens,
            "cost_usd": self.cost_usd, "model": self.model, "agent": self.agent,
            "parent_call_id": self.parent_call_id,
        }


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back: its position plus the raw JSON, decoded on demand."""

    thread_id: str  # the thread (self or ancestor) whose log holds it
    seq: int
    type: str
    raw: str

    def decode(self) -> Event:
        from harness.protocol.events import decode

        return decode(self.raw)


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    pid: int
    host: str
    since: float


MIN_PREFIX = 4  # shortest thread-id prefix a command accepts


class StoreError(Exception):
    """A store problem a user can act on."""


def one_line(text: str) -> str:
    """Driver messages span lines (psycopg adds hints); a user-facing reason is one line."""
    return " ".join(str(text).split())


class StoreFailure(StoreError):
    """The store stopped taking reads or writes mid-run: the run stops with this reason
    (exit 1) and what it could not store goes to the local spill (see spill.py)."""

    def __init__(self, reason: str) -> None:
        from harness.store.secrets import redact  # a driver's message may quote a URL

        super().__init__(redact(one_line(reason)))


class StoreFull(StoreFailure):
    """The disk (or the server's disk, or a size limit) has no room for the write."""


class StoreCorrupt(StoreFailure):
    """The database file is damaged (a corrupt page, not a database at all)."""


class StoreIOError(StoreFailure):
    """The operating system failed a read or write (a failing disk, a read-only mount)."""


class StoreLocked(StoreFailure):
    """Another process held the database's write lock longer than the busy timeout."""


class StoreUnavailable(StoreFailure):
    """The PostgreSQL server is unreachable and did not come back within the reconnect
    window (`sessions.reconnect_window`)."""


class StoreConnectionLost(StoreUnavailable):
    """The connection broke; the store reconnects with backoff before giving up."""


class SeqConflict(StoreError):
    """An append at an explicit seq found that seq taken by a different event, or the log
    not ending right before it: another writer got there first."""

    def __init__(self, thread_id: str, seq: int, detail: str) -> None:
        super().__init__(f"thread {thread_id}: cannot store event seq {seq}: {detail}")
        self.thread_id, self.seq = thread_id, seq


class ThreadNotFound(StoreError):
    def __init__(self, thread_id: str) -> None:
        super().__init__(
            f"no thread {thread_id!r}; `harness sessions list` shows the threads of this project"
        )
        self.thread_id = thread_id


class AmbiguousThreadPrefix(StoreError):
    def __init__(self, prefix: str, matches: list[str]) -> None:
        super().__init__(f"thread prefix {prefix!r} is ambiguous: {', '.join(matches[:5])}; "
                         "type more of the id")
        self.prefix, self.matches = prefix, matches


class CorruptEvent(StoreError):
    """An event whose bytes do not match their checksum or do not decode."""

    def __init__(self, thread_id: str, seq: int, detail: str) -> None:
        super().__init__(f"thread {thread_id} event seq {seq} is corrupt: {detail}")
        self.thread_id, self.seq = thread_id, seq


class LeaseHeld(StoreError):
    def __init__(self, thread_id: str, holder: LeaseHolder) -> None:
        import time

        age = time.time() - holder.since
        super().__init__(
            f"thread {thread_id} is being driven by another harness process "
            f"(pid {holder.pid} on {holder.host}, since {age:.0f}s ago); "
            "wait for it to finish or stop it, or fork the thread with --fork"
        )
        self.thread_id, self.holder = thread_id, holder


class Store(Protocol):
    """Backend-neutral store. All methods are synchronous and thread-safe; the agent calls
    them through `asyncio.to_thread` where latency matters."""

    spill_report: ReplayReport  # what opening the store replayed from the local spill

    def create_thread(
        self,
        project: str,
        *,
        title: str = "",
        parent: Checkpoint | None = None,
        model: str = "",
        agent: str = "",
        parent_call_id: str | None = None,
    ) -> Thread: ...

    def append(self, thread_id: str, event: Event, *, seq: int | None = None) -> int:
        """Append one event; return its seq. O(size of the event). With `seq`, store it at
        exactly that seq: a no-op when the same event is already there (a retried append
        whose first attempt did commit), SeqConflict when another one is."""

    def spill(self, thread_id: str, seq: int, event: Event) -> str:
        """Keep an event this store could not take in a local file (fsynced), replayed at
        the next open of the store; returns the file's path."""

    def spill_state(self, thread_id: str, at_seq: int, state: str) -> str:
        """Keep a thread state change the store could not take, applied at the next open
        if the thread's log still ends at `at_seq`."""

    def events(
        self, thread_id: str, *, after_seq: int = 0, upto_seq: int | None = None
    ) -> Iterator[StoredEvent]:
        """Events visible in the thread (ancestor prefix included), in seq order."""

    def get_thread(self, thread_id: str) -> Thread: ...

    def resolve_thread(self, text: str) -> Thread:
        """A thread by its id, or by a unique prefix of at least `MIN_PREFIX` characters
        (every command that takes a thread goes through here)."""

    def update_thread(self, thread_id: str, **fields: Any) -> None:
        """Set title/state/num_turns/tokens/cost_usd/model/meta; bumps updated_at."""

    def list_threads(
        self, project: str | None = None, *, limit: int = 100, include_children: bool = False
    ) -> list[Thread]:
        """Newest activity first. Child (subagent) threads only when asked."""

    def children(self, thread_id: str) -> list[Thread]:
        """Threads forked from, or spawned as subagents by, this thread."""

    def last_thread(self, project: str) -> Thread | None: ...

    def fork(self, thread_id: str, seq: int | None = None, *, title: str = "") -> Thread:
        """O(1): a new thread whose parent checkpoint is (thread_id, seq or last)."""

    def acquire_lease(self, thread_id: str) -> None:
        """Take the driving lease, or raise LeaseHeld; a dead holder's lease is taken over."""

    def release_lease(self, thread_id: str) -> None: ...

    def delete_thread(self, thread_id: str) -> None: ...

    def close(self) -> None: ...
