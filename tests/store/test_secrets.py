"""The one redaction rule set: credential names and passwords in URLs, applied to stored
events (both backends), the spill, traces and logs."""

from __future__ import annotations

import json
import logging

import pytest

from harness.protocol.events import ToolCallEvent, ToolResult
from harness.store.secrets import (
    is_secret_name,
    redact,
    redact_data,
    redacting_logger,
    scrub,
    secret_values,
)


@pytest.mark.parametrize("name", [
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY",
    "GITHUB_TOKEN", "NPM_AUTH_TOKEN", "GH_TOKEN_FOR_CI", "DB_PASSWORD", "PGPASSWORD",
    "MYSQL_PWD_PASSWD", "GOOGLE_APPLICATION_CREDENTIALS", "DOCKER_AUTH_CONFIG", "SIGNING_KEY",
    "client_secret", "JWT_SECRET_KEY", "GITLAB_PAT", "SSH_KEY_PASSPHRASE",
])
def test_credential_names_are_secret(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", [
    "HOME", "PATH", "DATABASE_URL", "KEYBOARD", "SSH_AUTH_SOCK", "TOKENIZERS_PARALLELISM",
    "MONKEY", "AUTHOR",
])
def test_ordinary_names_are_not(name):
    assert not is_secret_name(name)


def test_values_of_credential_names_are_replaced_by_name_longest_first():
    env = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE12345", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7",
           "OUTER_TOKEN": "AKIDEXAMPLE12345-more", "HOME": "/root/home-dir", "X_KEY": "short"}
    text = "id=AKIDEXAMPLE12345 secret=wJalrXUtnFEMI/K7 both=AKIDEXAMPLE12345-more /root/home-dir"
    assert redact(text, env) == (
        "id=[redacted:AWS_ACCESS_KEY_ID] secret=[redacted:AWS_SECRET_ACCESS_KEY] "
        "both=[redacted:OUTER_TOKEN] /root/home-dir"
    )
    assert [n for n, _ in secret_values(env)] == [
        "OUTER_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"
    ]


@pytest.mark.parametrize("url, shown", [
    ("postgresql://user:pass@host/db", "postgresql://user:[redacted]@host/db"),
    ("postgres://svc:p%40ss-w0rd@db.internal:5432/app?sslmode=require",
     "postgres://svc:[redacted]@db.internal:5432/app?sslmode=require"),
    ("redis://:hunter2@cache:6379/0", "redis://:[redacted]@cache:6379/0"),
    ("https://x-access-token:ghs_abc@github.com/o/r.git",
     "https://x-access-token:[redacted]@github.com/o/r.git"),
    ("amqp://guest@rabbit/", "amqp://guest@rabbit/"),  # no password: nothing to hide
    ("https://example.com/a:b@c", "https://example.com/a:b@c"),  # a path, not credentials
    ("two: mysql://a:first-pw@h1/x and ftp://b:second-pw@h2/", "two: mysql://a:[redacted]@h1/x "
     "and ftp://b:[redacted]@h2/"),
    ("user@example.com wrote http://x/y", "user@example.com wrote http://x/y"),
])
def test_passwords_inside_urls_are_redacted_in_any_text(url, shown):
    assert redact(f"connecting to {url} now", {}) == f"connecting to {shown} now"


def test_a_password_from_any_variables_url_is_redacted_alone_too():
    env = {"DATABASE_URL": "postgresql://app:Sup3rS3cretPw@db/app", "HOME": "/root"}
    assert redact("psql -W Sup3rS3cretPw", env) == "psql -W [redacted:DATABASE_URL:url]"
    assert "Sup3rS3cretPw" not in redact("DATABASE_URL=postgresql://app:Sup3rS3cretPw@db/app", env)


def test_json_escaped_urls_and_values_are_redacted_in_event_json():
    env = {"DEPLOY_TOKEN": 'tok"quoted\\value'}
    event = ToolCallEvent(call_id="c", tool="Bash", input={
        "command": 'curl -H "tok\\"quoted" postgresql://u:pw-in-json@h/d tok"quoted\\value'})
    raw = scrub(event.model_dump_json(), env)
    decoded = json.loads(raw)["input"]["command"]
    assert "pw-in-json" not in raw and 'tok"quoted\\value' not in decoded
    assert "postgresql://u:[redacted]@h/d" in decoded and "[redacted:DEPLOY_TOKEN]" in decoded


def test_redact_data_walks_json_like_values(monkeypatch):
    monkeypatch.setenv("SERVICE_TOKEN", "svc-token-value-1")
    data = {"a": ["svc-token-value-1", 3, {"b": "postgresql://u:p4ss@h/d"}], "n": None}
    assert redact_data(data) == {"a": ["[redacted:SERVICE_TOKEN]", 3,
                                       {"b": "postgresql://u:[redacted]@h/d"}], "n": None}


def test_stored_events_carry_no_url_password_or_key_id(store, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDLOCALTEST999")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:AppPassw0rd!@db:5432/app")
    t = store.create_thread("/proj")
    store.append(t.thread_id, ToolResult(
        call_id="c", tool="Bash",
        content="AKIDLOCALTEST999 postgresql://app:AppPassw0rd!@db:5432/app AppPassw0rd!"))
    (raw,) = [e.raw for e in store.events(t.thread_id)]
    assert "AKIDLOCALTEST999" not in raw and "AppPassw0rd" not in raw
    assert "postgresql://app:[redacted]@db:5432/app" in raw


def test_the_environment_is_rescanned_when_it_changes(monkeypatch):
    assert "late-secret-value" in redact("late-secret-value")
    monkeypatch.setenv("LATE_SECRET", "late-secret-value")
    assert redact("late-secret-value") == "[redacted:LATE_SECRET]"


def test_redacting_logger_cleans_messages_args_and_tracebacks(monkeypatch, caplog):
    monkeypatch.setenv("LOG_TOKEN", "log-token-value-42")
    log = redacting_logger("harness.test.secrets")
    with caplog.at_level(logging.INFO, logger="harness.test.secrets"):
        log.info("using %s and %s", "log-token-value-42", "mysql://u:pw12345@h/d")
        try:
            raise RuntimeError("failed with log-token-value-42")
        except RuntimeError:
            log.exception("boom")
    text = caplog.text
    assert "log-token-value-42" not in text and "pw12345" not in text
    assert "[redacted:LOG_TOKEN]" in text and "RuntimeError" in text


def test_span_attributes_events_and_errors_are_redacted(monkeypatch):
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from harness.agent.tracing import Tracing
    from harness.config.schema import Settings

    monkeypatch.setenv("TRACE_API_KEY", "trace-key-value-7")
    exporter = InMemorySpanExporter()
    tracer = Tracing.from_settings(Settings.model_validate({"tracing": {"enabled": True}}),
                                   exporter=exporter)
    with pytest.raises(RuntimeError), tracer.span("tool_call", {
        "harness.command": "curl postgresql://u:SpanPassw0rd@h/d"
    }) as span:
        span.set("harness.note", "key trace-key-value-7")
        span.add_event("x", {"detail": "trace-key-value-7"})
        raise RuntimeError("failed: trace-key-value-7")
    (finished,) = exporter.get_finished_spans()
    dumped = finished.to_json()
    assert "trace-key-value-7" not in dumped and "SpanPassw0rd" not in dumped
    assert "[redacted:TRACE_API_KEY]" in dumped
    assert finished.events[-1].name == "exception"
