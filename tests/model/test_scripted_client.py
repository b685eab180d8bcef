"""The in-process scripted model: same events as the HTTP client, and the built-in demo."""

from __future__ import annotations

import pytest

from harness.model.script import ConnectionReset, HttpError, Reply, StreamCut, Text, ToolUse, text
from harness.model.scripted import ScriptedModelClient, demo_script
from harness.model.types import ModelError, TextDelta, ToolInputJsonDelta, ToolUseStart
from tests.model.conftest import drain, make_request


async def test_replays_text_and_tool_calls_as_stream_events():
    client = ScriptedModelClient(
        [Reply((Text("Looking."), ToolUse("Read", {"file_path": "a.py"})), chunk_size=4)]
    )
    out = await drain(client, make_request())
    assert "".join(d.text for d in out.of(TextDelta)) == "Looking."
    assert [s.name for s in out.of(ToolUseStart)] == ["Read"]
    assert "".join(d.partial_json for d in out.of(ToolInputJsonDelta)) == '{"file_path": "a.py"}'
    assert out.response.stop_reason == "tool_use"
    assert out.response.content[1]["input"] == {"file_path": "a.py"}
    assert out.response.model == "claude-sonnet-4-5"
    assert client.remaining == 0


async def test_transient_steps_become_retry_notices_and_consume_the_next_step():
    reply = text("finally", chunk_size=2)
    client = ScriptedModelClient(
        [HttpError(529), ConnectionReset(), StreamCut(reply, after_events=2), reply]
    )
    out = await drain(client, make_request())
    assert [n.attempt for n in out.retries] == [1, 2, 3]
    assert out.response.content == [{"type": "text", "text": "finally"}]


async def test_non_retryable_error_and_exhausted_script_raise_model_error():
    with pytest.raises(ModelError) as info:
        await drain(ScriptedModelClient([HttpError(400, "bad tool schema")]), make_request())
    assert info.value.kind == "bad_request" and "bad tool schema" in info.value.message
    with pytest.raises(ModelError) as info:
        await drain(ScriptedModelClient([]), make_request())
    assert "no step left" in info.value.message


def _answer(messages, response, results):
    """Append the assistant turn and the user's tool results, as the agent loop would."""
    messages = [*messages, {"role": "assistant", "content": response.content}]
    blocks = []
    for block, (content, is_error) in zip(
        [b for b in response.content if b["type"] == "tool_use"], results, strict=True
    ):
        blocks.append(
            {
                "type": "tool_result",
                "tool_use_id": block["id"],
                "content": content,
                "is_error": is_error,
            }
        )
    return [*messages, {"role": "user", "content": blocks}]


async def test_demo_reads_edits_runs_and_summarises():
    client = ScriptedModelClient(demo_script())
    msgs = [{"role": "user", "content": "Show me around."}]
    calls = []
    for result in [('print("hello")\n', False), ("edited", False), ("hello, harness\n", False)]:
        out = await drain(client, make_request(messages=msgs))
        [call] = [b for b in out.response.content if b["type"] == "tool_use"]
        calls.append((call["name"], call["input"]))
        msgs = _answer(msgs, out.response, [result])
    final = await drain(client, make_request(messages=msgs))
    assert calls == [
        ("Read", {"file_path": "hello.py"}),
        (
            "Edit",
            {
                "file_path": "hello.py",
                "old_string": 'print("hello")',
                "new_string": 'print("hello, harness")',
            },
        ),
        ("Bash", {"command": "python3 hello.py"}),
    ]
    assert final.response.stop_reason == "end_turn"
    assert "hello, harness" in final.response.content[0]["text"]
    assert client.remaining == 0


async def test_demo_accepts_a_rejected_edit_gracefully():
    client = ScriptedModelClient(demo_script())
    msgs = [{"role": "user", "content": "Show me around."}]
    for result in [('print("hello")\n', False), ("Rejected: keep it as is", True)]:
        out = await drain(client, make_request(messages=msgs))
        msgs = _answer(msgs, out.response, [result])
    final = await drain(client, make_request(messages=msgs))
    assert final.response.stop_reason == "end_turn"
    assert "unchanged" in final.response.content[0]["text"]
    assert "keep it as is" in final.response.content[0]["text"]


async def test_demo_follow_up_says_the_demo_is_over_and_how_to_use_a_real_model():
    from harness.model.scripted import DEMO_OVER, demo_reply

    client = ScriptedModelClient((), after_end=demo_reply)
    msgs = [{"role": "user", "content": [{"type": "text", "text": "Show me around."}]}]
    for result in [('print("hello")\n', False), ("edited", False), ("hello, harness\n", False)]:
        out = await drain(client, make_request(messages=msgs))
        msgs = _answer(msgs, out.response, [result])
    summary = await drain(client, make_request(messages=msgs))
    assert "Done: hello.py greets the harness." in summary.response.content[0]["text"]
    msgs = [*msgs, {"role": "assistant", "content": summary.response.content},
            {"role": "user", "content": [{"type": "text", "text": "now add tests"}]}]
    for _ in range(2):  # every later request too: never a 400
        over = await drain(client, make_request(messages=msgs))
        assert over.response.content[0]["text"] == DEMO_OVER
        assert over.response.stop_reason == "end_turn"
    assert "ANTHROPIC_API_KEY" in DEMO_OVER and "demo is over" in DEMO_OVER


async def test_demo_reply_goes_on_from_the_conversation_it_is_given():
    # A resumed demo thread, in a new process, continues at its own step (here: the edit
    # was rejected, so the next prompt is a follow-up and the demo is over).
    from harness.model.scripted import DEMO_OVER, demo_reply

    fresh = ScriptedModelClient((), after_end=demo_reply)
    msgs = [{"role": "user", "content": "Show me around."}]
    first = await drain(fresh, make_request(messages=msgs))
    msgs = _answer(msgs, first.response, [('print("hello")\n', False)])
    again = ScriptedModelClient((), after_end=demo_reply)  # another process
    second = await drain(again, make_request(messages=msgs))
    assert [b["name"] for b in second.response.content if b["type"] == "tool_use"] == ["Edit"]
    msgs = _answer(msgs, second.response, [("Rejected: no", True)])
    third = await drain(again, make_request(messages=msgs))
    assert "unchanged" in third.response.content[0]["text"]
    msgs = [*msgs, {"role": "assistant", "content": third.response.content},
            {"role": "user", "content": "what else?"}]
    over = await drain(ScriptedModelClient((), after_end=demo_reply), make_request(messages=msgs))
    assert over.response.content[0]["text"] == DEMO_OVER


async def test_without_after_end_a_played_out_script_still_fails_like_a_400():
    import pytest

    from harness.model.types import ModelError

    client = ScriptedModelClient(())
    with pytest.raises(ModelError, match="no step left"):
        await drain(client, make_request(messages=[{"role": "user", "content": "x"}]))
