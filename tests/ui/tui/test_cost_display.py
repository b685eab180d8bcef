"""The status line and /cost say "cost unknown" for a model with no configured price,
never $0 (against the fake session; the pricing itself is tested in tests/agent)."""

from __future__ import annotations

from tests.ui.tui.conftest import fake_app


async def _ready(app, pilot):
    for _ in range(200):
        if app.session is not None:
            return
        await pilot.pause(0.01)
    raise AssertionError("session never opened")


async def test_status_line_shows_the_cost_or_that_it_is_unknown(project):
    app, box = fake_app(project)
    async with app.run_test(size=(120, 24)) as pilot:
        await _ready(app, pilot)
        assert "$0.012" in str(app.status.render())
        box["session"].unpriced_models = ["gpt-imaginary"]
        app.refresh_status()
        await pilot.pause()
        line = str(app.status.render())
        assert "cost unknown" in line and "$" not in line


async def test_cost_command_names_the_models_without_a_price(project):
    app, box = fake_app(project)
    async with app.run_test(size=(120, 24)) as pilot:
        await _ready(app, pilot)
        box["session"].unpriced_models = ["gpt-imaginary"]
        await pilot.press(*"/cost", "enter")
        await pilot.wait_for_scheduled_animations()
        for _ in range(200):
            if app.conversation.entries and "turns" in app.conversation.entries[-1].text:
                break
            await pilot.pause(0.01)
        shown = app.conversation.entries[-1].text
        assert "cost unknown (no price configured for gpt-imaginary)" in shown
        assert "$" not in shown
