"""The kit's reading of a prompt line (harness/ui/user_input.py): `!cmd`, `@path` mentions,
and what `attach_files` attaches or refuses, with the session's Read check stood in by a
function (the real check is tested through the session in tests/ui/inline)."""

from __future__ import annotations

from harness.protocol.events import UserShell
from harness.ui.user_input import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    attach_files,
    mentions,
    shell_command,
    shell_lines,
)


def _allow(path: str) -> str | None:
    return None


def test_a_bang_line_is_a_shell_command_and_nothing_else_is():
    assert shell_command("!git status") == "git status"
    assert shell_command("  ! ls -la  ") == "ls -la"
    assert shell_command("!") is None and shell_command("hello !x") is None


def test_mentions_are_words_starting_with_at_not_emails():
    text = "see @src/app.py, and @README.md. mail me@example.com or @src/app.py again"
    assert mentions(text) == ["src/app.py", "README.md"]
    assert mentions("@a\n@b") == ["a", "b"]


def test_attach_reads_text_files_and_leaves_other_mentions_as_text(tmp_path):
    (tmp_path / "a.txt").write_text("alpha\n")
    (tmp_path / "dir").mkdir()
    out = attach_files("@a.txt @dir @missing @types/node", tmp_path, _allow)
    assert [(a.path, a.content, a.truncated) for a in out.attachments] == [
        ("a.txt", "alpha\n", False)]
    assert out.refused == [] and out.notes() == ["📎 attached a.txt (6 B)"]


def test_attach_refuses_what_read_may_not_read_and_says_why(tmp_path):
    (tmp_path / ".env").write_text("SECRET=1\n")
    seen: list[str] = []

    def check(path: str) -> str | None:
        seen.append(path)
        return "likely secret (.env)" if path.endswith(".env") else None

    out = attach_files("@.env", tmp_path, check)
    assert out.attachments == [] and out.refused == ["@.env not attached: likely secret (.env)"]
    assert seen == [str(tmp_path / ".env")]  # the check sees the real path


def test_attach_refuses_binary_and_caps_size_and_count(tmp_path):
    (tmp_path / "b.bin").write_bytes(b"PK\x00\x03" + bytes(range(256)))
    (tmp_path / "big.txt").write_text("y" * (MAX_ATTACHMENT_BYTES * 2))
    for i in range(MAX_ATTACHMENTS + 1):
        (tmp_path / f"f{i}.txt").write_text(str(i))
    many = " ".join(f"@f{i}.txt" for i in range(MAX_ATTACHMENTS + 1))
    out = attach_files(f"@b.bin @big.txt {many}", tmp_path, _allow)
    assert "@b.bin not attached: it is a binary file (only text is sent)" in out.refused
    big = out.attachments[0]
    assert big.path == "big.txt" and big.truncated and len(big.content) == MAX_ATTACHMENT_BYTES
    assert big.size == MAX_ATTACHMENT_BYTES * 2
    assert len(out.attachments) == MAX_ATTACHMENTS
    assert any("at most" in r for r in out.refused)


def test_shell_lines_show_the_head_of_long_output():
    event = UserShell(command="seq 20", output="\n".join(map(str, range(1, 21))), exit_code=0)
    lines = shell_lines(event, keep=3)
    assert lines[:3] == ["1", "2", "3"] and lines[3].startswith("… +17 lines")
