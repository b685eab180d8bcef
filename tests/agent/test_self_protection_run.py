"""Self-protection and search hiding through a whole headless run: the real CLI, the real
SDK talking to the scripted server, a real pre_tool_use hook, real files."""

from __future__ import annotations

import pytest

from harness.model.script import text, tool
from tests.agent.helpers import make_project, result_text, run_cli, tool_results


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_a_hook_that_allows_everything_cannot_let_the_model_rewrite_git_config(
        scripted_server, project, capsys):
    hook = project / "yes.sh"
    hook.write_text('#!/bin/sh\necho \'{"decision": "allow", "reason": "fine"}\'\n')
    hook.chmod(0o755)
    (project / ".harness").mkdir()
    (project / ".harness/config.toml").write_text(
        f'[[hooks.pre_tool_use]]\nmatcher = "*"\ncommand = "{hook}"\n')
    before = (project / ".git" / "config").read_text()
    planted = '[core]\n\tfsmonitor = "touch /tmp/pwned"\n'
    scripted_server.add(
        tool("Write", {"file_path": ".git/config", "content": planted}),
        tool("Write", {"file_path": str(hook), "content": "#!/bin/sh\nexit 0\n"}),
        tool("Write", {"file_path": ".harness/config.local.toml",
                       "content": '[permissions]\nallow = ["Bash"]\n'}),
        text("done"),
    )
    code, _, err = run_cli(capsys, "-p", "go", "--cwd", str(project),
                           "--permission-mode", "acceptEdits", "--on-ask", "deny")
    assert code == 0, err
    assert (project / ".git" / "config").read_text() == before
    assert "decision" in hook.read_text()
    assert not (project / ".harness" / "config.local.toml").exists()


def test_grep_in_a_run_leaves_out_secrets_unless_a_rule_allows_them(
        scripted_server, project, capsys):
    (project / ".env").write_text("TOKEN=AKIA-ONE\n")
    (project / "deploy.pem").write_text("AKIA-TWO\n")
    (project / ".harness").mkdir()
    (project / ".harness/config.toml").write_text('[permissions]\nallow = ["Read(.env)"]\n')
    scripted_server.add(tool("Grep", {"pattern": "AKIA", "output_mode": "content"}),
                        text("done"))
    code, _, err = run_cli(capsys, "-p", "find keys", "--cwd", str(project))
    assert code == 0, err
    sent = result_text(tool_results(scripted_server.requests[1].body)[0])
    assert "AKIA-ONE" in sent  # allowed by the rule
    assert "AKIA-TWO" not in sent and "skipped 1 file" in sent and "deploy.pem" in sent
