"""`harness rewind THREAD@SEQ [--yes]`: put the files the session changed after step SEQ
back to how they were at that step, from the shadow repository of file snapshots."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from harness.exitcodes import DONE, FAILURE, USAGE


def _err(message: str) -> None:
    print(f"harness: {message}", file=sys.stderr)


def _thread(store: Any, text: str) -> Any:
    """A thread by id, or by a unique id prefix of at least 4 characters."""
    return store.resolve_thread(text)


def _parse_target(text: str) -> tuple[str, int] | None:
    thread, _, seq = text.partition("@")
    if not thread or not seq.isdigit():
        return None
    return thread, int(seq)


def _confirm(files: list[str]) -> bool:
    if not sys.stdin.isatty():
        return False
    print(f"Restore {len(files)} file(s)? Their current content will be replaced:")
    for f in files:
        print(f"  {f}")
    try:
        return input("[y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def main(args: argparse.Namespace) -> int:
    from harness.config.loader import ConfigError, find_project_root, load_config
    from harness.store.base import StoreError, ThreadNotFound
    from harness.store.open import open_store
    from harness.tools.base import ToolError
    from harness.tools.rewind import restore_files, select_snapshots

    target = _parse_target(args.target)
    if target is None:
        _err(f"{args.target!r} is not THREAD@SEQ (e.g. 3f2a9c@12; "
             "`harness sessions show THREAD` lists the steps)")
        return USAGE
    thread_text, seq = target
    root = find_project_root(Path(args.cwd).expanduser() if args.cwd else None)
    url = args.store
    if url is None:
        try:
            url = load_config(root).settings.sessions.store
        except ConfigError as exc:
            _err(str(exc))
            return USAGE
    try:
        store = open_store(url)
    except StoreError as exc:
        _err(str(exc))
        return USAGE
    try:
        thread = _thread(store, thread_text)
        if seq > thread.last_seq:
            _err(f"thread {thread.thread_id} has steps 1..{thread.last_seq}; {seq} is past the end")
            return USAGE
        events = ((e.seq, e.decode()) for e in store.events(thread.thread_id, after_seq=seq))
        snapshots = select_snapshots(events, seq)
    except ThreadNotFound as exc:
        _err(str(exc))
        return USAGE
    except StoreError as exc:
        _err(str(exc))
        return FAILURE
    finally:
        store.close()

    if not snapshots:
        print(f"No file changes after {thread.thread_id}@{seq}; nothing to restore.")
        return DONE
    files = [s.path for s in snapshots]
    if not args.yes and not _confirm(files):
        _err(f"not restoring {len(files)} file(s) without confirmation; "
             "pass --yes to restore without asking")
        return USAGE
    project = Path(thread.project) if thread.project else root
    try:
        restored = asyncio.run(restore_files(project, snapshots))
    except (ToolError, OSError) as exc:
        _err(f"rewind failed: {exc}")
        return FAILURE
    print(f"Restored {len(restored)} file(s) to their state at {thread.thread_id}@{seq}:")
    for path, snap in zip(restored, snapshots, strict=True):
        print(f"  {path}" + ("" if snap.existed else "  (removed: it did not exist then)"))
    return DONE
