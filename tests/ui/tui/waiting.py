"""Waiting for a TUI state instead of sleeping: a condition polled under a wall-clock
deadline (generous, since a loaded machine is slow but not wrong), and "settled" = every
worker done (unless one waits on a dialog), every scheduled animation run, every message
queue drained."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot


async def wait_until(pilot: Pilot, check: Callable[[], bool], what: str,
                     timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await pilot.pause(0.01)


def dialog_up(app) -> bool:
    """A permission dialog is on top *and composed*: the screen is pushed a frame before its
    widgets are mounted, so a query (or a key) sent in between finds nothing."""
    from harness.ui.tui.permission_dialog import PermissionDialog

    screen = app.screen
    return isinstance(screen, PermissionDialog) and bool(screen.query("#keys"))


async def settled(pilot: Pilot, *, workers: bool = True) -> None:
    """`workers=False` while a worker waits on a dialog: it finishes only once answered."""
    if workers:
        await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def steady_cursors(pilot: Pilot) -> None:
    """A blinking cursor is drawn or not depending on when the frame is taken (it toggles
    every half second): for a snapshot, keep every cursor steadily shown."""
    for screen in pilot.app.screen_stack:
        for widget in screen.walk_children(with_self=False):
            if hasattr(widget, "cursor_blink"):
                widget.cursor_blink = False
