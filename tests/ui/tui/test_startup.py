"""The path to the first frame stays light: the SDK and the agent load in a worker later."""

from __future__ import annotations

import subprocess
import sys

from harness.cli import build_parser
from harness.ui.tui.run import project_root

PROBE = """
import sys
import harness.cli, harness.commands.run
from harness.ui.tui.run import build_app
app = build_app(harness.cli.build_parser().parse_args([]))
heavy = sorted(m for m in ("anthropic", "httpx", "harness.agent.session", "harness.agent.loop",
                           "harness.config.loader", "git") if m in sys.modules)
print(",".join(heavy) or "none")
"""


def test_building_the_app_imports_neither_the_sdk_nor_the_agent(project):
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=project, capture_output=True,
                         text=True, check=True, timeout=60).stdout.strip()
    assert out == "none"


def test_the_project_root_is_the_nearest_folder_with_git(project):
    (project / "src" / "deep").mkdir()
    assert project_root(project / "src" / "deep") == project.resolve()


def test_a_missing_cwd_is_a_usage_error_before_any_screen(tmp_path, capsys):
    from harness.exitcodes import USAGE
    from harness.ui.tui.run import run_tui

    args = build_parser().parse_args(["--cwd", str(tmp_path / "nope")])
    assert run_tui(args) == USAGE
    assert "no such folder" in capsys.readouterr().err
