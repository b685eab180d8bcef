"""Snapshots (pytest-textual-snapshot) of the main screen, the permission dialog with a diff
and the session picker. Deterministic: fake session with fixed ids, usage and clock, a fixed
80×24 terminal, no sleeps (each test waits for the state it pins, then for the app to
settle) and steady cursors (a blinking one is drawn or not depending on timing).

Regenerate after an intended change: pytest tests/ui/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from harness.protocol import events as ev
from harness.ui.tui.permission_dialog import PermissionDialog
from harness.ui.tui.session_picker import ThreadPicker
from tests.ui.tui.conftest import fake_app
from tests.ui.tui.fake_session import Ask
from tests.ui.tui.waiting import settled, steady_cursors, wait_until

ANSWER = """I read `src/app.py`. Here is the plan:

1. Rename the greeting
2. Add a **test**

```python
def greet() -> str:
    return "hello"
```
"""
DIFF = """--- a/src/app.py
+++ b/src/app.py
@@ -1,3 +1,3 @@
 import sys
-print('hi')
+print('hello')
 sys.exit(0)
"""


async def _settle(app, pilot, screen_type=None):
    """The session is open (and `screen_type` on top), everything queued has run."""
    await wait_until(pilot, lambda: app.session is not None, "the session to open")
    if screen_type is not None:
        await wait_until(pilot, lambda: isinstance(app.screen, screen_type),
                         f"{screen_type.__name__} to show")
    await settled(pilot, workers=screen_type is None)  # a dialog's worker waits for it
    steady_cursors(pilot)
    await pilot.pause()


def test_main_screen(project, snap_compare):
    app, box = fake_app(project, steps={"Plan the greeting change": [ANSWER]}, load_files=False)

    async def before(pilot):
        await _settle(app, pilot)
        s = box["session"]
        await pilot.press(*"Plan the greeting change", "enter")
        await app.workers.wait_for_complete()
        s._emit(ev.ToolCallEvent(call_id="c1", tool="Read", input={"file_path": "src/app.py"}))
        s._emit(ev.ToolResult(call_id="c1", tool="Read", content="print('hi')", duration_ms=4))
        todos = [{"content": "Rename the greeting", "status": "in_progress",
                  "activeForm": "Renaming the greeting"},
                 {"content": "Add a test", "status": "pending"}]
        s._emit(ev.ToolCallEvent(call_id="c2", tool="TodoWrite", input={"todos": todos}))
        s._emit(ev.ToolResult(call_id="c2", tool="TodoWrite", content="ok", duration_ms=1,
                              metadata={"todos": todos}))
        await wait_until(pilot, lambda: app.todo_panel.display and len(app.todo_panel.todos) == 2,
                         "the todo panel")
        await _settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_permission_dialog_with_a_diff(project, snap_compare):
    edit = Ask("Edit", {"file_path": "src/app.py", "old_string": "print('hi')",
                        "new_string": "print('hello')"}, preview=DIFF)
    app, _ = fake_app(project, steps={"go": [edit]}, load_files=False)

    async def before(pilot):
        await _settle(app, pilot)
        await pilot.press(*"go", "enter")
        await _settle(app, pilot, PermissionDialog)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_session_picker(project, snap_compare):
    app, _ = fake_app(project, load_files=False)

    async def before(pilot):
        await _settle(app, pilot)
        await pilot.press(*"/sessions", "enter")
        await _settle(app, pilot, ThreadPicker)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_subagent_card_following_its_steps(project, snap_compare):
    app, box = fake_app(project, load_files=False)

    async def before(pilot):
        await _settle(app, pilot)
        s = box["session"]
        task = {"agent": "explore", "handoff": {"goal": "find where the greeting is printed"}}
        s._emit(ev.ToolCallEvent(call_id="t1", tool="Task", input=task))
        s._emit(ev.SubagentStarted(call_id="t1", agent="explore", child_thread_id="th-child-01"))
        s._emit(ev.ToolProgress(call_id="t1", text="explore: Grep print"))
        s._emit(ev.ToolProgress(call_id="t1", text="explore: Read src/app.py"))
        await pilot.pause()
        card = app.conversation.entries[-1].widget
        card.collapsed = False
        await wait_until(pilot, lambda: card._filled, "the card to open")
        await _settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_rewind_question(project, snap_compare):
    from harness.ui.tui.rewind_dialog import RewindDialog
    from harness.ui.tui.session_picker import StepPicker

    app, box = fake_app(project, load_files=False)

    async def before(pilot):
        await _settle(app, pilot)
        await pilot.press(*"rename it", "enter")
        await app.workers.wait_for_complete()
        box["session"]._emit(ev.FileSnapshot(call_id="c1", path=str(project / "src/app.py"),
                                             commit="0" * 40))
        await pilot.press(*"/rewind", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StepPicker), "the step picker")
        await pilot.press("home", "enter")
        await _settle(app, pilot, RewindDialog)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
