"""The local spill: events and state changes a failing store could not take, one JSON line
each (fsynced), under `$HARNESS_HOME/spill/<store>/<thread>.jsonl`; replayed, idempotently
on (thread_id, seq), the next time that store is opened.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from harness.store.base import SeqConflict, StoreFailure, ThreadNotFound
from harness.store.secrets import redacting_logger

if TYPE_CHECKING:
    from harness.store.sqlbase import SQLStore

log = redacting_logger("harness.store.spill")  # spilled lines may name URLs
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


class Spill:
    """The spill folder of one store (named by a digest of its file path or URL)."""

    def __init__(self, store_key: str, home: Path | None = None) -> None:
        self.store_key = store_key
        digest = hashlib.sha256(store_key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.dir = spill_root(home) / digest

    def file_for(self, thread_id: str) -> Path:
        return self.dir / f"{thread_id}.jsonl"

    def add_event(self, thread_id: str, seq: int, etype: str, text: str) -> Path:
        """`text` is the event's JSON as the store would have written it (already scrubbed)."""
        return self._write(thread_id, {"kind": "event", "thread_id": thread_id, "seq": seq,
                                       "type": etype, "json": text})

    def add_state(self, thread_id: str, at_seq: int, state: str) -> Path:
        return self._write(thread_id, {"kind": "state", "thread_id": thread_id,
                                       "at_seq": at_seq, "state": state})

    def _write(self, thread_id: str, line: dict[str, Any]) -> Path:
        new_dir = not self.dir.is_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        if new_dir:
            (self.dir / "store").write_text(self.store_key + "\n")
        path = self.file_for(thread_id)
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data)  # one write: a crash leaves at most a torn last line
            os.fsync(fd)
        finally:
            os.close(fd)
        if new_dir:  # the new directory entry must survive a power cut too
            _fsync_dir(self.dir)
        return path

    def pending(self) -> list[Path]:
        """Spill files, per thread the one claimed by an interrupted replay first (older)."""
        try:
            found = [p for p in self.dir.iterdir() if p.suffix in (".jsonl", CLAIMED)]
        except FileNotFoundError:
            return []
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
                aside = self.dir / f"{path.stem}-{time.time_ns()}.conflict"
                path.rename(aside)
                report.conflicts.append(str(aside))
                log.warning("spill %s not replayed: %s", aside, exc)
            except StoreFailure as exc:
                log.warning("spill %s kept for the next open: %s", path, exc)
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

