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


def test_the_rewind_choice_is_one_of_three_and_names_the_files_it_would_restore():
    from types import SimpleNamespace

    from harness.ui import rewind

    assert [o.choice for o in rewind.REWIND_OPTIONS] == ["files", "conversation", "both"]
    assert [rewind.choice_for(a) for a in ("f", "Conversation", " b ", "", "x")] == [
        "files", "conversation", "both", None, None]
    snap = lambda path: SimpleNamespace(type="file_snapshot", path=path)  # noqa: E731
    history = [(3, snap("/p/a.py")), (7, snap("/p/b.py")), (9, snap("/p/b.py"))]
    assert rewind.files_changed_after(history, 5) == ["/p/b.py"]
    assert rewind.rewind_question(5, ["/p/b.py"], lambda p: p[3:]) == (
        "Rewind to step 5? 1 file(s) changed since: b.py.")
    assert "no file was changed since" in rewind.rewind_question(9, [])


def test_leaving_names_the_thread_the_resume_command_the_cost_and_what_waits():
    from harness.ui.leaving import PendingCall, leaving_message

    plain = leaving_message("abc123", "cost $0.0100")
    assert plain.splitlines() == ["harness: thread abc123 saved · cost $0.0100",
                                  "  resume it: harness --resume abc123"]
    waiting = leaving_message("abc123", "cost $0.0100",
                              PendingCall("Bash", {"command": "make"}, "toolu_1"))
    assert "a call is waiting for your approval: Bash(make)" in waiting
    assert "harness resume abc123 --approve --call toolu_1" in waiting
    question = leaving_message("abc123", "cost $0", PendingCall(
        "AskUser", {"question": "Tabs?"}, "toolu_2", question=True))
    assert "a question waits for your answer" in question and "--answer TEXT" in question
    assert "nothing to resume" in leaving_message("", "cost $0.0000")


def test_a_task_call_is_described_by_its_goal_not_its_handoff_dict():
    call = {"agent": "explore", "handoff": {"goal": "find the loader", "constraints": ["x"]}}
    assert describe.describe_call("Task", call) == "Task(explore: find the loader)"
    assert describe.task_goal({"handoff": {"constraints": []}}) == '{"constraints":[]}'
