"""Permission prompts answered with single keys through a real prompt-toolkit input pipe."""

from __future__ import annotations

import sys

import pytest

from harness.protocol.approver import ApprovalAnswer
from harness.protocol.events import PermissionRequest
from harness.ui.inline.approver import InlineApprover
from harness.ui.inline.transcript import Transcript


def _request(**kw) -> PermissionRequest:
    base = dict(
        call_id="c1", tool="Bash", input={"command": "rm -rf build"}, category="shell",
        reason="shell commands ask in default mode", preview="rm -rf build",
    )
    base.update(kw)
    return PermissionRequest(**base)


@pytest.fixture
def approver():
    out: list[str] = []
    a = InlineApprover(Transcript(out.append, color=False))
    a.out = out  # type: ignore[attr-defined]
    return a


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("y", ApprovalAnswer.approve("once")),
        ("s", ApprovalAnswer.approve("session")),
        ("a", ApprovalAnswer.approve("project")),
        ("Y", ApprovalAnswer.approve("once")),
        ("n" + "use git clean instead\r", ApprovalAnswer.reject("use git clean instead")),
    ],
)
async def test_each_key_gives_its_answer(pipe, approver, keys, expected):
    pipe.send_text(keys)
    assert await approver.answer(_request()) == expected
    assert not approver.quit_requested


async def test_prompt_shows_command_reason_and_offered_keys(pipe, approver):
    pipe.send_text("y")
    await approver.answer(_request(rule="Bash(rm:*)", grade="irreversible",
                                   session_scope_allowed=False))
    text = "".join(approver.out)
    assert "Bash(rm -rf build)" in text
    assert "    rm -rf build" in text
    assert "reason: shell commands ask in default mode (rule Bash(rm:*))" in text
    assert "irreversible" in text


async def test_enter_and_other_keys_do_not_answer(pipe, approver):
    pipe.send_text("\r\rxz y")
    assert await approver.answer(_request()) == ApprovalAnswer.approve("once")


async def test_session_key_not_offered_for_irreversible_calls(pipe, approver):
    # `s` is ignored, so the next key decides.
    pipe.send_text("sn\r")
    answer = await approver.answer(_request(session_scope_allowed=False))
    assert answer == ApprovalAnswer.reject("")


@pytest.mark.parametrize("key", ["q", "\x03", "\x04"])
async def test_quit_keys_leave_the_request_pending(pipe, approver, key):
    pipe.send_text(key)
    assert await approver.answer(_request()) is None
    assert approver.quit_requested
    assert "left pending" in "".join(approver.out)
    # Once the human chose to quit, later asks (parallel calls) stay pending too.
    assert await approver.answer(_request(call_id="c2")) is None


async def test_edit_opens_inline_editor_when_no_editor_is_set(pipe, approver, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    # e → the JSON input in a multi-line editor; M-> end of buffer, replace the last `}`,
    # Esc+Enter saves.
    pipe.send_text('e\x1b>\x7f, "timeout": 5}\x1b\r')
    answer = await approver.answer(_request(input={"command": "ls"}))
    assert answer == ApprovalAnswer.edit({"command": "ls", "timeout": 5})


async def test_edit_runs_editor_from_environment(pipe, approver, monkeypatch, tmp_path):
    script = tmp_path / "ed.py"
    script.write_text(
        "import json, sys\n"
        "p = sys.argv[1]\n"
        "d = json.load(open(p))\n"
        "d['command'] = d['command'] + ' --dry-run'\n"
        "json.dump(d, open(p, 'w'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    pipe.send_text("e")
    answer = await approver.answer(_request(input={"command": "make clean"}))
    assert answer == ApprovalAnswer.edit({"command": "make clean --dry-run"})


async def test_edit_with_invalid_json_asks_again(pipe, approver, monkeypatch, tmp_path):
    script = tmp_path / "ed.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('{not json')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    # First edit yields broken JSON → re-edited (still broken) → the editor is left for
    # good by making the second run fail; then `y` approves the original input.
    calls = {"n": 0}
    real = InlineApprover._external_edit

    async def counting(self, editor, text):
        calls["n"] += 1
        if calls["n"] > 1:
            return None
        return await real(self, editor, text)

    monkeypatch.setattr(InlineApprover, "_external_edit", counting)
    pipe.send_text("ey")
    assert await approver.answer(_request()) == ApprovalAnswer.approve("once")
    assert "not valid JSON" in "".join(approver.out)


async def test_reject_feedback_cancelled_returns_to_the_menu(pipe, approver):
    pipe.send_text("n\x03")  # Ctrl+C while typing feedback: back to the keys
    pipe.send_text("a")
    assert await approver.answer(_request()) == ApprovalAnswer.approve("project")


async def test_question_takes_a_typed_answer(pipe, approver):
    pipe.send_text("blue, please\r")
    request = _request(kind="question", tool="AskUser", input={"question": "Which colour?"},
                       preview="", category="meta")
    assert await approver.answer(request) == ApprovalAnswer.reply("blue, please")
    assert "? Which colour?" in "".join(approver.out)


async def test_question_quit_leaves_it_pending(pipe, approver):
    pipe.send_text("\x04")
    request = _request(kind="question", tool="AskUser", input={"question": "Which?"})
    assert await approver.answer(request) is None
    assert approver.quit_requested


async def test_diff_preview_is_shown_for_edits(pipe, approver):
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"
    pipe.send_text("y")
    await approver.answer(_request(tool="Edit", category="write", preview=diff,
                                   input={"file_path": "x.py", "old_string": "a = 1",
                                          "new_string": "a = 2"}))
    text = "".join(approver.out)
    assert "Edit(x.py)" in text and "    +a = 2" in text
