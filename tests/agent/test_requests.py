"""`harness.agent.requests` builds what a request is made of from settings and thread state
alone: no session, no store."""

from __future__ import annotations

import subprocess

import pytest

from harness.agent import requests
from harness.agent.state import ThreadState
from harness.config.loader import ConfigError
from harness.config.schema import Settings
from harness.protocol.events import ModeChanged, Usage, UserMessage


def test_the_request_is_the_threads_messages_behind_the_given_prefix(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    settings, state = Settings(), ThreadState()
    state.apply(1, UserMessage(text="hello"))
    tools = requests.default_tool_table()
    system = requests.system_prompt(tmp_path, settings)
    schemas = requests.tool_schemas(list(tools.values()), None)
    req = requests.model_request(settings, state, model="m-1", system=system, tools=schemas)
    assert req.model == "m-1" and req.max_tokens == settings.model.max_tokens
    assert req.messages == list(state.messages) and req.messages[0]["role"] == "user"
    assert [s["name"] for s in req.tools] == list(tools)  # the prefix keeps the tool order
    assert req.system == system


def test_prices_budget_and_permission_context_come_from_settings_and_state(tmp_path):
    settings = Settings()
    settings.agent.max_cost_usd = 1.0
    state = ThreadState()
    assert requests.price(settings, "no-such-model", Usage(input_tokens=10), demo=True) == 0.0
    unpriced = requests.unpriced_models(settings, state, "no-such-model", demo=False)
    assert unpriced == ["no-such-model"]
    with pytest.raises(ConfigError):  # a budget that could never trip
        requests.pricing_notices(settings, unpriced, "config")
    with pytest.raises(ValueError):
        requests.check_model_priced(settings, "no-such-model", demo=False)
    state.apply(1, ModeChanged(mode="plan"))
    pctx = requests.permission_context(settings, tmp_path, state, mode="plan", cwd=None)
    assert pctx.mode == "plan"
