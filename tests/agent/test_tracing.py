"""Tracing: real OpenTelemetry spans into an in-memory exporter; off means no-op, no import."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from harness.agent.tracing import NoopSpan, Tracing
from harness.config.schema import Settings
from harness.protocol.usage import Usage


def _enabled(**tracing) -> Settings:
    return Settings.model_validate({"tracing": {"enabled": True, **tracing}})


def test_disabled_tracing_yields_a_shared_noop_and_never_imports_opentelemetry():
    code = (
        "import sys\n"
        "from harness.agent.tracing import Tracing\n"
        "from harness.config.schema import Settings\n"
        "t = Tracing.from_settings(Settings())\n"
        "with t.span('turn', attributes={'a': 1}) as s:\n"
        "    s.set('x', 1); s.set_usage(None); s.record_error('e')\n"
        "assert not t.enabled\n"
        "assert not any(m.startswith('opentelemetry') for m in sys.modules), 'otel imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert isinstance(Tracing.disabled().span("turn"), NoopSpan)


def test_spans_nest_and_carry_model_call_tokens_cache_hits_and_cost():
    exporter = InMemorySpanExporter()
    tracer = Tracing.from_settings(_enabled(), exporter=exporter)
    usage = Usage(input_tokens=10, output_tokens=5, cache_read_input_tokens=900,
                  cache_creation_input_tokens=40)
    with tracer.span("session", {"harness.thread_id": "t1"}), tracer.span("turn", {"a": 1}):
        with tracer.span("model_call", {"gen_ai.request.model": "m"}) as span:
            span.set_usage(usage, cost_usd=0.0123)
            span.set("harness.latency_ms", 12.5)
        with tracer.span("permission_wait", {"harness.tool": "Bash"}):
            pass
        with tracer.span("tool_call", {"harness.tool": "Read"}):
            pass
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) == {"harness.session", "harness.turn", "harness.model_call",
                          "harness.permission_wait", "harness.tool_call"}
    model = spans["harness.model_call"]
    assert model.attributes["gen_ai.usage.input_tokens"] == 10
    assert model.attributes["gen_ai.usage.cache_read_input_tokens"] == 900
    assert model.attributes["harness.cost_usd"] == pytest.approx(0.0123)
    assert model.parent.span_id == spans["harness.turn"].context.span_id
    assert spans["harness.turn"].parent.span_id == spans["harness.session"].context.span_id
    assert spans["harness.tool_call"].parent.span_id == spans["harness.turn"].context.span_id


async def test_concurrent_subagent_spans_hang_under_their_own_tool_call():
    exporter = InMemorySpanExporter()
    tracer = Tracing.from_settings(_enabled(), exporter=exporter)

    async def task_call(i: int) -> None:
        with tracer.span("tool_call", {"harness.call_id": f"c{i}"}):
            await asyncio.sleep(0.01 * (3 - i))  # finish out of order
            with tracer.span("subagent", {"harness.agent": "explore", "harness.call_id": f"c{i}"}):
                await asyncio.sleep(0.01)

    with tracer.span("turn"):
        await asyncio.gather(*(task_call(i) for i in range(3)))
    spans = exporter.get_finished_spans()
    calls = {s.attributes["harness.call_id"]: s for s in spans if s.name == "harness.tool_call"}
    for sub in (s for s in spans if s.name == "harness.subagent"):
        assert sub.parent.span_id == calls[sub.attributes["harness.call_id"]].context.span_id


def test_an_exception_marks_the_span_as_error_and_is_reraised():
    from opentelemetry.trace import StatusCode

    exporter = InMemorySpanExporter()
    tracer = Tracing.from_settings(_enabled(), exporter=exporter)
    with pytest.raises(RuntimeError), tracer.span("tool_call"):
        raise RuntimeError("boom")
    with tracer.span("subagent") as span:
        span.record_error("schema mismatch")
    first, second = exporter.get_finished_spans()
    assert first.status.status_code is StatusCode.ERROR
    assert first.events[0].name == "exception"
    assert second.status.description == "schema mismatch"


def test_otlp_endpoint_exports_over_http(tmp_path):
    """A real OTLP/HTTP POST reaches a local server when an endpoint is configured."""
    import http.server
    import threading

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["content-length"] or 0))
            seen.append(self.path)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tracer = Tracing.from_settings(
            _enabled(otlp_endpoint=f"http://127.0.0.1:{server.server_address[1]}")
        )
        with tracer.span("session"):
            pass
        tracer.shutdown()  # flushes the batch processor
    finally:
        server.shutdown()
    assert seen == ["/v1/traces"]
