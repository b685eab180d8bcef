"""AskUser: a question to the person. The agent loop asks it through the Approver and puts
the answer in `ctx.answer` before this tool runs."""

from __future__ import annotations

from pydantic import Field, field_validator

from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput


class AskUserInput(ToolInput):
    question: str = Field(description="One clear question; say what choices you see.")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be empty")
        return value


class AskUser(BaseTool[AskUserInput]):
    name = "AskUser"
    description = (
        "Ask the user a question and wait for the answer. Use it when a decision is theirs "
        "(an ambiguous requirement, a risky choice), not for things you can find out yourself."
    )
    Input = AskUserInput
    category = "meta"

    async def preview(self, input: AskUserInput, ctx: ToolContext) -> str:
        return input.question

    async def run(self, input: AskUserInput, ctx: ToolContext) -> ToolOutput:
        if ctx.answer is None:
            raise ToolError(
                "the question got no answer (no one is there to reply, e.g. a headless run); "
                "make a reasonable choice, say which one you made, and continue"
            )
        answer = ctx.answer
        return ToolOutput(f"The user answered: {answer}", metadata={"answer": answer})
