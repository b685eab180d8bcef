"""SIGINT and SIGTERM before a front-end takes them over: remembered, acted on at safe points.

Raising KeyboardInterrupt from a signal handler lands wherever the main thread happens to
be, and during start-up that is mostly inside an import. importlib's module locks are then
left held, and the background SDK import (`harness.model.preload`) waits on them forever
while the run goes on: a resumed run hung that way in the fault-injection tests. So from the
first line until a front-end installs its own handlers, a signal only sets a flag, and
`checkpoint()` turns it into KeyboardInterrupt between imports, where nothing is half done.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_pending: int | None = None
_deferred = False  # only undo what defer() did: in-process callers (tests) keep theirs


def _remember(signum: int, frame: Any) -> None:
    global _pending
    if _pending is None:
        _pending = signum


def _raise_cancel(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def defer() -> None:
    """From now on a SIGINT/SIGTERM is only remembered (main thread only; else a no-op)."""
    global _deferred
    if threading.current_thread() is not threading.main_thread():
        return
    _deferred = True
    for sig in _SIGNALS:
        signal.signal(sig, _remember)


def pending() -> int | None:
    """The first signal that came while deferred, if any."""
    return _pending


def checkpoint() -> None:
    """A safe point: raise KeyboardInterrupt if a signal came while deferred."""
    if _pending is not None:
        raise KeyboardInterrupt


def raise_from_now_on() -> None:
    """Signals raise KeyboardInterrupt again (SIGTERM like SIGINT), starting with one that
    already came. For commands and front-ends that handle KeyboardInterrupt themselves."""
    global _deferred
    if _deferred and threading.current_thread() is threading.main_thread():
        _deferred = False
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _raise_cancel)
    checkpoint()


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block signals raise at once (a blocking read of stdin, say, where an
    interrupt is safe and a flag would never be looked at); deferred again afterwards."""
    checkpoint()
    if not _deferred or threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_cancel)
    try:
        yield
    finally:
        for sig in _SIGNALS:
            signal.signal(sig, _remember)
