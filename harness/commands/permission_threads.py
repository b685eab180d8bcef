"""What the `permissions replay|grants` subcommands share: the store and config of the
project a command is run in, and a thread's log read as typed events."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.exitcodes import USAGE


class CommandError(Exception):
    """A user-facing failure: printed as one line, the command exits with `code`."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


def fail(exc: CommandError) -> int:
    print(f"harness: {exc}", file=sys.stderr)
    return exc.code


@dataclass
class Project:
    root: Path
    loaded: Any  # harness.config.loader.LoadedConfig
    store: Any  # harness.store.base.Store


@contextmanager
def open_project(args: argparse.Namespace) -> Iterator[Project]:
    """Config of the project at `--cwd` (or here) and the store it names (or `--store`)."""
    from harness.config.loader import ConfigError, find_project_root, load_config
    from harness.exitcodes import FAILURE
    from harness.store.base import StoreError
    from harness.store.open import open_store

    start = Path(args.cwd).expanduser() if getattr(args, "cwd", None) else None
    if start is not None and not start.is_dir():
        raise CommandError(f"--cwd {args.cwd}: not a folder")
    root = find_project_root(start).resolve()
    try:
        loaded = load_config(root)
    except ConfigError as exc:
        raise CommandError(f"config error: {exc}") from None
    url = args.store if getattr(args, "store", None) is not None else loaded.settings.sessions.store
    try:
        store = open_store(url or None)
    except StoreError as exc:
        code = USAGE if "unknown store URL" in str(exc) else FAILURE
        raise CommandError(str(exc), code) from None
    try:
        yield Project(root, loaded, store)
    finally:
        store.close()


def thread_events(store: Any, thread_id: str) -> list[tuple[int, Any]]:
    """(seq, event) of a thread's whole log, its shared fork prefix included."""
    return [(item.seq, item.decode()) for item in store.events(thread_id)]
