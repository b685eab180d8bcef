"""The todo list the model keeps with TodoWrite; hidden while empty."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

MARKS = {"completed": ("☑", "dim strike"), "in_progress": ("◐", "bold"), "pending": ("☐", "")}


class TodoPanel(Static):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.todos: list[dict[str, Any]] = []

    def set_todos(self, todos: list[dict[str, Any]] | None) -> None:
        self.todos = list(todos or [])
        self.display = bool(self.todos)
        done = sum(1 for t in self.todos if t.get("status") == "completed")
        text = Text(f"Todos {done}/{len(self.todos)}\n", style="bold")
        for todo in self.todos:
            status = str(todo.get("status", "pending"))
            mark, style = MARKS.get(status, ("☐", ""))
            label = todo.get("activeForm") if status == "in_progress" else None
            text.append(f" {mark} {label or todo.get('content', '')}\n", style=style)
        text.rstrip()
        self.update(text)
