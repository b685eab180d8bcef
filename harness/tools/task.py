"""The `Task` tool: delegate a piece of work to a sub-agent through a typed handoff.

Tools sit below the agent layer, so this module only shapes the input and calls the
runner the agent injects as `ToolContext.subagent_runner`; the sub-agent's loop, limits,
permissions and output validation live in `harness/agent/subagents.py`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import Field, field_validator

from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

# The id of the tool call being run. The agent loop sets it around each call; concurrent
# calls run in their own asyncio tasks, so each sees its own value.
CURRENT_CALL_ID: contextvars.ContextVar[str] = contextvars.ContextVar(
    "harness_current_call_id", default=""
)


class TaskHandoff(ToolInput):
    """What the sub-agent is given: nothing of the parent's conversation besides this."""

    goal: str = Field(min_length=1, description="What the sub-agent must achieve, stated fully.")
    results_so_far: Any = Field(
        "",
        description="Facts and results the sub-agent needs (text or JSON); it does not see "
        "your conversation.",
    )
    constraints: list[str] = Field(
        default_factory=list,
        description="Rules it must follow (files not to touch, time/scope limits, ...).",
    )
    expected_output: dict[str, Any] | str = Field(
        "",
        description="A JSON Schema its final answer must match (it will be validated), or a "
        "short description of the answer wanted.",
    )

    @field_validator("constraints", mode="before")
    @classmethod
    def _one_constraint(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class TaskInput(ToolInput):
    agent: str = Field(description="The agent type to start (one of the names listed).")
    handoff: TaskHandoff


class TaskTool(BaseTool[TaskInput]):
    name: ClassVar[str] = "Task"
    description: ClassVar[str] = (
        "Start a sub-agent on a self-contained task and get its result. The sub-agent "
        "starts with an empty conversation: put everything it needs in `handoff`. Several "
        "Task calls in one response run in parallel; use that for independent work."
    )
    Input = TaskInput
    category: ClassVar = "meta"
    concurrent_safe: ClassVar[bool] = True

    def __init__(self, agents: Sequence[tuple[str, str]] = ()) -> None:
        # (name, description) of each agent the model may start, shown in the schema.
        self.agents = list(agents)

    def schema(self) -> dict[str, Any]:
        schema = super().schema()
        # Inline the handoff object: models fill a flat schema more reliably than a $ref.
        props = schema["input_schema"]["properties"]
        props["handoff"] = {**schema["input_schema"].pop("$defs")["TaskHandoff"],
                            "description": "Everything the sub-agent is given."}
        for prop in (*props.values(), *props["handoff"]["properties"].values()):
            prop.pop("title", None)
        props["handoff"].pop("title", None)
        if self.agents:
            listing = "\n".join(f"- {name}: {desc}" for name, desc in self.agents)
            schema["description"] = f"{self.description}\n\nAvailable agents:\n{listing}"
            schema["input_schema"]["properties"]["agent"]["enum"] = [n for n, _ in self.agents]
        return schema

    async def preview(self, input: TaskInput, ctx: ToolContext) -> str:
        assert isinstance(input, TaskInput)
        return f"{input.agent}: {input.handoff.goal}"

    async def run(self, input: TaskInput, ctx: ToolContext) -> ToolOutput:
        assert isinstance(input, TaskInput)
        runner = ctx.subagent_runner
        if runner is None:
            raise ToolError(
                "sub-agents are not available here (delegation depth reached or no runner); "
                "do the work yourself"
            )
        handoff = input.handoff.model_dump(mode="json")
        return await runner(input.agent, handoff, CURRENT_CALL_ID.get())
