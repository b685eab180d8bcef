"""Closed sets of the shared vocabulary, each spelled once; every other module imports them."""

from __future__ import annotations

from typing import Literal, get_args

Category = Literal["read", "write", "shell", "git_push", "network", "meta"]
Verdict = Literal["allow", "ask", "deny"]
Grade = Literal["reversible", "recoverable", "irreversible"]
Mode = Literal["default", "acceptEdits", "plan", "bypassPermissions"]
MODES: tuple[Mode, ...] = get_args(Mode)

# idle: made and never run yet (a fork until its first run).
ThreadStateName = Literal[
    "idle", "running", "awaiting_approval", "done", "failed", "cancelled", "abandoned"
]
THREAD_STATES: tuple[ThreadStateName, ...] = get_args(ThreadStateName)

# How one run (a prompt or a resume) ended.
RunStatus = Literal["done", "failed", "cancelled", "limit", "awaiting_approval"]

# model: unreachable/refused · config · limit · runtime · tool · hook · step: a step failed
# unexpectedly (the same failure twice stops the thread with a fork hint).
ErrorKind = Literal["model", "config", "limit", "runtime", "tool", "hook", "step"]

RequestKind = Literal["permission", "question"]  # question = AskUser
DecisionOutcome = Literal["allow", "deny"]
# Who decided: a person (human), or not: a rule, the mode's table, a hook, a session grant,
# the engine, or policy (a headless run's `--on-ask deny`: nobody was asked). "on_ask" is
# what older logs recorded for that last case.
DecisionSource = Literal[
    "rule", "mode", "human", "hook", "session", "policy", "on_ask", "engine"
]
Scope = Literal["once", "session", "project"]
AnswerKind = Literal["approve", "edit", "reject", "answer"]
AnsweredBy = Literal["human", "on_ask"]  # on_ask: headless `--on-ask deny`, no person involved
DeltaKind = Literal["text", "thinking"]
