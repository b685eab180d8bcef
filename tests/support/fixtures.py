"""Pytest fixtures shared across test folders (registered in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.support.scripted_server import ScriptedServer


@pytest.fixture
def scripted_server(monkeypatch):
    """A started ScriptedServer; ANTHROPIC_BASE_URL/ANTHROPIC_API_KEY point the SDK at it.

    Script it with `scripted_server.add(step, ...)`; see tests/support/scripted_server.py.
    Subprocesses started by the test inherit the environment, so `harness -p` works too.
    """
    with ScriptedServer() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-real")
        yield server
