"""SQLite-only: the database file itself damaged on disk, WAL settings, the default path."""

from __future__ import annotations

import sqlite3

import pytest

from harness.protocol.events import ToolResult, UserMessage
from harness.store.base import CorruptEvent, StoreError
from harness.store.open import open_store
from harness.store.sqlite import SQLiteStore


def _two_threads(path, n: int = 3) -> tuple[str, str]:
    store = SQLiteStore(path)
    a = store.create_thread("/proj")
    b = store.create_thread("/proj")
    for i in range(n):
        store.append(a.thread_id, ToolResult(call_id=f"a{i}", tool="Bash",
                                             content=f"MARKER-A-{i}-" + "x" * 50))
        store.append(b.thread_id, UserMessage(text=f"b{i}"))
    store.close()  # checkpoints the WAL into the main file
    return a.thread_id, b.thread_id


def test_default_store_is_one_wal_database_under_harness_home(_isolated_home):
    store = open_store(None)
    assert store.path == _isolated_home / "sessions.db"
    assert store._x("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._x("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()


def test_bytes_flipped_on_disk_raise_corrupt_event_and_other_threads_read(tmp_path):
    path = tmp_path / "s.db"
    a, b = _two_threads(path)
    data = bytearray(path.read_bytes())
    at = data.index(b"MARKER-A-1-")
    data[at + 7] ^= 0x01  # "MARKER-@-1" on disk, checksum untouched
    path.write_bytes(bytes(data))
    store = SQLiteStore(path)
    it = store.events(a)
    assert next(it).seq == 1
    with pytest.raises(CorruptEvent) as info:
        next(it)
    assert (info.value.thread_id, info.value.seq) == (a, 2)
    assert [e.seq for e in store.events(b)] == [1, 2, 3]
    store.close()


def test_invalid_utf8_in_a_row_is_a_corrupt_event_not_a_driver_error(tmp_path):
    path = tmp_path / "s.db"
    a, b = _two_threads(path)
    raw = sqlite3.connect(path)
    raw.execute("UPDATE events SET json = CAST(x'7b22ff22' AS TEXT) "
                "WHERE thread_id = ? AND seq = 3", (a,))
    raw.commit()
    raw.close()
    store = SQLiteStore(path)
    with pytest.raises(CorruptEvent, match=f"thread {a} event seq 3"):
        list(store.events(a))
    assert len(list(store.events(b))) == 3
    store.close()


def test_truncated_database_file_is_a_store_error_naming_the_file(tmp_path):
    path = tmp_path / "s.db"
    _two_threads(path, n=40)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(StoreError, match=str(path)) as info:
        store = SQLiteStore(path)
        for thread in store.list_threads():
            list(store.events(thread.thread_id))
    assert "corrupt or truncated" in str(info.value)


def test_a_file_that_is_not_a_database_is_refused_at_open(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=f"{path}.*corrupt or truncated"):
        SQLiteStore(path)


def test_open_store_urls(tmp_path):
    store = open_store(f"sqlite:{tmp_path / 'x.db'}")
    assert store.path == tmp_path / "x.db"
    store.close()
    store = open_store(f"sqlite://{tmp_path / 'y.db'}")
    assert store.path == tmp_path / "y.db"
    store.close()
    with pytest.raises(StoreError, match="postgresql://"):
        open_store("mysql://db")
    with pytest.raises(StoreError, match="names no file"):
        open_store("sqlite:")


# --- typed failures: what a run stops with ---------------------------------------------

GROWER = """
import resource, signal, sys
from harness.store.base import StoreError
from harness.protocol.events import ToolResult
from harness.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1])
t = store.create_thread("/proj")
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
limit = store.path.stat().st_size + 64 * 1024
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    for i in range(100):
        store.append(t.thread_id, ToolResult(call_id=str(i), tool="Bash", content="x" * 50000))
except StoreError as exc:
    print(type(exc).__name__)
    print(exc)
"""


def test_a_failing_write_is_a_typed_io_error_naming_the_file(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "s.db"
    out = subprocess.run([sys.executable, "-c", GROWER, str(path)], capture_output=True,
                         text=True, timeout=60)
    lines = out.stdout.splitlines()
    assert lines and lines[0] == "StoreIOError", out.stdout + out.stderr
    assert len(lines) == 2 and str(path) in lines[1] and "disk failed a read or write" in lines[1]


def test_a_write_lock_held_past_the_busy_timeout_is_store_locked(tmp_path):
    from harness.store.base import StoreLocked

    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    t = store.create_thread("/proj")
    store._x("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreLocked, match="locked by another process"):
            store.append(t.thread_id, UserMessage(text="waits"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.append(t.thread_id, UserMessage(text="now")) == 1
    store.close()


def test_disk_full_from_sqlite_is_store_full_in_one_line(tmp_path):
    from harness.store.base import StoreFull

    store = SQLiteStore(tmp_path / "s.db")
    t = store.create_thread("/proj")
    pages = store._x("PRAGMA page_count").fetchone()[0]
    store._x(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreFull) as info:
        store.append(t.thread_id, ToolResult(call_id="c", tool="Bash", content="x" * 100000))
    assert "\n" not in str(info.value) and "disk is full" in str(info.value)
    store.close()


def test_not_a_database_and_truncation_are_store_corrupt(tmp_path):
    from harness.store.base import StoreCorrupt

    path = tmp_path / "s.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreCorrupt):
        SQLiteStore(path)
