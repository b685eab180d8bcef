"""OpenTelemetry spans for sessions, turns, model calls, permission waits, tools, sub-agents.

Optional: with `tracing.enabled = false` (the default) or without `opentelemetry-sdk`
installed, `Tracing.span` returns a shared no-op object and OpenTelemetry is never
imported. Spans nest through contextvars, so sub-agents running concurrently in their own
asyncio tasks hang under the right Task call. Secrets never go into attributes: callers
pass counts, ids and names, not prompts or tool output, and every string that does go in
(attributes, events, error messages) passes the store's one redaction rule set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

# Span names (one per traced step) and the attribute keys callers share.
SESSION, TURN, MODEL_CALL = "harness.session", "harness.turn", "harness.model_call"
PERMISSION_WAIT, TOOL_CALL, SUBAGENT = (
    "harness.permission_wait", "harness.tool_call", "harness.subagent",
)
_SHORT = {
    "session": SESSION, "turn": TURN, "model_call": MODEL_CALL,
    "permission_wait": PERMISSION_WAIT, "tool_call": TOOL_CALL, "subagent": SUBAGENT,
}

AttrValue = str | bool | int | float


class NoopSpan:
    """What `span()` yields when tracing is off: every method does nothing."""

    __slots__ = ()

    def set(self, key: str, value: Any) -> None:
        return None

    def set_many(self, attributes: Mapping[str, Any]) -> None:
        return None

    def set_usage(self, usage: Any, *, cost_usd: float | None = None) -> None:
        return None

    def add_event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        return None

    def record_error(self, error: BaseException | str) -> None:
        return None

    def __enter__(self) -> NoopSpan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


_NOOP = NoopSpan()


def _clean(value: Any) -> AttrValue | None:
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return value
    from harness.store.secrets import redact

    return redact(value if isinstance(value, str) else str(value))


class LiveSpan:
    """A thin wrapper over an OpenTelemetry span with harness's attribute vocabulary."""

    __slots__ = ("_span",)

    def __init__(self, span: Any) -> None:
        self._span = span

    def set(self, key: str, value: Any) -> None:
        cleaned = _clean(value)
        if cleaned is not None:
            self._span.set_attribute(key, cleaned)

    def set_many(self, attributes: Mapping[str, Any]) -> None:
        for key, value in attributes.items():
            self.set(key, value)

    def set_usage(self, usage: Any, *, cost_usd: float | None = None) -> None:
        """Token counts (GenAI semantic-convention names) and cache hits of a model call."""
        self.set_many({
            "gen_ai.usage.input_tokens": getattr(usage, "input_tokens", 0),
            "gen_ai.usage.output_tokens": getattr(usage, "output_tokens", 0),
            "gen_ai.usage.cache_read_input_tokens": getattr(usage, "cache_read_input_tokens", 0),
            "gen_ai.usage.cache_creation_input_tokens": getattr(
                usage, "cache_creation_input_tokens", 0
            ),
        })
        if cost_usd is not None:
            self.set("harness.cost_usd", float(cost_usd))

    def add_event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        attrs = {k: c for k, v in (attributes or {}).items() if (c := _clean(v)) is not None}
        self._span.add_event(name, attrs)

    def record_error(self, error: BaseException | str) -> None:
        from opentelemetry.trace import Status, StatusCode

        from harness.store.secrets import redact

        message = redact(str(error))
        if isinstance(error, BaseException):
            # Not span.record_exception: it would copy the raw message and traceback.
            self._span.add_event("exception", {
                "exception.type": type(error).__qualname__, "exception.message": message,
                "exception.escaped": False,
            })
        self._span.set_status(Status(StatusCode.ERROR, message))


class Tracing:
    """Entry point: `tracer = Tracing.from_settings(settings)`, then
    `with tracer.span("turn", attributes={...}) as span: span.set(...)`."""

    def __init__(self, tracer: Any = None, provider: Any = None) -> None:
        self._tracer = tracer
        self._provider = provider

    @property
    def enabled(self) -> bool:
        return self._tracer is not None

    @classmethod
    def disabled(cls) -> Tracing:
        return cls()

    @classmethod
    def from_settings(cls, settings: Any, *, exporter: Any = None) -> Tracing:
        """Spans go to `exporter` (tests: an InMemorySpanExporter), else to the OTLP/HTTP
        endpoint from `tracing.otlp_endpoint` or the standard OTEL_EXPORTER_OTLP_* variables;
        with neither, spans are made (for in-process consumers) but not exported."""
        conf = getattr(settings, "tracing", None)
        if conf is None or not conf.enabled:
            return cls()
        try:
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        except ImportError:
            return cls()
        from harness import __version__

        provider = TracerProvider(
            resource=Resource.create({"service.name": "harness", "service.version": __version__})
        )
        if exporter is not None:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            endpoint = conf.otlp_endpoint or os.environ.get(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""
            ) or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
            otlp = _otlp_exporter(endpoint) if endpoint else None
            if otlp is not None:
                provider.add_span_processor(BatchSpanProcessor(otlp))
        # Our own provider, not the global one: a host application's tracing is untouched.
        return cls(provider.get_tracer("harness", __version__), provider)

    @contextmanager
    def _live(self, name: str, attributes: Mapping[str, Any] | None) -> Iterator[LiveSpan]:
        attrs = {k: c for k, v in (attributes or {}).items() if (c := _clean(v)) is not None}
        # Exceptions are recorded by LiveSpan.record_error, redacted, not by OpenTelemetry.
        with self._tracer.start_as_current_span(
            name, attributes=attrs, record_exception=False, set_status_on_exception=False
        ) as span:
            live = LiveSpan(span)
            try:
                yield live
            except GeneratorExit:
                raise
            except BaseException as exc:
                live.record_error(exc)
                raise

    def span(self, name: str, attributes: Mapping[str, Any] | None = None) -> Any:
        """A context manager yielding a span (`LiveSpan` or the shared `NoopSpan`).
        `name` may be short ("turn") or full ("harness.turn")."""
        if self._tracer is None:
            return _NOOP
        return self._live(_SHORT.get(name, name), attributes)

    def force_flush(self) -> None:
        if self._provider is not None:
            self._provider.force_flush()

    def shutdown(self) -> None:
        if self._provider is not None:
            self._provider.shutdown()
            self._provider = None
            self._tracer = None


def _otlp_exporter(endpoint: str) -> Any:
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        return None
    # The base endpoint gets the standard traces path; a full .../v1/traces URL is kept.
    url = endpoint if endpoint.rstrip("/").endswith("/v1/traces") else (
        endpoint.rstrip("/") + "/v1/traces"
    )
    return OTLPSpanExporter(endpoint=url)
