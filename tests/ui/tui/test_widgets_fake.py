"""Widget behaviour against the fake session (the real-session tests are in test_session.py)."""

from __future__ import annotations

from harness.ui.tui.conversation import Entry
from harness.ui.tui.permission_dialog import PermissionDialog
from tests.ui.tui.conftest import fake_app
from tests.ui.tui.fake_session import Ask


async def test_prompt_is_sent_and_the_answer_is_streamed_as_markdown(project):
    app, box = fake_app(project, steps={"hello": ["**Hi** there"]})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"hello", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        kinds = [e.kind for e in app.conversation.entries]
        assert kinds == ["user", "text"]
        assert app.conversation.entries[1].text.strip() == "**Hi** there"
        md = app.conversation.entries[1].widget
        assert "Hi" in md.source
