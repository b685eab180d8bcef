"""The retry policy's pure parts: retry-after parsing, jittered backoff, classification."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from harness.model.retry import Failure, backoff_delay, kind_for_status, retry_after_seconds


def test_retry_after_accepts_seconds_ms_and_http_dates():
    assert retry_after_seconds({"retry-after": "2.5"}) == 2.5
    assert retry_after_seconds({"retry-after": "9", "retry-after-ms": "120"}) == 0.12
    now = 1_700_000_000.0
    date = formatdate(now + 30, usegmt=True)
    assert retry_after_seconds({"retry-after": date}, now=now) == pytest.approx(30)
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_full_jitter_stays_within_the_capped_exponential():
    f = Failure("server", 500, "x")
    for attempt in range(1, 8):
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        assert backoff_delay(attempt, f, base=0.5, cap=4.0, rng=lambda: 0.999) <= ceiling
        assert backoff_delay(attempt, f, base=0.5, cap=4.0, rng=lambda: 0.0) == 0.0
    told = Failure("rate_limit", 429, "x", retry_after=3.0)
    assert backoff_delay(1, told, base=0.5, cap=0.1) == 3.0


@pytest.mark.parametrize(
    ("status", "error_type", "kind", "retryable"),
    [
        (429, None, "rate_limit", True),
        (529, None, "overloaded", True),
        (500, None, "server", True),
        (502, None, "server", True),
        (200, "overloaded_error", "overloaded", True),
        (200, "invalid_request_error", "bad_request", False),
        (400, None, "bad_request", False),
        (401, None, "auth", False),
        (404, None, "bad_request", False),
        (413, None, "bad_request", False),
    ],
)
def test_status_classification(status, error_type, kind, retryable):
    got = kind_for_status(status, error_type)
    assert got == kind
    assert Failure(got, status, "").retryable is retryable
