"""A real HTTP server speaking enough of Anthropic's Messages API for tests, scripted step by step.

Each `POST /v1/messages` plays the next step of the script (see harness/model/script.py):
a Reply (streamed as SSE when the request says `"stream": true`, else one JSON message),
an HttpError in Anthropic's error shape, a ConnectionReset before any byte, or a StreamCut
(some SSE events, then the socket closes or an SSE error event is sent). A step may also be
a callable `body -> step`, to answer by content. Every request is recorded (headers minus
the API key, parsed JSON body, raw bytes) for assertions.

    from harness.model.script import Reply, Text, ToolUse, HttpError, text

    def test_something(scripted_server):          # fixture from tests/support/fixtures.py
        scripted_server.add(
            HttpError(429, retry_after=0.1),
            Reply((Text("Reading it."), ToolUse("Read", {"file_path": "a.py"}))),
            lambda body: text("saw " + str(len(body["messages"])) + " messages"),
        )
        ...  # run anything that uses the anthropic SDK; ANTHROPIC_BASE_URL points here
        assert scripted_server.requests[1].body["messages"][0]["role"] == "user"
        assert scripted_server.remaining == 0

Outside pytest: `with ScriptedServer([...]) as s:` and point ANTHROPIC_BASE_URL at s.base_url.
When the script is exhausted the server answers 400 invalid_request_error (never retried),
so a test that makes one request too many fails with a clear message.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.model.script import (
    AnyStep,
    ConnectionReset,
    HttpError,
    IdSource,
    Reply,
    Step,
    StreamCut,
    chunks,
    resolve,
    wire_content,
)

_SECRET_HEADERS = {"x-api-key", "authorization"}


@dataclass(slots=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names; x-api-key and authorization removed
    body: dict[str, Any]
    raw: bytes  # the exact body bytes, for byte-stability checks
    step: Step | None = None  # what was played in answer
    received_at: float = field(default_factory=time.monotonic)

    @property
    def streaming(self) -> bool:
        return bool(self.body.get("stream"))


def sse_events(reply: Reply, model: str, ids: IdSource) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs the real API streams for this reply, in order."""
    u = reply.usage
    start_usage = u.as_dict() | {"output_tokens": 1}
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": ids.message_id(),
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": start_usage,
                },
            },
        ),
        ("ping", {"type": "ping"}),
    ]
    for i, block in enumerate(wire_content(reply, ids)):
        kind = block["type"]
        if kind == "text":
            start = {"type": "text", "text": ""}
            deltas = [
                {"type": "text_delta", "text": c} for c in chunks(block["text"], reply.chunk_size)
            ]
        elif kind == "thinking":
            start = {"type": "thinking", "thinking": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": c}
                for c in chunks(block["thinking"], reply.chunk_size)
            ]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            js = json.dumps(block["input"])
            deltas = [{"type": "input_json_delta", "partial_json": ""}] + [
                {"type": "input_json_delta", "partial_json": c}
                for c in chunks(js, reply.chunk_size)
            ]
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": i, "content_block": start},
            )
        )
        for d in deltas:
            events.append(
                ("content_block_delta", {"type": "content_block_delta", "index": i, "delta": d})
            )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": reply.effective_stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": u.output_tokens},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def message_json(reply: Reply, model: str, ids: IdSource) -> dict[str, Any]:
    return {
        "id": ids.message_id(),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": wire_content(reply, ids),
        "stop_reason": reply.effective_stop_reason,
        "stop_sequence": None,
        "usage": reply.usage.as_dict(),
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    # Small SSE writes with Nagle on meet the client's delayed ACK: ~40 ms stalls per reply.
    disable_nagle_algorithm = True
    server: _Http

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        headers = {
            k.lower(): v for k, v in self.headers.items() if k.lower() not in _SECRET_HEADERS
        }
        rec = RecordedRequest("POST", self.path, headers, body, raw)
        owner = self.server.owner
        n = owner._record(rec)
        if self.path.split("?")[0] != "/v1/messages":
            return self._send_error(HttpError(404, f"scripted server: no route {self.path}"), n)
        step = owner._next_step(body)
        rec.step = step
        try:
            self._play(step, body, n)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout): nothing to do

    def do_GET(self) -> None:
        headers = {
            k.lower(): v for k, v in self.headers.items() if k.lower() not in _SECRET_HEADERS
        }
        n = self.server.owner._record(RecordedRequest("GET", self.path, headers, {}, b""))
        self._send_error(HttpError(404, f"scripted server: no route GET {self.path}"), n)

    # --- steps ---------------------------------------------------------------------------

    def _play(self, step: Step, body: dict[str, Any], n: int) -> None:
        delay = step.reply.delay if isinstance(step, StreamCut) else step.delay
        if delay:
            time.sleep(delay)
        if isinstance(step, HttpError):
            return self._send_error(step, n)
        if isinstance(step, ConnectionReset):
            # SO_LINGER 0 makes close() send RST instead of FIN: a reset before any byte.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return None
        reply = step.reply if isinstance(step, StreamCut) else step
        model = reply.model or str(body.get("model", "claude-scripted"))
        ids = self.server.owner.ids
        if not body.get("stream"):
            data = json.dumps(message_json(reply, model, ids)).encode()
            if isinstance(step, StreamCut):
                self._head(200, "application/json", n, length=len(data))
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                return None
            self._head(200, "application/json", n, length=len(data))
            self.wfile.write(data)
            return None
        events = sse_events(reply, model, ids)
        self._head(200, "text/event-stream", n, chunked=True)
        if isinstance(step, StreamCut):
            for ev in events[: step.after_events]:
                self._chunk(ev)
            if step.error_type:
                err = {"type": "error", "error": {"type": step.error_type, "message": "scripted"}}
                self._chunk(("error", err))
                self.wfile.write(b"0\r\n\r\n")
            self.close_connection = True  # no terminating chunk: the body is incomplete
            return None
        for ev in events:
            self._chunk(ev)
        self.wfile.write(b"0\r\n\r\n")
        return None

    def _head(
        self,
        status: int,
        ctype: str,
        n: int,
        *,
        length: int = 0,
        chunked: bool = False,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("request-id", f"req_scripted_{n:04d}")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if chunked:
            self.send_header("transfer-encoding", "chunked")
            self.send_header("cache-control", "no-cache")
        else:
            self.send_header("content-length", str(length))
        self.end_headers()

    def _chunk(self, ev: tuple[str, dict[str, Any]]) -> None:
        data = f"event: {ev[0]}\ndata: {json.dumps(ev[1])}\n\n".encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _send_error(self, err: HttpError, n: int) -> None:
        payload = {
            "type": "error",
            "error": {"type": err.type_name, "message": err.message},
            "request_id": f"req_scripted_{n:04d}",
        }
        data = json.dumps(payload).encode()
        extra: dict[str, str] = {}
        if err.retry_after is not None:
            extra["retry-after"] = f"{err.retry_after:g}"
        if err.retry_after_ms is not None:
            extra["retry-after-ms"] = f"{err.retry_after_ms:g}"
        self._head(err.status, "application/json", n, length=len(data), extra=extra)
        self.wfile.write(data)


class _Http(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: ScriptedServer


class ScriptedServer:
    """The server; start() binds a free port on 127.0.0.1 and serves from a daemon thread."""

    def __init__(
        self, steps: list[AnyStep] | tuple[AnyStep, ...] = (), *, default: AnyStep | None = None
    ) -> None:
        self._steps: deque[AnyStep] = deque(steps)
        self._lock = threading.Lock()
        self.default = default  # played when the script is exhausted, if set
        self.requests: list[RecordedRequest] = []
        self.ids = IdSource("scripted")
        self._http: _Http | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ------------------------------------------------------------------------

    def add(self, *steps: AnyStep) -> ScriptedServer:
        with self._lock:
            self._steps.extend(steps)
        return self

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._steps)

    @property
    def message_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.split("?")[0] == "/v1/messages"]

    def _record(self, rec: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(rec)
            return len(self.requests)

    def _next_step(self, body: dict[str, Any]) -> Step:
        with self._lock:
            step = self._steps.popleft() if self._steps else self.default
            n = len(self.requests)
        if step is None:
            return HttpError(400, f"scripted server: no step left for request #{n}")
        return resolve(step, body)

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._http is not None, "start() the server first"
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ScriptedServer:
        self._http = _Http(("127.0.0.1", 0), _Handler)
        self._http.owner = self
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="scripted-anthropic",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
