"""`!cmd`: a shell command the person typed runs through the Bash tool's own sandboxed path
(no permission ask: it is their command), and becomes a `UserShell` event the model reads
with the next prompt."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from harness.protocol.events import UserShell

if TYPE_CHECKING:
    from harness.tools.base import ToolContext

# The conversation gets at most this much of the output (head and tail): a `!cat big.log`
# must not fill the model's context. The person sees the same text.
MAX_OUTPUT_CHARS = 10_000
TIMEOUT_SECONDS = 120.0


def cap_output(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """`text` itself, or its head and tail with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit // 2], text[-(limit // 2):]
    dropped = len(text) - len(head) - len(tail)
    return f"{head}\n[… {dropped} characters omitted …]\n{tail}"


async def run_user_shell(command: str, ctx: ToolContext) -> UserShell:
    """Run `command` as Bash would (same sandbox, scrubbed environment, working directory),
    without moving the model's working directory: a `cd` in `!` stays in that command."""
    from harness.tools.base import ToolError
    from harness.tools.bash import Bash, BashInput

    own = dataclasses.replace(ctx)  # Bash records a `cd` on its context; keep the thread's
    started = time.monotonic()
    try:
        out = await Bash().run(BashInput(command=command, timeout=TIMEOUT_SECONDS), own)
    except ToolError as exc:
        return UserShell(command=command, output=str(exc), is_error=True,
                         cwd=str(ctx.workdir))
    code = out.metadata.get("exit_code")
    return UserShell(
        command=command,
        output=cap_output(out.content),
        exit_code=code if isinstance(code, int) and code >= 0 else None,
        is_error=out.is_error,
        cwd=str(ctx.workdir),
        duration_ms=round((time.monotonic() - started) * 1000, 1),
    )

