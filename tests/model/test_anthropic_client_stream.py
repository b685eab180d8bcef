"""The real SDK against the scripted server: what a successful stream turns into."""

from __future__ import annotations

import json

from harness.model.script import Reply, Text, Thinking, Tokens, ToolUse, text
from harness.model.types import TextDelta, ToolInputJsonDelta, ToolUseStart
from tests.model.conftest import drain, make_request


async def test_text_streams_as_deltas_then_one_response(client, scripted_server):
    scripted_server.add(text("Hello from the scripted model, streamed in pieces.", chunk_size=7))
    out = await drain(client, make_request())
    deltas = out.of(TextDelta)
    assert len(deltas) > 3
    assert "".join(d.text for d in deltas) == "Hello from the scripted model, streamed in pieces."
    assert out.response.content == [
        {"type": "text", "text": "Hello from the scripted model, streamed in pieces."}
    ]
    assert out.response.stop_reason == "end_turn"
    assert out.response.request_id == "req_scripted_0001"
    assert out.response.model == "claude-sonnet-4-5"
    assert scripted_server.requests[0].body["stream"] is True


async def test_several_tool_calls_in_one_response_are_parsed_from_json_deltas(
    client, scripted_server
):
    read_input = {"file_path": "src/app.py", "offset": 10, "limit": 200}
    bash_input = {"command": "pytest -q tests/ && echo 'ok — done'", "timeout": 120}
    scripted_server.add(
        Reply(
            (Text("Two things."), ToolUse("Read", read_input), ToolUse("Bash", bash_input)),
            chunk_size=5,
        )
    )
    out = await drain(client, make_request())
    starts = out.of(ToolUseStart)
    assert [s.name for s in starts] == ["Read", "Bash"]
    assert len(out.of(ToolInputJsonDelta)) > 4  # inputs arrive in several chunks
    blocks = out.response.content
    assert [b["type"] for b in blocks] == ["text", "tool_use", "tool_use"]
    assert blocks[1]["input"] == read_input and blocks[2]["input"] == bash_input
    assert blocks[1]["id"] == starts[0].id and blocks[2]["id"] == starts[1].id
    assert blocks[1]["id"] != blocks[2]["id"]
    assert out.response.stop_reason == "tool_use"


async def test_thinking_streams_with_signature_and_budget_is_sent(client, scripted_server):
    scripted_server.add(
        Reply((Thinking("Weigh the options carefully.", signature="sig-abc"), Text("Answer.")))
    )
    out = await drain(client, make_request(thinking_budget=2000, max_tokens=1000))
    thinking = [d for d in out.of(TextDelta) if d.kind == "thinking"]
    assert "".join(d.text for d in thinking) == "Weigh the options carefully."
    assert out.response.content[0] == {
        "type": "thinking",
        "thinking": "Weigh the options carefully.",
        "signature": "sig-abc",
    }
    sent = scripted_server.requests[0].body
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 2000}
    assert sent["max_tokens"] > 2000  # the API requires max_tokens > budget_tokens


async def test_no_thinking_parameter_when_budget_is_zero(client, scripted_server):
    scripted_server.add(text("ok"))
    await drain(client, make_request())
    assert "thinking" not in scripted_server.requests[0].body


async def test_usage_counts_all_four_token_kinds(client, scripted_server):
    usage = Tokens(
        input_tokens=1234,
        output_tokens=56,
        cache_creation_input_tokens=78,
        cache_read_input_tokens=9000,
    )
    scripted_server.add(text("ok", usage=usage))
    out = await drain(client, make_request())
    u = out.response.usage
    assert (u.input_tokens, u.output_tokens) == (1234, 56)
    assert (u.cache_creation_input_tokens, u.cache_read_input_tokens) == (78, 9000)


async def test_max_tokens_stop_reason_is_surfaced_with_partial_content(client, scripted_server):
    scripted_server.add(Reply((Text("This answer was cut at the tok"),), stop_reason="max_tokens"))
    out = await drain(client, make_request())
    assert out.response.stop_reason == "max_tokens"
    assert out.response.content[0]["text"] == "This answer was cut at the tok"


async def test_refusal_stop_reason_is_surfaced(client, scripted_server):
    scripted_server.add(Reply((Text("I can't help with that."),), stop_reason="refusal"))
    out = await drain(client, make_request())
    assert out.response.stop_reason == "refusal"


async def test_request_carries_tool_results_and_no_api_key_in_recorded_headers(
    client, scripted_server
):
    scripted_server.add(text("ok"))
    messages = [
        {"role": "user", "content": "list files"},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "LS", "input": {"path": "."}}
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "a.py\nb.py"}],
        },
    ]
    await drain(client, make_request(messages=messages))
    rec = scripted_server.requests[0]
    assert rec.body["messages"][2]["content"][0]["tool_use_id"] == "toolu_1"
    assert rec.body["messages"][2]["content"][0]["content"] == "a.py\nb.py"
    assert "x-api-key" not in rec.headers and "authorization" not in rec.headers
    assert b"test-key-not-real" not in rec.raw
    assert json.loads(rec.raw) == rec.body


async def test_closing_the_stream_early_leaves_the_client_usable(client, scripted_server):
    scripted_server.add(text("a long answer " * 20, chunk_size=3), text("next"))
    stream = client.stream(make_request())
    first = await anext(stream)
    assert isinstance(first, TextDelta)
    await stream.aclose()  # what cancelling a turn does
    out = await drain(client, make_request())
    assert out.response.content == [{"type": "text", "text": "next"}]


def test_one_client_serves_successive_event_loops(scripted_server):
    import asyncio

    from harness.model.anthropic_client import AnthropicClient

    scripted_server.add(text("one"), text("two"))
    c = AnthropicClient(max_retries=0)
    first = asyncio.run(drain(c, make_request()))
    second = asyncio.run(drain(c, make_request()))
    assert [first.response.content[0]["text"], second.response.content[0]["text"]] == ["one", "two"]
