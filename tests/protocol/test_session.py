"""The Session protocol is what front-ends call: the agent's session and the TUI's fake both
provide every member of it (mypy checks the signatures; this checks the names at run time)."""

from __future__ import annotations

import inspect

from harness.agent.session import AgentSession
from harness.protocol.session import Session
from tests.ui.tui.fake_session import FakeSession


def _members(proto: type) -> set[str]:
    return {name for name in vars(proto) if not name.startswith("_")} | set(
        proto.__annotations__)


def test_agent_session_provides_every_member_of_the_protocol():
    missing = {m for m in _members(Session) if not hasattr(AgentSession, m)}
    source = inspect.getsource(AgentSession.__init__)  # the rest are set there
    assert {m for m in missing if f"self.{m}" not in source} == set()


def test_the_fake_provides_every_member_of_the_protocol(tmp_path):
    fake = FakeSession(tmp_path, approver=None, sink=lambda e, s: None)
    assert not {m for m in _members(Session) if not hasattr(fake, m)}


def test_front_ends_never_probe_the_session_with_getattr():
    from pathlib import Path

    import harness

    ui = Path(harness.__file__).parent / "ui"
    for path in ui.rglob("*.py"):
        text = path.read_text()
        for needle in ("getattr(session", "getattr(self.session", "getattr(app.session"):
            assert needle not in text, f"{path}: {needle}"
