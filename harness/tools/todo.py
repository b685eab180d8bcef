"""TodoWrite: the model's task list for the current work; the UI shows it as a checklist.
Each call replaces the whole list."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.tools._schema import inline_refs
from harness.tools.base import BaseTool, ToolContext, ToolInput, ToolOutput

MARKS = {"pending": "[ ]", "in_progress": "[~]", "completed": "[x]"}


class Todo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: str = Field(description="What to do, in the imperative: `Run the tests`.")
    status: Literal["pending", "in_progress", "completed"]
    activeForm: str | None = Field(
        default=None, description="Shown while in progress: `Running the tests`."
    )

    @field_validator("content")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("content must not be empty")
        return value.strip()


class TodoWriteInput(ToolInput):
    todos: list[Todo] = Field(description="The complete, updated task list.")


class TodoWrite(BaseTool[TodoWriteInput]):
    name = "TodoWrite"
    description = (
        "Replace the task list for the current work (shown to the user). Use it for tasks of "
        "three or more steps: add the steps, mark one `in_progress` while you work on it and "
        "`completed` as soon as it is done."
    )
    Input = TodoWriteInput
    category = "meta"
    concurrent_safe = False

    def schema(self) -> dict:
        return inline_refs(super().schema())

    async def run(self, input: TodoWriteInput, ctx: ToolContext) -> ToolOutput:
        todos = [t.model_dump(exclude_none=True) for t in input.todos]
        if not todos:
            return ToolOutput("Task list cleared.", metadata={"todos": []})
        done = sum(t.status == "completed" for t in input.todos)
        lines = [f"{MARKS[t.status]} {t.content}" for t in input.todos]
        note = ""
        if sum(t.status == "in_progress" for t in input.todos) > 1:
            note = "\nNote: more than one task is in_progress; keep one at a time if you can."
        return ToolOutput(
            f"Task list updated ({done}/{len(todos)} done):\n" + "\n".join(lines) + note,
            metadata={"todos": todos},
        )
