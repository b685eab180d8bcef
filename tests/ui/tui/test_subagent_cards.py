"""A Task call in the TUI, on the real session and the scripted server: its card names the
sub-agent and its goal, follows the sub-agent's steps while it works, and ends with its
outcome; one card, no separate notices."""

from __future__ import annotations

import threading

from harness.model.script import Reply, ToolUse, text
from tests.agent.subagent_helpers import agent_of, turn_of
from tests.ui.tui.test_session import SIZE, idle, real_app, send, shown, until

GOAL = "find where the greeting is printed"


async def test_a_task_card_shows_the_agent_its_goal_and_live_steps(project, scripted_server):
    release = threading.Event()  # holds the sub-agent's last reply until the card is checked

    def route(body):
        if agent_of(body) == "parent":
            if turn_of(body) == 0:
                return Reply([ToolUse("Task", {"agent": "explore", "handoff": {"goal": GOAL}})])
            return text("The greeting is in src/app.py.")
        if turn_of(body) == 0:
            return Reply([ToolUse("Grep", {"pattern": "print"})])
        release.wait(timeout=30)
        return text("src/app.py line 1 prints it.")

    scripted_server.default = route
    app = real_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await send(app, pilot, "where is the greeting?")
        await until(pilot, lambda: any(e.tool and e.tool.subagent and e.tool.subagent.steps
                                       for e in app.conversation.entries))
        card = next(e for e in app.conversation.entries if e.kind == "tool")
        sub = card.tool.subagent
        assert sub.agent == "explore" and sub.goal == GOAL and sub.child_thread_id
        assert sub.steps[0] == "Grep print"
        assert card.tool.status == "running"
        title = str(card.widget.title)
        assert "↳ explore" in title and GOAL in title and "1 step" in title
        assert "Grep print" in title  # the live step, while the sub-agent works
        release.set()
        await idle(app, pilot)
        assert "The greeting is in src/app.py." in shown(app)
        cards = [e for e in app.conversation.entries if e.kind == "tool"]
        assert len(cards) == 1 and cards[0].tool.status == "done"
        assert sub.outcome == "done" and "↳ explore" in str(card.widget.title)
        assert "✓" in str(card.widget.title) and "Grep print" not in str(card.widget.title)
        assert "subagent" not in shown(app)  # the card says it all, no extra notices
        card.widget.collapsed = False
        await pilot.pause()
        from tests.ui.tui.test_session import widget_text

        body = widget_text(card.widget._body)
        assert f"goal: {GOAL}" in body and "1. Grep print" in body
        assert "line 1 prints it" in body  # the sub-agent's answer
        await pilot.press("ctrl+c", "ctrl+c")
