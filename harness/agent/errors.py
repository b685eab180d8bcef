"""Why a session could not open, as one exit code for every front-end and command: what the
person can fix in the command or config is bad usage (2); a store that cannot be used right
now (unreachable, another process holds the thread) is a runtime failure (1)."""

from __future__ import annotations

from harness.agent.opening import SessionError
from harness.config.loader import ConfigError
from harness.exitcodes import FAILURE, USAGE
from harness.store.base import AmbiguousThreadPrefix, StoreError, ThreadNotFound

OPEN_ERRORS: tuple[type[Exception], ...] = (ConfigError, SessionError, StoreError)


def open_exit_code(exc: BaseException) -> int | None:
    """The exit code for a failure to open a session, or None if it is not one (a bug)."""
    if isinstance(exc, (ConfigError, SessionError, ThreadNotFound, AmbiguousThreadPrefix)):
        return USAGE
    if isinstance(exc, StoreError):
        return FAILURE
    return None
