"""`@reconnecting`: a store method that is run again once a lost connection is back.

Only for methods that are safe to repeat (reads, upserts, conditional writes); an append
has its own idempotent retry (see `sqlbase._Attempt`). The loop itself, with its backoff
and window, is `SQLStore._retrying`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def reconnecting(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        return self._retrying(lambda: method(self, *args, **kwargs))

    return wrapper
