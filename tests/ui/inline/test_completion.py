"""Slash-command and `@path` completion, directly and through a real prompt (Tab)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from harness.ui.inline.completion import SLASH_COMMANDS, InlineCompleter
from tests.ui.inline.waiting import wait_for


def _complete(completer: InlineCompleter, text: str) -> list[str]:
    doc = Document(text, len(text))
    return [c.text for c in completer.get_completions(doc, CompleteEvent())]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "build").mkdir()
    (root / "src" / "app.py").write_text("print(1)\n")
    (root / "src" / "pkg" / "core.py").write_text("x = 1\n")
    (root / "build" / "out.js").write_text("//\n")
    (root / "secret.log").write_text("x\n")
    (root / ".gitignore").write_text("build/\n*.log\n")
    (root / "README.md").write_text("# hi\n")
    return root


def _git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "src/app.py", ".gitignore"], check=True)


def test_slash_lists_every_command(tmp_path):
    assert _complete(InlineCompleter(tmp_path), "/") == list(SLASH_COMMANDS)


def test_slash_prefix_narrows(tmp_path):
    assert _complete(InlineCompleter(tmp_path), "/re") == ["/resume", "/rewind"]
    assert _complete(InlineCompleter(tmp_path), "/mo") == ["/mode", "/model"]


def test_slash_only_at_the_start_of_the_input(tmp_path):
    assert _complete(InlineCompleter(tmp_path), "please /he") == []
    assert _complete(InlineCompleter(tmp_path), "/help me") == []


def test_at_path_in_git_repo_lists_tracked_and_untracked_but_not_ignored(repo):
    _git_init(repo)
    top = _complete(InlineCompleter(repo), "look at @")
    assert "@src/" in top and "@README.md" in top and "@.gitignore" in top
    assert not any("build" in c or "secret.log" in c for c in top)
    assert _complete(InlineCompleter(repo), "@src/") == ["@src/pkg/", "@src/app.py"]
    assert _complete(InlineCompleter(repo), "@src/pkg/c") == ["@src/pkg/core.py"]


def test_at_path_matches_file_names_anywhere(repo):
    _git_init(repo)
    assert _complete(InlineCompleter(repo), "fix @core") == ["@src/pkg/core.py"]


def test_at_path_outside_git_respects_gitignore(repo):
    found = _complete(InlineCompleter(repo), "@")
    assert "@src/" in found and "@README.md" in found
    assert not any("build" in c or "secret.log" in c for c in found)


def test_no_completion_for_plain_words(repo):
    assert _complete(InlineCompleter(repo), "hello wor") == []


async def _type_then_tab(pipe, completer, typed: str, expected: str) -> str:
    session: PromptSession[str] = PromptSession(completer=completer)
    task = asyncio.ensure_future(session.prompt_async())
    pipe.send_text(typed)
    # Completions are computed in the background (as a person types): Tab once they are
    # there, Enter once Tab has inserted one.
    buf = session.default_buffer
    await wait_for(lambda: buf.complete_state is not None and buf.complete_state.completions)
    pipe.send_text("\t")
    await wait_for(lambda: buf.text == expected)
    pipe.send_text("\r")
    return await task


async def test_tab_completes_a_slash_command_in_the_prompt(pipe, tmp_path):
    got = await _type_then_tab(pipe, InlineCompleter(tmp_path), "/he", "/help")
    assert got == "/help"


async def test_tab_completes_an_at_path_in_the_prompt(pipe, repo):
    _git_init(repo)
    expected = "explain @src/pkg/core.py"
    got = await _type_then_tab(pipe, InlineCompleter(repo), "explain @src/pkg/co", expected)
    assert got == expected


def test_a_leading_absolute_path_is_a_prompt_not_a_command():
    from harness.ui.inline.commands import SlashCommands

    assert SlashCommands.is_command("/help")
    assert SlashCommands.is_command("/fork 12")
    assert SlashCommands.is_command("/bogus")  # answered with "unknown command"
    assert not SlashCommands.is_command("/etc/hosts looks wrong")
    assert not SlashCommands.is_command("fix /help text")
