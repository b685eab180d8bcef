"""Credentials stay with harness: commands get a scrubbed environment (sandbox.env), and the
session's own secret values are taken out of tool output before the log, the UI or the
model sees it."""

from __future__ import annotations

import json

from harness.model.script import text, tool
from harness.permissions.sandbox_env import is_withheld, scrubbed_env
from harness.tools.base import ToolOutput
from harness.tools.redaction import redact_output
from tests.agent.helpers import make_project, result_text, run_cli, tool_results

SECRET = "sk-ant-secret-for-redaction-0123456789"


def test_default_excludes_follow_codex_and_include_exclude_adjust_them():
    env = {"ANTHROPIC_API_KEY": "a" * 20, "ANTHROPIC_AUTH_TOKEN": "b" * 20,
           "GITHUB_TOKEN": "c" * 20, "AWS_SECRET_ACCESS_KEY": "d", "DB_PASSWORD": "e",
           "MY_CREDENTIALS_FILE": "f", "api_key": "g", "PATH": "/bin", "HOME": "/root",
           "AWS_REGION": "eu", "KEYBOARD": "us"}
    assert scrubbed_env(env) == {"PATH": "/bin", "HOME": "/root", "AWS_REGION": "eu"}
    adjusted = scrubbed_env(env, include=["GITHUB_TOKEN", "KEYBOARD", "ANTHROPIC_*"],
                            exclude=["AWS_*"])
    assert adjusted == {"PATH": "/bin", "HOME": "/root", "GITHUB_TOKEN": "c" * 20,
                        "KEYBOARD": "us"}
    assert is_withheld("github_token") and not is_withheld("github_token", include=["GITHUB_*"])
    assert is_withheld("GITHUB_TOKEN", include=["GITHUB_*"], exclude=["*TOKEN"])


def test_tool_output_and_metadata_are_redacted(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("DEPLOY_CREDENTIAL", "deploy-credential-value-42")
    out = redact_output(ToolOutput(f"key {SECRET} and deploy-credential-value-42",
                                   metadata={"diff": f"+{SECRET}", "n": 3}))
    assert out.content == "key [redacted:ANTHROPIC_API_KEY] and [redacted:DEPLOY_CREDENTIAL]"
    assert out.metadata == {"diff": "+[redacted:ANTHROPIC_API_KEY]", "n": 3}


def _session(scripted_server, capsys, project, command: str) -> str:
    scripted_server.add(tool("Bash", {"command": command}), text("seen"))
    code, out, err = run_cli(capsys, "-p", "go", "--cwd", str(project), "--permission-mode",
                             "bypassPermissions", "--output-format", "json")
    assert code == 0, err
    assert json.loads(out)["result"] == "seen"
    _session.thread_id = json.loads(out)["thread_id"]
    return result_text(tool_results(scripted_server.message_requests[-1].body)[0])


def test_a_secret_read_from_a_file_never_reaches_the_model_or_the_log(
        scripted_server, capsys, tmp_path, monkeypatch):
    project = make_project(tmp_path)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    (project / "leak.txt").write_text(f"the key is {SECRET}\n")
    sent = _session(scripted_server, capsys, project, "cat leak.txt")
    assert SECRET not in sent and "the key is [redacted:ANTHROPIC_API_KEY]" in sent
    code, shown, _ = run_cli(capsys, "sessions", "show", _session.thread_id, "--json")
    assert code == 0 and SECRET not in shown


def test_commands_get_no_credentials_and_include_brings_one_back(
        scripted_server, capsys, tmp_path, monkeypatch):
    project = make_project(tmp_path)
    monkeypatch.setenv("SERVICE_TOKEN", "service-token-value-0123")
    monkeypatch.setenv("HARNESS_SANDBOX__ENABLED", "false")  # the scrub holds without one too
    sent = _session(scripted_server, capsys, project,
                    "echo \"[$ANTHROPIC_API_KEY][$SERVICE_TOKEN]\"")
    assert "[][]" in sent
    (project / ".harness").mkdir()
    (project / ".harness" / "config.toml").write_text(
        '[sandbox.env]\ninclude = ["SERVICE_TOKEN"]\n')
    sent = _session(scripted_server, capsys, project, "echo \"[$SERVICE_TOKEN]\"")
    # Passed to the command (the user asked for it) yet still redacted from what is shown.
    assert "[[redacted:SERVICE_TOKEN]]" in sent
