"""How `@path` attachments and `!cmd` output fold into the conversation the model reads
(harness/agent/state.py), and how they are stored (harness/protocol/events.py)."""

from __future__ import annotations

import json

from harness.agent.state import fold
from harness.protocol.events import (
    AssistantMessage,
    Attachment,
    UserMessage,
    UserShell,
    decode,
    encode,
)


def test_shell_output_waits_for_the_next_prompt_and_goes_before_it():
    shell = UserShell(command="make test", output="2 failed", exit_code=1, is_error=True,
                      cwd="/p")
    state = fold([
        (1, UserMessage(text="hi")),
        (2, AssistantMessage(content=[{"type": "text", "text": "hello"}])),
        (3, shell),
    ])
    assert state.messages[-1]["role"] == "assistant"
    assert not state.needs_model  # a resume does not send the output on its own
    state.apply(4, UserMessage(text="why did it fail?"))
    blocks = state.messages[-1]["content"]
    assert [b["type"] for b in blocks] == ["text", "text"]
    assert "The user ran this shell command themselves (in /p), exit code 1" in blocks[0]["text"]
    assert "$ make test\n2 failed" in blocks[0]["text"]
    assert blocks[1]["text"] == "why did it fail?"
    assert state.shell_context == []


def test_attachments_follow_the_prompt_that_names_them():
    state = fold([(1, UserMessage(text="read @a.py", attachments=[
        Attachment(path="a.py", content="x = 1", size=5),
        Attachment(path="b.log", content="yyy", truncated=True, size=10**6),
    ]))])
    texts = [b["text"] for b in state.messages[0]["content"]]
    assert texts[0] == "read @a.py"
    assert texts[1] == '<attached_file path="a.py">\nx = 1\n</attached_file>'
    assert texts[2].startswith('<attached_file path="b.log" (cut at the attachment size cap)>')


def test_a_plain_prompt_is_stored_as_before_and_attachments_round_trip():
    plain = json.loads(encode(UserMessage(text="hi", ts=1.0)))
    assert "attachments" not in plain
    with_file = UserMessage(text="hi", attachments=[Attachment(path="a", content="c")])
    again = decode(encode(with_file))
    assert isinstance(again, UserMessage) and again.attachments[0].content == "c"
    shell = decode(encode(UserShell(command="ls", output="a", exit_code=0)))
    assert isinstance(shell, UserShell) and shell.command == "ls"
