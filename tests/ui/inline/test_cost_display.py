"""Inline toolbar and /cost on a real session whose model has no configured price: the
cost reads "cost unknown", never $0."""

from __future__ import annotations

from harness.exitcodes import DONE
from harness.model.script import text
from harness.ui.inline.toolbar import toolbar_text
from tests.ui.inline.driver import Driver

UNPRICED = "gpt-imaginary-1"


async def test_toolbar_and_cost_command_say_the_cost_is_unknown(pipe, repo, scripted_server):
    (repo / ".harness").mkdir()
    (repo / ".harness" / "config.toml").write_text(f'[model]\nname = "{UNPRICED}"\n')
    scripted_server.add(text("hi"))
    d = Driver(pipe, repo)
    await d.start()
    await d.type("hello")
    await d.until("hi")
    bar = toolbar_text(d.session)
    assert "cost unknown" in bar and "$" not in bar
    await d.type("/cost")
    assert await d.finish() == DONE
    assert f"cost unknown (no price configured for {UNPRICED})" in d.text
    assert "cost $" not in d.text
