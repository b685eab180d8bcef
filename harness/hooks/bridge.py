"""Connects configured hooks to the loop: pre/post tool use, notification, prompt submit, stop.

Built only when some hook is configured, so a session without hooks pays nothing per call.
Hook warnings (crash, timeout) are reported as `error` events and never block.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from harness.hooks.runner import combine, run_hooks
from harness.protocol.events import ErrorEvent, Event, PermissionRequest

if TYPE_CHECKING:
    from harness.config.schema import Settings
    from harness.permissions.types import Decision
    from harness.tools.base import ToolOutput


class HookHost(Protocol):
    """What the bridge needs of the session it serves."""

    @property
    def settings(self) -> Settings: ...
    @property
    def thread_id(self) -> str: ...
    @property
    def project_root(self) -> Path: ...
    @property
    def mode(self) -> str: ...
    def record(self, event: Event) -> int: ...


class HookBridge:
    def __init__(self, session: HookHost) -> None:
        self.session = session
        self.hooks = session.settings.hooks

    def _base(self) -> dict[str, Any]:
        s = self.session
        return {"thread_id": s.thread_id, "project": str(s.project_root), "mode": s.mode}

    def _warn(self, warnings: tuple[str, ...]) -> None:
        for text in warnings:
            self.session.record(ErrorEvent(message=text, kind="hook"))

    async def pre_tool_use(
        self, tool: str, tool_input: dict[str, Any], decision: Decision
    ) -> tuple[Decision, str | None]:
        """The decision after hooks, and a block reason when a hook exited 2 (or said deny)."""
        if not self.hooks.pre_tool_use:
            return decision, None
        outcome = await run_hooks(
            "pre_tool_use",
            {**self._base(), "input": tool_input, "decision": decision.to_json()},
            self.hooks.pre_tool_use,
            tool,
            cwd=self.session.project_root,
        )
        self._warn(outcome.warnings)
        if outcome.blocked:
            return decision, outcome.reason
        return combine(decision, outcome), None

    async def post_tool_use(
        self, tool: str, tool_input: dict[str, Any], output: ToolOutput
    ) -> str | None:
        if not self.hooks.post_tool_use:
            return None
        outcome = await run_hooks(
            "post_tool_use",
            {
                **self._base(),
                "input": tool_input,
                "output": output.content[:4000],
                "is_error": output.is_error,
            },
            self.hooks.post_tool_use,
            tool,
            cwd=self.session.project_root,
        )
        self._warn(outcome.warnings)
        if outcome.blocked:
            return f"a post_tool_use hook objected: {outcome.reason}"
        return outcome.context or None

    async def notify(self, request: PermissionRequest) -> None:
        """An ask is waiting: tell other surfaces (chat, mail) through `notification` hooks."""
        if not self.hooks.notification:
            return
        outcome = await run_hooks(
            "notification",
            {
                **self._base(),
                "kind": "permission_request",
                "request": request.model_dump(mode="json"),
            },
            self.hooks.notification,
            request.tool,
            cwd=self.session.project_root,
        )
        self._warn(outcome.warnings)

    async def prompt_submit(self, prompt: str) -> str | None:
        """A `user_prompt_submit` hook may block a prompt (exit 2): returns the reason."""
        if not self.hooks.user_prompt_submit:
            return None
        outcome = await run_hooks(
            "user_prompt_submit",
            {**self._base(), "prompt": prompt},
            self.hooks.user_prompt_submit,
            None,
            cwd=self.session.project_root,
        )
        self._warn(outcome.warnings)
        return outcome.reason if outcome.blocked else None

    async def stop(self, status: str, result: str) -> None:
        if not self.hooks.stop:
            return
        outcome = await run_hooks(
            "stop",
            {**self._base(), "status": status, "result": result},
            self.hooks.stop,
            None,
            cwd=self.session.project_root,
        )
        self._warn(outcome.warnings)
