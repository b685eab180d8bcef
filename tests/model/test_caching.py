"""Prompt-cache breakpoints as the server receives them, and byte-stability across turns."""

from __future__ import annotations

import copy
import json

from harness.model.caching import build_body
from harness.model.script import text
from tests.model.conftest import drain, make_request

MARK = b',"cache_control":{"type":"ephemeral"}'
SYSTEM = [
    {"type": "text", "text": "You are harness, a coding agent."},
    {"type": "text", "text": "Project instructions: run tests with pytest."},
]
TOOLS = [
    {"name": n, "description": f"The {n} tool.", "input_schema": {"type": "object"}}
    for n in ("Read", "Edit", "Bash")
]


def _markers(body: dict) -> list[str]:
    """Where cache_control sits, as readable paths."""
    found = [f"system[{i}]" for i, b in enumerate(body.get("system", [])) if "cache_control" in b]
    found += [f"tools[{i}]" for i, t in enumerate(body.get("tools", [])) if "cache_control" in t]
    for i, m in enumerate(body["messages"]):
        for j, b in enumerate(m["content"] if isinstance(m["content"], list) else []):
            if "cache_control" in b:
                found.append(f"messages[{i}][{j}]")
    return found


def _turn(n: int) -> list[dict]:
    """A conversation after n tool round-trips."""
    msgs: list[dict] = [{"role": "user", "content": "fix the bug"}]
    for i in range(n):
        msgs.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": f"step {i}"},
                    {
                        "type": "tool_use",
                        "id": f"toolu_{i}",
                        "name": "Read",
                        "input": {"file_path": "a"},
                    },
                ],
            }
        )
        msgs.append(
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": f"line {i}"}
                ],
            }
        )
    return msgs


async def test_breakpoints_on_last_system_block_last_tool_and_latest_turn(client, scripted_server):
    scripted_server.add(text("ok"))
    request = make_request(system=SYSTEM, tools=TOOLS, messages=_turn(2))
    before = copy.deepcopy(request)
    await drain(client, request)
    body = scripted_server.requests[0].body
    assert _markers(body) == ["system[1]", "tools[2]", "messages[4][0]"]
    assert body["messages"][4]["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert request == before  # the caller's request objects are never mutated


async def test_unchanged_prefix_is_byte_identical_from_turn_to_turn(client, scripted_server):
    scripted_server.add(text("a"), text("b"), text("c"))
    await drain(client, make_request(system=SYSTEM, tools=TOOLS, messages=_turn(1)))
    await drain(client, make_request(system=SYSTEM, tools=TOOLS, messages=_turn(2)))
    await drain(client, make_request(system=SYSTEM, tools=TOOLS, messages=_turn(2)))
    r1, r2, r3 = (r.raw for r in scripted_server.requests)
    assert r2 == r3  # same request, same bytes: no timestamps, no reordering
    # Turn 2 repeats turn 1 byte for byte up to where turn 1 marked its latest message.
    common = next(i for i, (a, b) in enumerate(zip(r1, r2, strict=False)) if a != b)
    assert r1[common:].startswith(MARK)
    assert r1.rindex(MARK) == common
    # The static part comes first, in the API's prefix order.
    assert r1.index(b'"tools"') < r1.index(b'"system"') < r1.index(b'"messages"')


async def test_string_content_is_sent_as_a_block_so_marking_it_does_not_move_bytes(
    client, scripted_server
):
    scripted_server.add(text("a"), text("b"))
    first = [{"role": "user", "content": "hello"}]
    second = [*first, {"role": "assistant", "content": "hi"}, {"role": "user", "content": "go"}]
    await drain(client, make_request(messages=first))
    await drain(client, make_request(messages=second))
    b1, b2 = (r.body for r in scripted_server.requests)
    assert b1["messages"][0]["content"] == [
        {"type": "text", "text": "hello", "cache_control": {"type": "ephemeral"}}
    ]
    assert b2["messages"][0]["content"] == [{"type": "text", "text": "hello"}]
    r1, r2 = (r.raw for r in scripted_server.requests)
    assert r2.startswith(r1[: r1.rindex(MARK)])


def test_at_most_four_breakpoints_counting_the_callers_own():
    msgs = _turn(2)
    msgs[1] = {
        **msgs[1],
        "content": [
            {**msgs[1]["content"][0], "cache_control": {"type": "ephemeral"}},
            msgs[1]["content"][1],
        ],
    }
    msgs[3] = {
        **msgs[3],
        "content": [
            {**msgs[3]["content"][0], "cache_control": {"type": "ephemeral"}},
            msgs[3]["content"][1],
        ],
    }
    body = build_body(make_request(system=SYSTEM, tools=TOOLS, messages=msgs))
    assert len(_markers(body)) == 4
    assert _markers(body) == ["system[1]", "messages[1][0]", "messages[3][0]", "messages[4][0]"]


def test_thinking_block_is_skipped_and_empty_text_is_never_marked():
    msgs = [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "answer"},
                {"type": "text", "text": ""},
                {"type": "thinking", "thinking": "t", "signature": "s"},
            ],
        },
    ]
    body = build_body(make_request(messages=msgs))
    assert _markers(body) == ["system[0]", "messages[1][0]"]


def test_body_has_no_volatile_fields():
    a = json.dumps(build_body(make_request(system=SYSTEM, tools=TOOLS, messages=_turn(3))))
    b = json.dumps(build_body(make_request(system=SYSTEM, tools=TOOLS, messages=_turn(3))))
    assert a == b
