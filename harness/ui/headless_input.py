"""What a headless run is asked: the task (`-p TASK` or `harness TASK`), piped stdin added to
it (delimited, capped), and `--json-schema`'s instructions and retry message.

Reading stdin never hangs on a pipe nobody writes: it waits `STDIN_WAIT_SECONDS` for the
first byte (as `claude -p` does) and goes on without it; once input flows it is read to its
end or to `STDIN_CAP_BYTES`, whichever comes first.
"""

from __future__ import annotations

import io
import json
import os
import select
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

STDIN_CAP_BYTES = 256 * 1024
STDIN_WAIT_SECONDS = 3.0

EMPTY_TASK = (
    'the task is empty (or only whitespace); give one with `harness -p "TASK"` or '
    '`harness "TASK"`, or pipe it on stdin (`echo TASK | harness -p`)'
)
NO_TASK = (
    'no task given; use `harness -p "TASK"` or `harness "TASK"`, pipe the task on stdin, '
    "or run `harness` in a terminal for the interactive UI"
)


class TaskProblem(ValueError):
    """The task or `--json-schema` cannot be used (a usage error, exit 2)."""


@dataclass(frozen=True)
class PipedInput:
    text: str = ""
    truncated: bool = False
    timed_out: bool = False  # nothing came within STDIN_WAIT_SECONDS


def stdin_fd(stream: TextIO) -> int | None:
    """The file descriptor to read piped input from, or None (a terminal, or no stdin)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    try:
        return None if os.isatty(fd) else fd
    except OSError:
        return None


def read_piped(fd: int, *, wait: float = STDIN_WAIT_SECONDS,
               cap: int = STDIN_CAP_BYTES) -> PipedInput:
    """Read piped input from `fd`: never more than `cap` bytes, never waiting for a first
    byte longer than `wait` seconds (an open pipe nobody writes to)."""
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return PipedInput(timed_out=True)
    chunks: list[bytes] = []
    size = 0
    while size <= cap:
        chunk = os.read(fd, min(65536, cap + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    return PipedInput(text=data[:cap].decode("utf-8", errors="replace"),
                      truncated=len(data) > cap)


def compose_task(task: str | None, piped: PipedInput | None) -> str:
    """The prompt: the task, then the piped text clearly delimited; or the piped text alone
    when no task was given. Raises TaskProblem when there is nothing to do."""
    if task is not None and not task.strip():
        raise TaskProblem(EMPTY_TASK)
    text = piped.text if piped is not None else ""
    if not text.strip():
        if task is None:
            raise TaskProblem(NO_TASK)
        return task
    note = (f"\n[stdin was cut at {STDIN_CAP_BYTES // 1024} KiB; the rest was not read]"
            if piped is not None and piped.truncated else "")
    if task is None:
        return text.strip() + note
    return (f"{task}\n\nThe input piped to harness on stdin:\n<stdin>\n{text.rstrip()}\n"
            f"</stdin>{note}")


def stdin_notice(task: str | None, piped: PipedInput | None) -> str | None:
    """What to tell the person on stderr about stdin, if anything."""
    if piped is None:
        return None
    if piped.timed_out and task is not None:
        return (f"no input on stdin within {STDIN_WAIT_SECONDS:g}s; running without it "
                "(run with `< /dev/null` to skip the wait)")
    if piped.truncated:
        return f"stdin is longer than {STDIN_CAP_BYTES // 1024} KiB; only the start was sent"
    return None


# --- --json-schema -------------------------------------------------------------------------


def load_json_schema(value: str) -> dict[str, Any]:
    """`--json-schema` as inline JSON or a file path; checked to be a usable JSON Schema."""
    from harness.agent.subagents.definitions import check_json_schema

    if value.lstrip().startswith("{"):
        source, text = "the inline --json-schema", value
    else:
        path = Path(value).expanduser()
        try:
            text = path.read_text()
        except OSError as exc:
            raise TaskProblem(
                f"--json-schema {value}: cannot read it ({exc.strerror or exc}); give a file "
                "path or inline JSON such as '{\"type\": \"object\"}'"
            ) from None
        source = f"--json-schema {value}"
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaskProblem(f"{source} is not JSON: {exc}") from None
    try:
        check_json_schema(schema)
    except ValueError as exc:
        raise TaskProblem(f"{source}: {exc}") from None
    assert isinstance(schema, dict)  # check_json_schema refuses anything else
    return schema


def schema_instructions(schema: dict[str, Any]) -> str:
    """Appended to the task so the model knows the answer format before it starts."""
    return (
        "\n\nAnswer format: this run was started with --json-schema. When you are done, your "
        "final message must be only a JSON value (no prose around it) that validates "
        "against this JSON Schema:\n" + json.dumps(schema, indent=2, ensure_ascii=False)
    )


def schema_retry_prompt(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems)
    return (
        "Your final answer does not validate against the JSON Schema this run requires "
        f"(--json-schema):\n{listed}\nReply again with only the corrected JSON value."
    )
