"""The store logic both SQL backends share: threads, append, prefix-sharing forks,
checksums, leases, reconnecting and the spill. A backend supplies the
connection, the DDL, the placeholder style, transactions and the mapping of its driver
errors to typed StoreErrors.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import uuid
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from harness.protocol.events import Event, UserMessage, encode
from harness.protocol.kinds import THREAD_STATES, ThreadStateName
from harness.store.base import (
    MIN_PREFIX,
    AmbiguousThreadPrefix,
    Checkpoint,
    CorruptEvent,
    SeqConflict,
    StoredEvent,
    StoreError,
    Thread,
    ThreadNotFound,
)
from harness.store.leases import LeaseMixin
from harness.store.reconnect import ReconnectMixin, reconnecting
from harness.store.secrets import scrub
from harness.store.spill import ReplayReport, Spill

T = TypeVar("T")

_THREAD_COLUMNS = (
    "thread_id, project, title, state, created_at, updated_at, parent_thread_id, "
    "parent_seq, shares_prefix, last_seq, num_turns, tokens, cost_usd, model, agent, "
    "parent_call_id, meta"
)
UPDATABLE_FIELDS = ("title", "state", "num_turns", "tokens", "cost_usd", "model", "meta")
TITLE_LENGTH = 80


def checksum(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def new_thread_id() -> str:
    return uuid.uuid4().hex[:12]


class _Attempt:
    """The seq an append allocated before its connection broke: a retry stores the event
    at exactly that seq (idempotent), so a commit whose acknowledgement was lost is not
    stored twice and the log keeps no gap."""

    __slots__ = ("seq",)

    def __init__(self) -> None:
        self.seq: int | None = None


def _title_from(event: Event) -> str:
    if not isinstance(event, UserMessage):
        return ""
    text = " ".join(event.text.split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


class SQLStore(ReconnectMixin, LeaseMixin, ABC):
    """Backend-neutral implementation over a DB-API connection guarded by one lock."""

    placeholder = "?"
    describe = "store"  # the file or URL, for error messages
    spill_key = ""  # names this store's spill folder: the resolved file path, or the URL
    trigger_advances_thread = False  # SQLite: a trigger moves last_seq on every insert

    def __init__(self, *, lease_timeout: float = 60.0, reconnect_window: float = 0.0) -> None:
        self._lock = threading.RLock()
        self.lease_timeout = lease_timeout
        self._init_reconnect(reconnect_window)
        self.spill_report = ReplayReport()
        self._spilled_states: dict[str, str] = {}  # states still only in the spill
        self._spilled_threads: dict[str, str] = {}  # thread → its spill file, not stored yet
        self._spill_folders: Spill | None = None
        self._host = socket.gethostname()
        self._held: set[str] = set()
        self._heartbeat_stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._closed = False

    # --- backend hooks -------------------------------------------------------------

    @abstractmethod
    def _raw_execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        """Run one statement on the backend's connection."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[None]:
        """One transaction: commit on success, roll back on error."""

    @abstractmethod
    def _guard(self) -> AbstractContextManager[None]:
        """Turn the driver's errors into StoreError naming the database."""

    def _lock_row_sql(self) -> str:
        return ""  # PostgreSQL adds FOR UPDATE; SQLite's BEGIN IMMEDIATE already serialises

    @abstractmethod
    def _close_connection(self) -> None:
        """Close the backend's connection."""

    # --- helpers -------------------------------------------------------------------

    def _x(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.placeholder != "?":
            sql = sql.replace("?", self.placeholder)
        return self._raw_execute(sql, params)

    def _row(self, thread_id: str) -> tuple[Any, ...]:
        row = self._x(f"SELECT {_THREAD_COLUMNS} FROM threads WHERE thread_id = ?",
                      (thread_id,)).fetchone()
        if row is None:
            raise ThreadNotFound(thread_id)
        return tuple(row)

    def _thread(self, row: tuple[Any, ...]) -> Thread:
        (tid, project, title, state, created, updated, parent, parent_seq, _shares, last_seq,
         turns, tokens, cost, model, agent, call_id, meta) = row
        if self._spilled_states and state == "running":
            # A run marked this thread failed in the spill, which this store cannot take
            # yet: show the truth rather than a "running" nobody drives.
            state = self._spilled_states.get(tid, state)
        return Thread(
            thread_id=tid, project=project, title=title, state=state, created_at=created,
            updated_at=updated, parent_thread_id=parent, parent_seq=parent_seq,
            last_seq=last_seq, num_turns=turns, tokens=tokens, cost_usd=cost, model=model,
            agent=agent, parent_call_id=call_id, meta=json.loads(meta) if meta else {},
        )

    # --- threads -------------------------------------------------------------------

    def create_thread(
        self,
        project: str,
        *,
        title: str = "",
        parent: Checkpoint | None = None,
        model: str = "",
        agent: str = "",
        parent_call_id: str | None = None,
    ) -> Thread:
        """A new thread. With `parent` and no `parent_call_id` it is a fork sharing the
        parent's prefix; with `parent_call_id` (a subagent) it only records where it was
        spawned and starts its own log at seq 1."""
        return self._new_thread(project, title=title, parent=parent, model=model, agent=agent,
                                parent_call_id=parent_call_id)

    def _new_thread(self, project: str, *, title: str, parent: Checkpoint | None, model: str,
                    agent: str = "", parent_call_id: str | None = None,
                    state: ThreadStateName = "running") -> Thread:
        tid = new_thread_id()  # chosen once: a retried insert cannot make a second thread
        title = scrub(title)
        return self._retrying(
            lambda: self._create_thread(tid, project, title, parent, model, agent, parent_call_id,
                                        state)
        )

    def _create_thread(
        self,
        tid: str,
        project: str,
        title: str,
        parent: Checkpoint | None,
        model: str,
        agent: str,
        parent_call_id: str | None,
        state: ThreadStateName = "running",
    ) -> Thread:
        now = time.time()
        shares = parent is not None and parent_call_id is None
        with self._lock, self._guard():
            last_seq = 0
            if parent is not None:
                prow = self._row(parent.thread_id)
                if not 0 <= parent.seq <= prow[9]:
                    raise StoreError(
                        f"thread {parent.thread_id} has events 1..{prow[9]}; "
                        f"cannot start a thread at seq {parent.seq}"
                    )
                if shares:
                    last_seq = parent.seq
            with self._transaction():
                self._x(
                    f"INSERT INTO threads ({_THREAD_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (thread_id) DO NOTHING",
                    (tid, project, title, state, now, now,
                     parent.thread_id if parent else None, parent.seq if parent else None,
                     1 if shares else 0, last_seq, 0, 0, 0.0, model, agent, parent_call_id, "{}"),
                )
            return self._thread(self._row(tid))

    @reconnecting
    def get_thread(self, thread_id: str) -> Thread:
        with self._lock, self._guard():
            return self._thread(self._row(thread_id))

    @reconnecting
    def resolve_thread(self, text: str) -> Thread:
        with self._lock, self._guard():
            try:
                return self._thread(self._row(text))
            except ThreadNotFound:
                if len(text) < MIN_PREFIX:
                    raise
            pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self._x("SELECT thread_id FROM threads WHERE thread_id LIKE ? ESCAPE '\\' "
                           "ORDER BY thread_id LIMIT 6", (pattern,)).fetchall()
            if len(rows) > 1:
                raise AmbiguousThreadPrefix(text, [r[0] for r in rows])
            if not rows:
                raise ThreadNotFound(text)
            return self._thread(self._row(rows[0][0]))


    @reconnecting
    def update_thread(self, thread_id: str, **fields: Any) -> None:
        unknown = sorted(set(fields) - set(UPDATABLE_FIELDS))
        if unknown:
            raise StoreError(f"cannot update {unknown}; allowed: {', '.join(UPDATABLE_FIELDS)}")
        if "state" in fields and fields["state"] not in THREAD_STATES:
            raise StoreError(
                f"unknown thread state {fields['state']!r}; allowed: {', '.join(THREAD_STATES)}"
            )
        values = {k: (json.dumps(v) if k == "meta" else v) for k, v in fields.items()}
        for key in ("title", "meta"):  # free text may carry a secret too
            if isinstance(values.get(key), str):
                values[key] = scrub(values[key])
        values["updated_at"] = time.time()
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._lock, self._guard(), self._transaction():
            cur = self._x(f"UPDATE threads SET {sets} WHERE thread_id = ?",
                          (*values.values(), thread_id))
            if cur.rowcount == 0:
                raise ThreadNotFound(thread_id)

    @reconnecting
    def list_threads(
        self, project: str | None = None, *, limit: int = 100, include_children: bool = False
    ) -> list[Thread]:
        where, params = [], []
        if project is not None:
            where.append("project = ?")
            params.append(project)
        if not include_children:
            where.append("parent_call_id IS NULL")
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        with self._lock, self._guard():
            rows = self._x(
                f"SELECT {_THREAD_COLUMNS} FROM threads {clause}"
                "ORDER BY updated_at DESC, created_at DESC, thread_id LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [self._thread(tuple(r)) for r in rows]

    @reconnecting
    def children(self, thread_id: str) -> list[Thread]:
        with self._lock, self._guard():
            rows = self._x(
                f"SELECT {_THREAD_COLUMNS} FROM threads WHERE parent_thread_id = ? "
                "ORDER BY created_at, thread_id",
                (thread_id,),
            ).fetchall()
        return [self._thread(tuple(r)) for r in rows]

    def last_thread(self, project: str) -> Thread | None:
        found = self.list_threads(project, limit=1)
        return found[0] if found else None

    def fork(self, thread_id: str, seq: int | None = None, *, title: str = "") -> Thread:
        """A new thread sharing `thread_id`'s log up to `seq`: `idle` until it first runs,
        titled after what it is a fork of and where."""
        parent = self.get_thread(thread_id)
        at = parent.last_seq if seq is None else seq
        what = parent.title or parent.thread_id
        return self._new_thread(
            parent.project, title=title or f"fork of {what} @ step {at}",
            parent=Checkpoint(thread_id, at), model=parent.model, state="idle",
        )

    @reconnecting
    def delete_thread(self, thread_id: str) -> None:
        """Delete a thread, its snapshots, lease and subagent threads. Forks that share its
        history must be deleted first: deleting it would cut their prefix."""
        with self._lock, self._guard():
            self._row(thread_id)
            kids = self.children(thread_id)
            forks = [k.thread_id for k in kids if k.parent_call_id is None]
            if forks:
                raise StoreError(
                    f"thread {thread_id} has forks that share its history ({', '.join(forks)}); "
                    "delete them first"
                )
            for kid in kids:
                self.delete_thread(kid.thread_id)
            with self._transaction():
                for table in ("events", "snapshots", "leases", "threads"):
                    self._x(f"DELETE FROM {table} WHERE thread_id = ?", (thread_id,))
            self._held.discard(thread_id)

    # --- events --------------------------------------------------------------------

    def append(self, thread_id: str, event: Event, *, seq: int | None = None) -> int:
        if type(event).STREAM_ONLY:
            raise ValueError(f"{event.type} is a stream-only event; it is never stored")
        text = scrub(encode(event))
        crc = checksum(text.encode("utf-8"))
        title = _title_from(event)
        title = scrub(title) if title else ""
        attempt = _Attempt()
        attempt.seq = seq
        etype = event.type

        def once() -> int:
            with self._lock, self._guard():
                if attempt.seq is not None:  # explicit, or a retry after a lost connection
                    self._append_at(thread_id, attempt.seq, etype, text, crc, title)
                    return attempt.seq
                return self._insert_event(thread_id, etype, text, crc, title, attempt)

        return self._retrying(once)

    def _append_text_at(self, thread_id: str, seq: int, etype: str, text: str) -> bool:
        """Store already-encoded JSON at `seq` (the spill replays this way); False when it
        was already there."""
        from harness.protocol.events import decode

        crc = checksum(text.encode("utf-8", "surrogateescape"))
        title = _title_from(decode(text))

        def once() -> bool:
            with self._lock, self._guard():
                return self._append_at(thread_id, seq, etype, text, crc, scrub(title))

        return self._retrying(once)

    def _insert_event(
        self, thread_id: str, etype: str, text: str, crc: int, title: str, attempt: _Attempt
    ) -> int:
        """Allocate the next seq and store the row in one transaction."""
        with self._transaction():
            row = self._x(
                "UPDATE threads SET last_seq = last_seq + 1, updated_at = ?, "
                "title = CASE WHEN title = '' THEN ? ELSE title END "
                "WHERE thread_id = ? RETURNING last_seq",
                (time.time(), title, thread_id),
            ).fetchone()
            if row is None:
                raise ThreadNotFound(thread_id)
            seq = int(row[0])
            attempt.seq = seq  # from here on, a broken connection may hide a done commit
            self._x("INSERT INTO events (thread_id, seq, type, json, crc32) VALUES (?, ?, ?, ?, ?)",
                    (thread_id, seq, etype, text, crc))
        return seq

    def _append_at(
        self, thread_id: str, seq: int, etype: str, text: str, crc: int, title: str
    ) -> bool:
        """Store the event at exactly `seq`: True if stored now, False if the same event is
        already there; SeqConflict if another event is, or the log does not end at seq - 1."""
        with self._transaction():
            found = self._x("SELECT json FROM events WHERE thread_id = ? AND seq = ?",
                            (thread_id, seq)).fetchone()
            if found is not None:
                if found[0] == text:
                    return False
                raise SeqConflict(thread_id, seq, "another event already has that seq")
            row = self._x("SELECT last_seq FROM threads WHERE thread_id = ?"
                          + self._lock_row_sql(), (thread_id,)).fetchone()
            if row is None:
                raise ThreadNotFound(thread_id)
            if int(row[0]) != seq - 1:
                raise SeqConflict(thread_id, seq, f"the log ends at seq {int(row[0])}")
            self._x("INSERT INTO events (thread_id, seq, type, json, crc32) VALUES (?, ?, ?, ?, ?)",
                    (thread_id, seq, etype, text, crc))
            if not self.trigger_advances_thread:
                self._x("UPDATE threads SET last_seq = ?, updated_at = ? WHERE thread_id = ?",
                        (seq, time.time(), thread_id))
            if title:
                self._x("UPDATE threads SET title = ? WHERE thread_id = ? AND title = ''",
                        (title, thread_id))
        return True

    def _chain(self, thread_id: str) -> list[tuple[str, int, int]]:
        """(thread, first own seq, last visible seq) for the thread and every ancestor whose
        prefix it shares, oldest first."""
        chain: list[tuple[str, int, int]] = []
        tid: str = thread_id
        end: int | None = None
        while True:
            row = self._row(tid)
            parent, parent_seq, shares, last_seq = row[6], row[7], row[8], row[9]
            chain.append((tid, parent_seq + 1 if shares else 1, last_seq if end is None else end))
            if not shares:
                break
            # A fork taken inside its parent's own prefix sees the grandparent only up to
            # the fork point, not up to where the parent itself branched off.
            tid, end = parent, parent_seq if end is None else min(parent_seq, end)
        return chain[::-1]

    def _segments(
        self, thread_id: str, after_seq: int, upto_seq: int | None
    ) -> list[tuple[str, int, int]]:
        """The parts of each log in the chain that fall in (after_seq, upto_seq]."""
        upto = sys.maxsize if upto_seq is None else upto_seq
        out = []
        for tid, lo, hi in self._chain(thread_id):
            lo, hi = max(lo, after_seq + 1), min(hi, upto)
            if lo <= hi:
                out.append((tid, lo, int(hi)))
        return out

    def _read_segment(self, tid: str, lo: int, hi: int) -> list[tuple[Any, ...]]:
        return self._x(
            "SELECT seq, type, json, crc32 FROM events WHERE thread_id = ? AND seq BETWEEN ? AND ? "
            "ORDER BY seq",
            (tid, lo, hi),
        ).fetchall()

    def events(
        self, thread_id: str, *, after_seq: int = 0, upto_seq: int | None = None
    ) -> Iterator[StoredEvent]:
        segments = self._retrying(lambda: self._locked(self._segments, thread_id, after_seq,
                                                       upto_seq))
        return self._iter_segments(segments)

    def _locked(self, fn: Callable[..., T], *args: Any) -> T:
        with self._lock, self._guard():
            return fn(*args)

    def _iter_segments(self, segments: list[tuple[str, int, int]]) -> Iterator[StoredEvent]:
        for tid, lo, hi in segments:
            rows = self._retrying(lambda: self._locked(self._read_segment, tid, lo, hi))  # noqa: B023
            expected = lo
            for seq, etype, body, crc in rows:
                if seq != expected:  # a gap means rows were lost, never silently skip them
                    raise CorruptEvent(tid, expected, "missing from the log")
                yield self._verify(tid, seq, etype, body, crc)
                expected += 1
            if expected <= hi:
                raise CorruptEvent(tid, expected, "missing from the log")

    @staticmethod
    def _verify(tid: str, seq: int, etype: Any, body: Any, crc: Any) -> StoredEvent:
        data = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else bytes(body)
        if crc is None or checksum(data) != int(crc):
            raise CorruptEvent(tid, seq, "checksum mismatch (the stored bytes were altered)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorruptEvent(tid, seq, f"not UTF-8 ({exc.reason})") from None
        if isinstance(etype, bytes):
            etype = etype.decode("utf-8", "replace")
        return StoredEvent(thread_id=tid, seq=int(seq), type=str(etype), raw=text)

    # --- spill ---------------------------------------------------------------------

    def _spill(self) -> Spill:
        if self._spill_folders is None:  # one per store: a thread's lines stay in one folder
            self._spill_folders = Spill(self.spill_key or self.describe)
        return self._spill_folders

    def spill(self, thread_id: str, seq: int, event: Event) -> str:
        if type(event).STREAM_ONLY:
            raise ValueError(f"{event.type} is a stream-only event; it is never stored")
        text = scrub(encode(event))
        return str(self._spill().add_event(thread_id, seq, event.type, text))

    def spill_state(self, thread_id: str, at_seq: int, state: str) -> str:
        if state not in THREAD_STATES:
            raise StoreError(f"unknown thread state {state!r}; allowed: {', '.join(THREAD_STATES)}")
        return str(self._spill().add_state(thread_id, at_seq, state))

    def replay_spill(self) -> ReplayReport:
        """Store what an earlier run spilled for this store (backends call it at open)."""
        spill = self._spill()
        if spill.pending():
            self.spill_report = spill.replay(self)
            self._spilled_states = spill.pending_states()  # what could not be stored yet
            self._spilled_threads = spill.pending_threads()
        return self.spill_report

    # --- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._heartbeat_stop.set()
            self._closing = True  # releasing is best-effort: never wait for a server
            for tid in sorted(self._held):
                try:
                    self.release_lease(tid)
                except StoreError:
                    pass  # the lease goes stale on its own
            self._closed = True
            self._close_connection()

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
