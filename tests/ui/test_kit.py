"""The front-end kit: the TUI and the inline prompt share one command table, one file list
and one way to describe a call."""

from __future__ import annotations

import subprocess

from harness.ui import describe, files, slash
from harness.ui.inline import commands as inline_commands
from harness.ui.inline import completion as inline_completion
from harness.ui.tui import commands as tui_commands
from harness.ui.tui import completion as tui_completion


def test_both_front_ends_use_the_one_command_table():
    assert inline_completion.SLASH_COMMANDS is slash.SLASH_COMMANDS
    assert tui_completion.SLASH_COMMANDS is slash.SLASH_COMMANDS
    assert inline_commands.SLASH_COMMANDS is tui_commands.SLASH_COMMANDS
    assert "new conversation" in slash.SLASH_COMMANDS["/clear"]


def test_every_command_in_the_table_has_a_handler_in_both(tmp_path):
    tui = set(tui_commands._COMMANDS)
    inline = {n for n in slash.SLASH_COMMANDS
              if hasattr(inline_commands.SlashCommands, "cmd_" + n.lstrip("/"))}
    for name in slash.SLASH_COMMANDS:
        assert name in inline, name
        assert name in tui or name == "/quit", name


def test_the_inline_file_list_is_the_tui_list_plus_folders(tmp_path):
    root = tmp_path / "p"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text("x")
    (root / "gone.txt").write_text("x")
    (root / ".gitignore").write_text("build/\n")
    (root / "build").mkdir()
    (root / "build" / "out").write_text("x")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    (root / "gone.txt").unlink()  # tracked but deleted: never offered
    listed = files.project_files(root)
    assert listed == [".gitignore", "src/a.py"]
    assert files.with_folders(listed) == ["src/", ".gitignore", "src/a.py"]


def test_a_call_is_described_from_its_key_input():
    assert describe.describe_call("Edit", {"file_path": "a.py", "old_string": "x"}) == "Edit(a.py)"
    assert describe.key_input("Bash", {"command": "ls\npwd"}) == "ls"
    assert describe.describe_call("Bash", {"command": "ls\npwd"}) == "Bash(ls pwd)"
