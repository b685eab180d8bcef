"""Opening a session: its options, which thread it drives (new, resumed, forked), and what
a person must be told at start-up. Kept apart from `AgentSession` so the session module
holds only the running thread's behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.config.schema import Settings
from harness.store.base import Store


@dataclass
class SessionOptions:
    project_root: Path | None = None
    front_end: str = "headless"
    resume: str | None = None  # None, "" (last thread of the project) or a thread id
    fork: str | None = None  # "THREAD" or "THREAD@SEQ"
    flags: dict[str, Any] = field(default_factory=dict)  # dotted config overrides
    store_url: str | None = None
    demo: bool = False
    max_turns: int | None = None
    on_ask: str | None = None  # headless `--on-ask` if given (None: the resumed run's own)
    model_client: Any = None  # a ModelClient to use instead of the configured one (tests)
    store: Store | None = None  # an open store to use (tests, subagents)
    tracer: Any = None  # a harness.agent.tracing.Tracing to use; None = from settings.tracing


class SessionError(Exception):
    """A session that cannot open: unknown thread, nothing to resume, bad fork target."""


def parse_checkpoint(text: str) -> tuple[str, int | None]:
    thread, _, seq = text.partition("@")
    if not thread:
        raise SessionError(f"{text!r} is not THREAD or THREAD@SEQ")
    if seq and not seq.isdigit():
        raise SessionError(f"{text!r}: SEQ must be a whole number, e.g. {thread}@12")
    return thread, int(seq) if seq else None


def start_notices(settings: Settings, root: Path | None = None) -> list[str]:
    """What a person must know before the first command runs (shown by every front-end)."""
    from harness.permissions.sandbox import sandbox_notice

    notices: list[str] = []
    if root is not None:
        from harness.config.home import locate_project_root

        narrowed = locate_project_root(root).notice()
        if narrowed:
            notices.append(narrowed)
    notices.append(sandbox_notice(settings.sandbox.enabled))  # never silent, also when confined
    return notices


def unknown_outcome_notices(calls: list[dict[str, Any]]) -> list[str]:
    """One notice per call whose outcome is unknown (stopped while it ran), with its input:
    it may or may not have taken effect, and harness will not run it again."""
    import json

    notices = []
    for call in calls:
        shown = json.dumps(call.get("input") or {}, ensure_ascii=False)
        if len(shown) > 300:
            shown = shown[:299] + "…"
        notices.append(
            f"outcome unknown: {call.get('tool') or '?'} {shown} (call {call.get('call_id')}) "
            "was stopped while it ran, so it may or may not have taken effect; it is not "
            "re-run. Check before doing it again."
        )
    return notices


def stale_threads(store: Store, project: str, abandon_after: str, current: str = "") -> list:
    """Threads of this project a human left waiting: marked abandoned by `sessions gc`, or
    awaiting approval for longer than `sessions.abandon_after`. Shown at start-up."""
    import time

    from harness.config.schema import parse_duration

    cutoff = time.time() - parse_duration(abandon_after)
    return [
        t for t in store.list_threads(project, limit=500)
        if t.thread_id != current
        and (t.state == "abandoned" or (t.state == "awaiting_approval" and t.updated_at < cutoff))
    ]


def target_thread(store: Store, root: Path, opts: SessionOptions) -> str | None:
    if opts.fork:
        thread_id, seq = parse_checkpoint(opts.fork)
        return store.fork(store.resolve_thread(thread_id).thread_id, seq).thread_id
    if opts.resume is None:
        return None
    if opts.resume:
        thread = store.resolve_thread(opts.resume)
        if thread.parent_call_id and thread.parent_thread_id:
            raise SessionError(
                f"thread {thread.thread_id} is a run of the sub-agent {thread.agent!r} started by "
                f"thread {thread.parent_thread_id}; resume that thread instead: it continues "
                "this sub-agent where it stopped (`harness sessions show "
                f"{thread.thread_id}` shows its log)"
            )
        return thread.thread_id
    last = store.last_thread(str(root))
    if last is None:
        raise SessionError(f"no thread to resume in {root}; start one without --resume")
    return last.thread_id
