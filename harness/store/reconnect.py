"""Reconnecting after a lost connection (PostgreSQL): exponential backoff within a window
that counts from the start of the outage, then StoreUnavailable.

`@reconnecting` marks a store method that is run again once the connection is back; only
for methods that are safe to repeat (reads, upserts, conditional writes). An append has
its own idempotent retry (see `sqlbase._Attempt`).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from harness.store.base import StoreConnectionLost, StoreUnavailable

T = TypeVar("T")
# Backoff: the first pause, and the longest pause between two attempts.
FIRST_BACKOFF, MAX_BACKOFF = 0.05, 1.0


def reconnecting(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        return self._retrying(lambda: method(self, *args, **kwargs))

    return wrapper


class ReconnectMixin:
    """The retry loop of SQLStore; a backend that can lose its connection overrides
    `_reconnect` (SQLite never raises StoreConnectionLost, so it never loops)."""

    describe: str
    reconnect_window: float

    def _init_reconnect(self, window: float) -> None:
        self.reconnect_window = window
        self._outage_since: float | None = None
        self._abort_waits = threading.Event()
        self._closing = False  # close() releases leases best-effort, never waiting

    def _reconnect(self, timeout: float) -> None:
        """Open a fresh connection; raise StoreConnectionLost if it fails."""
        raise StoreConnectionLost(f"{self.describe}: the connection was lost")

    def _retrying(self, op: Callable[[], T]) -> T:
        try:
            return op()
        except StoreConnectionLost as exc:
            return self._recover(op, exc)

    def abort_reconnect(self) -> None:
        """Stop a reconnect wait now (from a signal handler or another thread): the call
        that waits raises StoreUnavailable instead of waiting out the window."""
        self._abort_waits.set()

    def _recover(self, op: Callable[[], T], lost: StoreConnectionLost) -> T:
        """Reconnect with exponential backoff until `reconnect_window` has passed since the
        connection was first lost; then give up with StoreUnavailable. The window counts
        from the start of the outage, so later calls of a run that gave up fail at once."""
        if self._closing:
            raise lost
        if self._outage_since is None:
            self._outage_since = time.monotonic()
        deadline = self._outage_since + self.reconnect_window
        delay = FIRST_BACKOFF
        while (remaining := deadline - time.monotonic()) > 0:
            if self._abort_waits.wait(min(delay, remaining)):
                self._abort_waits.clear()
                self._outage_since = deadline - self.reconnect_window - 1  # spent: no waits
                raise StoreUnavailable(f"{lost} — reconnecting was interrupted")
            delay = min(delay * 2, MAX_BACKOFF)
            try:
                self._reconnect(timeout=max(1.0, min(10.0, deadline - time.monotonic())))
                result = op()
            except StoreConnectionLost as exc:
                lost = exc
                continue
            self._outage_since = None
            return result
        raise StoreUnavailable(
            f"{lost} — no connection for {self.reconnect_window:g}s "
            "(sessions.reconnect_window), giving up"
        )
