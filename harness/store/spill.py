"""The local spill: events and state changes a failing store could not take, one JSON line
each (fsynced), under `$HARNESS_HOME/spill/<store>/<thread>.jsonl`; replayed, idempotently
on (thread_id, seq), the next time that store is opened.

When `$HARNESS_HOME` cannot take the line either (the default SQLite file lives there, so
a full disk fills both), the line goes to a private fallback folder on another file
system: `$XDG_RUNTIME_DIR/harness-spill-<uid>`, else `<tmp>/harness-spill-<uid>` (mode
0700, trusted only when it is ours and private).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from harness.store.base import SeqConflict, StoreFailure, ThreadNotFound
from harness.store.secrets import redacting_logger

if TYPE_CHECKING:
    from harness.store.sqlbase import SQLStore

LineKind = Literal["event", "state"]
CLAIMED = ".replaying"  # a spill file a replay has taken (renamed) and not finished


@dataclass
class ReplayReport:
    """What one replay did, for start-up notices and tests."""

    events: int = 0  # stored now
    already: int = 0  # found already stored (the first attempt had committed)
    states: int = 0
    conflicts: list[str] = field(default_factory=list)  # files kept aside as *.conflict

    def notices(self) -> list[str]:
        """One line per thing a person should know at start-up (nothing when all was calm)."""
        lines = []
        if self.events or self.states:
            lines.append(f"stored {self.events} step(s) and {self.states} state change(s) that "
                         "an earlier run could not save when the store failed")
        for path in self.conflicts:
            lines.append(f"steps an earlier run could not save conflict with the store now "
                         f"(another process went on with the thread); they are kept in {path}")
        return lines


def spill_root(home: Path | None = None) -> Path:
    from harness.config.home import harness_home

    return (home or harness_home()) / "spill"


def fallback_roots() -> list[Path]:
    """Private folders on other file systems, for when $HARNESS_HOME's disk is full."""
    # Not tempfile.gettempdir(): importing tempfile costs start-up time every open pays.
    bases = [os.environ.get("XDG_RUNTIME_DIR", ""), os.environ.get("TMPDIR") or "/tmp"]
    roots: list[Path] = []
    for base in bases:
        if base and (root := Path(base) / f"harness-spill-{os.getuid()}") not in roots:
            roots.append(root)
    return roots


def _private(path: Path) -> bool:
    """Ours, a real folder, and closed to others: a shared temp folder is only trusted so."""
    try:
        st = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


class Spill:
    """The spill folders of one store (named by a digest of its file path or URL): the one
    under $HARNESS_HOME first, then the private fallbacks."""

    def __init__(self, store_key: str, home: Path | None = None) -> None:
        self.store_key = store_key
        digest = hashlib.sha256(store_key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.dir = spill_root(home) / digest
        self._fallbacks = [root / digest for root in fallback_roots()]
        self._dir_for: dict[str, Path] = {}  # a thread's lines stay in one folder, in order

    def _dirs(self) -> list[Path]:
        """Where spill files may be: the main folder, and fallbacks that are private."""
        return [self.dir] + [d for d in self._fallbacks if _private(d.parent) and _private(d)]

    def add_event(self, thread_id: str, seq: int, etype: str, text: str) -> Path:
        """`text` is the event's JSON as the store would have written it (already scrubbed)."""
        return self._write(thread_id, {"kind": "event", "thread_id": thread_id, "seq": seq,
                                       "type": etype, "json": text})

    def add_state(self, thread_id: str, at_seq: int, state: str) -> Path:
        return self._write(thread_id, {"kind": "state", "thread_id": thread_id,
                                       "at_seq": at_seq, "state": state})

    def _write(self, thread_id: str, line: dict[str, Any]) -> Path:
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")
        chosen = self._dir_for.get(thread_id)
        candidates = [chosen] if chosen is not None else [self.dir, *self._fallbacks]
        error: OSError | None = None
        for folder in candidates:
            try:
                path = self._append(folder, thread_id, data, private=folder != self.dir)
            except OSError as exc:
                error = error or exc
                continue
            self._dir_for[thread_id] = folder
            return path
        assert error is not None
        raise error

    def _append(self, folder: Path, thread_id: str, data: bytes, *, private: bool) -> Path:
        new_dir = not folder.is_dir()
        if private:
            folder.parent.mkdir(mode=0o700, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
            if not (_private(folder.parent) and _private(folder)):
                raise PermissionError(f"{folder} is not a private folder of this user")
        else:
            folder.mkdir(parents=True, exist_ok=True)
        if new_dir:
            with contextlib.suppress(OSError):  # a note for humans; the lines matter
                (folder / "store").write_text(self.store_key + "\n")
        path = folder / f"{thread_id}.jsonl"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # end a torn line first, or this one would be lost too
            if os.write(fd, data) != len(data):  # one write: a crash leaves a torn last line
                raise OSError(errno.ENOSPC, "short write to the spill file", str(path))
            os.fsync(fd)
        finally:
            os.close(fd)
        if new_dir:  # the new directory entry must survive a power cut too
            _fsync_dir(folder)
        return path

    def pending(self) -> list[Path]:
        """Spill files, per thread the one claimed by an interrupted replay first (older)."""
        found: list[Path] = []
        for folder in self._dirs():
            try:
                found += [p for p in folder.iterdir() if p.suffix in (".jsonl", CLAIMED)]
            except OSError:
                continue
        return sorted(found, key=lambda p: (p.stem, p.suffix != CLAIMED))

    def pending_threads(self) -> dict[str, str]:
        """thread id → spill file, for every thread whose spill is not stored yet."""
        return {path.stem: str(path) for path in self.pending()}

    def pending_states(self) -> dict[str, str]:
        """The last spilled state of each thread whose spill is not stored yet."""
        states: dict[str, str] = {}
        for path in self.pending():
            try:
                lines = _read_lines(path)
            except OSError:
                continue
            for line in lines:
                if line["kind"] == "state":
                    states[str(line["thread_id"])] = str(line["state"])
        return states

    def replay(self, store: SQLStore) -> ReplayReport:
        """Store every spilled line, in order; a file fully replayed is removed. A store still
        failing keeps the files for the next open; a seq taken by another writer keeps the
        file aside as `*.conflict` (nothing is dropped silently). A file is first claimed by
        renaming it, so a run still spilling to it starts a new file rather than adding
        lines this replay would not see before removing the file."""
        report = ReplayReport()
        for path in self.pending():
            if path.suffix == ".jsonl":
                claimed = path.with_suffix(CLAIMED)
                if claimed.exists():
                    continue  # an older claimed file of this thread is still unstored
                try:
                    path.rename(claimed)
                except FileNotFoundError:
                    continue  # another process claimed it first
                path = claimed
            try:
                self._replay_file(store, path, report)
            except SeqConflict as exc:
                aside = path.parent / f"{path.stem}-{time.time_ns()}.conflict"
                path.rename(aside)
                report.conflicts.append(str(aside))
                _warn("spill %s not replayed: %s", aside, exc)
            except StoreFailure as exc:
                _warn("spill %s kept for the next open: %s", path, exc)
                break
            except FileNotFoundError:
                continue  # replayed by another process opening the store at the same time
        return report

    def _replay_file(self, store: SQLStore, path: Path, report: ReplayReport) -> None:
        for line in _read_lines(path):
            tid = str(line["thread_id"])
            try:
                if line["kind"] == "event":
                    stored = store._append_text_at(tid, int(line["seq"]), str(line["type"]),
                                                   str(line["json"]))
                    report.events += stored
                    report.already += not stored
                elif store.get_thread(tid).last_seq == int(line["at_seq"]):  # a state line
                    store.update_thread(tid, state=str(line["state"]))
                    report.states += 1
            except ThreadNotFound:
                # Not in this store (deleted, or the file was replaced by a fresh one):
                # kept aside, never dropped.
                raise SeqConflict(tid, int(line.get("seq") or 0), "the thread is not in "
                                  "this store") from None
        path.unlink(missing_ok=True)


def _warn(message: str, *args: Any) -> None:
    # The logger (and `logging`) only when there is something to say.
    redacting_logger("harness.store.spill").warning(message, *args)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_bytes().splitlines():
        try:
            line = json.loads(raw.decode("utf-8", "surrogateescape"))
        except ValueError:
            continue  # a torn last line from a crash mid-write: it was never acknowledged
        if isinstance(line, dict) and line.get("kind") in ("event", "state"):
            lines.append(line)
    return lines


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

