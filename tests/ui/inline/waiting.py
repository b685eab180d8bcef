"""Waiting for the UI to reach a state before sending the next keys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll until `predicate()` holds: keys must arrive when the right prompt listens.
    The bound is generous: on a loaded machine the SDK import or a subprocess is slow, not
    wrong (a passing wait returns as soon as the state is reached)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the UI")
        await asyncio.sleep(0.01)
