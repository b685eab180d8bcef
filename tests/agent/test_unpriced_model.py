"""A model with no configured price: its cost is unknown (null in JSON, "cost unknown" on
screen), never $0, and a run with a cost budget refuses to start, since it could never trip.
Headless runs use the real SDK against the scripted Messages-API server."""

from __future__ import annotations

import json

import pytest

from harness.agent.session import SessionOptions, open_session
from harness.config.loader import ConfigError
from harness.model.script import text
from harness.protocol.approver import DenyApprover
from harness.store.open import open_store
from tests.agent.helpers import json_lines, make_project, run_cli

UNPRICED = "gpt-imaginary-1"


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_a_priced_run_reports_its_cost_under_both_names(scripted_server, project, capsys):
    scripted_server.add(text("hi"))
    code, out, err = run_cli(capsys, "-p", "hello", "--cwd", str(project),
                             "--output-format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["cost_usd"] > 0 and result["total_cost_usd"] == result["cost_usd"]
    assert "no price" not in err


def test_an_unpriced_model_reports_a_null_cost_and_says_why(scripted_server, project, capsys):
    scripted_server.add(text("hi"))
    code, out, err = run_cli(capsys, "-p", "hello", "--cwd", str(project), "--model", UNPRICED,
                             "--output-format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["cost_usd"] is None and result["total_cost_usd"] is None
    assert result["usage"]["input_tokens"] > 0  # tokens are still counted
    assert f"no price configured for {UNPRICED}" in err and "[prices." in err


def test_stream_json_result_line_has_a_null_cost_for_an_unpriced_model(
    scripted_server, project, capsys
):
    scripted_server.add(text("hi"))
    code, out, _ = run_cli(capsys, "-p", "hello", "--cwd", str(project), "--model", UNPRICED,
                           "--output-format", "stream-json")
    assert code == 0
    (result,) = [line for line in json_lines(out) if line["type"] == "result"]
    assert result["cost_usd"] is None


def test_a_budget_with_an_unpriced_model_refuses_to_start(scripted_server, project, capsys):
    code, out, err = run_cli(capsys, "-p", "hello", "--cwd", str(project), "--model", UNPRICED,
                             "--max-budget-usd", "0.5", "--output-format", "json")
    assert code == 2
    assert "cannot be enforced" in err and UNPRICED in err and "command line" in err
    assert scripted_server.message_requests == []  # refused before any model request
    assert out == ""


def test_a_budget_from_a_config_file_names_that_file(scripted_server, project, capsys):
    (project / ".harness").mkdir()
    config = project / ".harness" / "config.toml"
    config.write_text(f'[model]\nname = "{UNPRICED}"\n[agent]\nmax_cost_usd = 2.0\n')
    code, _, err = run_cli(capsys, "-p", "hello", "--cwd", str(project))
    assert code == 2
    assert str(config) in err and "agent.max_cost_usd" in err
    assert scripted_server.message_requests == []


def test_a_budget_with_a_dated_id_of_a_priced_model_runs(scripted_server, project, capsys):
    scripted_server.add(text("hi"))
    code, out, err = run_cli(capsys, "-p", "hello", "--cwd", str(project), "--model",
                             "claude-sonnet-4-5-20250929", "--max-budget-usd", "1",
                             "--output-format", "json")
    assert code == 0, err
    assert json.loads(out)["total_cost_usd"] > 0


def test_a_price_in_the_project_config_makes_the_cost_known(scripted_server, project, capsys):
    (project / ".harness").mkdir()
    (project / ".harness" / "config.toml").write_text(
        f'[prices."{UNPRICED}"]\ninput = 1.0\noutput = 2.0\ncache_write = 1.0\n'
        "cache_read = 0.1\n")
    scripted_server.add(text("hi"))
    code, out, err = run_cli(capsys, "-p", "hello", "--cwd", str(project), "--model", UNPRICED,
                             "--max-budget-usd", "1", "--output-format", "json")
    assert code == 0, err
    assert json.loads(out)["total_cost_usd"] > 0


async def test_session_knows_which_models_have_no_price(scripted_server, project):
    scripted_server.add(text("hi"))
    opts = SessionOptions(project_root=project)
    session = await open_session(opts, approver=DenyApprover(), sink=lambda e, s: None)
    try:
        assert session.cost_known and session.unpriced_models == []
        await session.run_prompt("hello")
        session.set_model(UNPRICED)  # no budget: allowed, and the cost becomes unknown
        assert not session.cost_known and session.unpriced_models == [UNPRICED]
        assert session.cost_usd > 0  # what the priced turn cost is still kept
    finally:
        await session.close()


async def test_switching_to_an_unpriced_model_under_a_budget_is_refused(scripted_server, project):
    opts = SessionOptions(project_root=project, flags={"agent.max_cost_usd": 1.0})
    session = await open_session(opts, approver=DenyApprover(), sink=lambda e, s: None)
    try:
        with pytest.raises(ValueError, match="cannot be enforced"):
            session.set_model(UNPRICED)
        assert session.model_name != UNPRICED and session.cost_known
    finally:
        await session.close()


async def test_refusing_to_resume_under_a_budget_leaves_the_thread_free(scripted_server, project):
    scripted_server.add(text("hi"))
    sink = lambda e, s: None  # noqa: E731
    first = await open_session(SessionOptions(project_root=project), approver=DenyApprover(),
                               sink=sink)
    await first.run_prompt("hello")
    thread = first.thread_id
    await first.close()
    refused = SessionOptions(project_root=project, resume=thread,
                             flags={"agent.max_cost_usd": 1.0, "model.name": UNPRICED})
    with pytest.raises(ConfigError, match="cannot be enforced"):
        await open_session(refused, approver=DenyApprover(), sink=sink)
    store = open_store(None)
    try:
        assert store.lease_holder(thread) is None  # the refused open left no lease behind
    finally:
        store.close()


def test_sessions_list_shows_an_unpriced_threads_cost_as_unknown(scripted_server, project, capsys):
    scripted_server.add(text("hi"), text("hi again"))
    assert run_cli(capsys, "-p", "task alpha", "--cwd", str(project), "--model", UNPRICED)[0] == 0
    assert run_cli(capsys, "-p", "task beta", "--cwd", str(project))[0] == 0
    code, out, _ = run_cli(capsys, "sessions", "list", "--cwd", str(project))
    assert code == 0
    unpriced, priced = (next(line for line in out.splitlines() if title in line)
                        for title in ("task alpha", "task beta"))
    assert "cost unknown" in unpriced and "$" not in unpriced
    assert "$0.0" in priced
