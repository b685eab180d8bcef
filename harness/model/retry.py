"""Which failed model calls are worth retrying, how long to wait, and what to tell the user.

Pure functions over plain values (status, headers, error type), so they are tested without
the SDK; anthropic_client.py turns SDK exceptions into a Failure first.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from harness.model.types import ModelError

# Error types the API sends in the JSON body (also inside an SSE `error` event, status 200).
_TYPE_STATUS = {"rate_limit_error": 429, "overloaded_error": 529, "api_error": 500}
MAX_SERVER_WAIT = 600.0  # seconds; longer retry-after values are clamped to this


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed attempt, reduced to what the retry policy needs."""

    kind: str  # ModelError kinds: rate_limit overloaded server connection timeout auth bad_request
    status: int | None
    detail: str
    retry_after: float | None = None  # seconds the server asked us to wait

    @property
    def retryable(self) -> bool:
        return self.kind in {"rate_limit", "overloaded", "server", "connection", "timeout"}

    @property
    def reason(self) -> str:
        """Short text for a RetryNotice."""
        head = f"{self.status} {self.kind}" if self.status else self.kind
        return f"{head}: {self.detail}" if self.detail else head


def kind_for_status(status: int, error_type: str | None = None) -> str:
    if status == 200 and error_type:  # an error event inside a stream
        status = _TYPE_STATUS.get(error_type, 400)
    if status == 429:
        return "rate_limit"
    if status == 529 or error_type == "overloaded_error":
        return "overloaded"
    if status in (408, 409):
        return "timeout" if status == 408 else "server"
    if status >= 500:
        return "server"
    if status in (401, 403):
        return "auth"
    return "bad_request"


def retry_after_seconds(
    headers: Mapping[str, str] | None, now: float | None = None
) -> float | None:
    """The wait the server asked for: `retry-after-ms`, else `retry-after` (seconds or a date)."""
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_delay(
    attempt: int,
    failure: Failure,
    *,
    base: float,
    cap: float,
    rng: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with full jitter; a server-given retry-after wins when present."""
    if failure.retry_after is not None:
        return min(failure.retry_after, MAX_SERVER_WAIT)
    return rng() * min(cap, base * (2 ** (attempt - 1)))


def final_error(failure: Failure, retries: int, base_url: str) -> ModelError:
    """The ModelError raised when a failure is not retryable or retries ran out."""
    tried = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
    s = failure.status
    detail = failure.detail
    match failure.kind:
        case "auth":
            msg = (
                f"The Anthropic API refused the credentials ({s}): {detail}. "
                "Check ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL if you use a proxy)."
            )
        case "bad_request":
            hint = " Check the model name (model.name or --model)." if s == 404 else ""
            msg = f"The Anthropic API rejected the request ({s}): {detail}.{hint}"
        case "rate_limit":
            msg = (
                f"Rate limited by the Anthropic API (429){tried}: {detail}. "
                "Wait a little, then resume the thread; raise model.max_retries to wait longer."
            )
        case "overloaded":
            msg = (
                f"The Anthropic API is overloaded ({s or 529}){tried}: {detail}. "
                "Try again in a few minutes and resume the thread."
            )
        case "server":
            msg = (
                f"The Anthropic API failed with a server error ({s}){tried}: {detail}. "
                "Try again later and resume the thread."
            )
        case "timeout":
            msg = (
                f"The model request timed out{tried} ({detail}). Check your network, or raise "
                "model.request_timeout, then resume the thread."
            )
        case _:
            msg = (
                f"Could not reach the Anthropic API at {base_url}{tried} ({detail}). "
                "Check your network or ANTHROPIC_BASE_URL, then resume the thread."
            )
    return ModelError(failure.kind, msg, status=s)
