"""Bash: run a shell command in the sandbox, in a working directory that persists across
calls, with a timeout (the whole process group is killed) and head+tail capped output."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import tempfile
import time
from pathlib import Path

from pydantic import Field

from harness.tools.base import BaseTool, ToolContext, ToolError, ToolInput, ToolOutput

DEFAULT_TIMEOUT = 120.0
MAX_TIMEOUT = 600.0
HEAD_CHARS = 15_000
TAIL_CHARS = 15_000
KILL_GRACE = 2.0
DRAIN_AFTER_EXIT = 1.0  # background children may keep the pipes open; stop reading then


class BashInput(ToolInput):
    command: str = Field(description="The shell command (bash) to run.")
    timeout: float | None = Field(
        default=None, gt=0,
        description=f"Seconds before the command is killed. Default {DEFAULT_TIMEOUT:.0f}, "
        f"max {MAX_TIMEOUT:.0f}.",
    )


class CappedBuffer:
    """Keeps the first and last characters of a stream and counts everything."""

    def __init__(self, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> None:
        self.head_limit, self.tail_limit = head, tail
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            if len(self.tail) > self.tail_limit:
                del self.tail[: len(self.tail) - self.tail_limit]

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        if self.total <= self.head_limit + self.tail_limit:
            return head + self.tail.decode("utf-8", "replace")
        dropped = self.total - len(self.head) - len(self.tail)
        tail = self.tail.decode("utf-8", "replace")
        return (
            f"{head}\n\n[… {dropped} bytes omitted; output was {self.total} bytes in total — "
            f"first {len(self.head)} and last {len(self.tail)} shown. Redirect to a file and "
            "use Grep/Read, or filter with head/tail/grep …]\n\n"
            f"{tail}"
        )


async def _pump(stream: asyncio.StreamReader, buf: CappedBuffer) -> None:
    while True:
        chunk = await stream.read(65536)
        if not chunk:
            return
        buf.add(chunk)


_draining: set[asyncio.Future] = set()


async def _exited(proc: asyncio.subprocess.Process) -> int:
    """Wait for the process itself to exit. `proc.wait()` also waits for its pipes to
    close, which a backgrounded child (`server &`) would hold open indefinitely."""
    delay, started = 0.001, time.monotonic()
    while proc.returncode is None:
        await asyncio.sleep(delay)
        # Quick commands (a sandboxed one takes tens of ms) are seen within ~5 ms of their
        # end; after two seconds, poll gently.
        delay = min(delay * 2, 0.005 if time.monotonic() - started < 2 else 0.02)
    return proc.returncode


def _kill_group(pid: int, sig: int) -> None:
    """The command's process group, and each direct child that left it: bubblewrap's
    namespace init runs in a session of its own, and if bwrap dies before the kernel ties
    that init to it (`--die-with-parent` is set from inside, a moment later), the group kill
    alone would leave the whole sandbox running, holding the call's pipes."""
    escaped = _children_outside_group(pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
    for child in escaped:  # each one named by its pid, read just before the group kill
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(child, sig)


def _children_outside_group(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except (OSError, ValueError):
        return []
    escaped = []
    for child in children:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(child) != pid:
                escaped.append(child)
    return escaped


def command_env(ctx: ToolContext) -> dict[str, str]:
    """Harness's environment without credentials (sandbox.env), set up for no prompts."""
    from harness.permissions.sandbox_env import scrubbed_env

    env = scrubbed_env(os.environ, ctx.sandbox_env_include, ctx.sandbox_env_exclude)
    env.setdefault("GIT_TERMINAL_PROMPT", "0")  # never hang on a credential prompt
    env["PAGER"] = "cat"
    env["GIT_PAGER"] = "cat"
    return env


class Bash(BaseTool[BashInput]):
    name = "Bash"
    description = (
        "Run a bash command. The working directory persists across calls (`cd` sticks). "
        f"Default timeout {DEFAULT_TIMEOUT:.0f} s (max {MAX_TIMEOUT:.0f}); long output is cut "
        "to its head and tail. Commands run in a sandbox: writes outside the project and "
        "temp folders, and network access, may be refused. Prefer Read/Grep/Glob/LS over "
        "cat/grep/find/ls, and Edit over sed."
    )
    Input = BashInput
    category = "shell"  # the permission engine parses the command for its real category

    def _workdir(self, ctx: ToolContext) -> Path:
        cwd = ctx.workdir
        if not cwd.is_dir():
            raise ToolError(
                f"the working directory {cwd} no longer exists; `cd` to an existing folder "
                f"(the project root is {ctx.project_root})"
            )
        return cwd

    async def preview(self, input: BashInput, ctx: ToolContext) -> str:
        return f"$ {input.command}\n(in {ctx.workdir})"

    async def revalidate(self, input: BashInput, ctx: ToolContext) -> None:
        self._workdir(ctx)

    async def run(self, input: BashInput, ctx: ToolContext) -> ToolOutput:
        cwd = self._workdir(ctx)
        timeout = min(input.timeout or DEFAULT_TIMEOUT, MAX_TIMEOUT)
        policy = None
        env = command_env(ctx)
        if ctx.sandbox_enabled:
            from harness.permissions.sandbox import (
                SandboxPolicy,
                inside_tmp,
                sandbox_status,
                session_temp,
            )

            policy = SandboxPolicy(
                ctx.project_root.resolve(), tuple(ctx.sandbox_writable), ctx.sandbox_network,
                session_temp(ctx.thread_id or "default"), tuple(ctx.sandbox_protected),
                ctx.sandbox_unix_sockets,
            )
            if sandbox_status().available:
                env["TMPDIR"] = str(inside_tmp(policy))
            assert policy.private_tmp is not None
            # The marker lives in the session's temp folder: the one place both the command
            # (as its /tmp) and harness (as a host path) can reach.
            fd, host_marker = tempfile.mkstemp(prefix=".harness-cwd-",
                                               dir=policy.private_tmp / "tmp")
            marker_inside = str(inside_tmp(policy) / Path(host_marker).name)
        else:
            fd, host_marker = tempfile.mkstemp(prefix="harness-cwd-")
            marker_inside = host_marker
        os.close(fd)
        # The trap records the final folder even when the command calls `exit`.
        # An explicit `cd` because a sandbox wrapper may choose its own start folder.
        script = (
            f"trap 'pwd -P > {shlex.quote(marker_inside)}' EXIT\n"
            f"cd -- {shlex.quote(str(cwd))} || exit 1\n{input.command}"
        )
        watch: list[Path] = []
        if policy is not None:
            from harness.permissions.sandbox import sandboxed_command

            argv, watch = await asyncio.to_thread(sandboxed_command, script, policy)
        else:
            argv = ["bash", "-c", script]
        removed: list[Path] = []
        try:
            output = await self._execute(argv, cwd, timeout, host_marker, policy, ctx, env)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(host_marker)
            if watch:  # also when the call was cancelled or failed
                from harness.permissions.sandbox import remove_planted

                removed = remove_planted(watch)
        for path in removed:
            output.content += (f"\n[sandbox] removed {path}, which the command created: it "
                               "would make git read another repository's config")
        return output

    async def _execute(
        self, argv: list[str], cwd: Path, timeout: float, marker: str, policy,
        ctx: ToolContext, env: dict[str, str],
    ) -> ToolOutput:
        started = time.monotonic()
        spawn = asyncio.ensure_future(asyncio.create_subprocess_exec(
            *argv, cwd=str(cwd), env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout kills it all
        ))
        try:
            # Shielded: cancelled mid-spawn, asyncio kills only the direct child and then
            # waits for its pipes to close, which bubblewrap's half-started namespace init
            # (its parent gone before --die-with-parent took hold) holds for ever. A fault
            # run wedged there 16 min. Let the spawn finish, then end the group our way.
            proc = await asyncio.shield(spawn)
        except asyncio.CancelledError:
            with contextlib.suppress(BaseException):
                started_proc = await spawn
                _kill_group(started_proc.pid, signal.SIGKILL)
            raise
        except OSError as exc:
            raise ToolError(f"could not start the shell: {exc.strerror or exc}") from None
        assert proc.stdout is not None and proc.stderr is not None
        out, err = CappedBuffer(), CappedBuffer(HEAD_CHARS // 3, TAIL_CHARS // 3)
        pumps = [asyncio.ensure_future(_pump(proc.stdout, out)),
                 asyncio.ensure_future(_pump(proc.stderr, err))]
        timed_out = False
        try:
            await asyncio.wait_for(_exited(proc), timeout)
        except TimeoutError:
            timed_out = True
            _kill_group(proc.pid, signal.SIGTERM)
            # `_exited`, not `proc.wait()`: that also waits for the pipes, which a process
            # that outlives the kill could hold open for ever.
            try:
                await asyncio.wait_for(_exited(proc), KILL_GRACE)
            except TimeoutError:
                _kill_group(proc.pid, signal.SIGKILL)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_exited(proc), KILL_GRACE)
        except asyncio.CancelledError:  # the turn was interrupted: leave nothing running
            _kill_group(proc.pid, signal.SIGKILL)
            for p in pumps:
                p.cancel()
            raise
        _done, pending = await asyncio.wait(pumps, timeout=DRAIN_AFTER_EXIT)
        # A background child still holds the pipes: keep draining them (into the bounded
        # buffers) so it never blocks on a full pipe, but stop waiting for it.
        _draining.update(pending)
        for p in pending:
            p.add_done_callback(_draining.discard)
        elapsed = time.monotonic() - started
        code = proc.returncode if proc.returncode is not None else -1

        meta: dict = {"exit_code": code, "duration_s": round(elapsed, 3)}
        new_cwd = self._read_marker(marker)
        if new_cwd is not None:
            ctx.cwd = new_cwd
        meta["cwd"] = str(ctx.workdir)
        if pending:
            meta["background_output_left"] = True

        stdout, stderr = out.text(), err.text()
        parts = []
        if stdout.strip():
            parts.append(stdout.rstrip("\n"))
        if stderr.strip():
            parts.append("[stderr]\n" + stderr.rstrip("\n"))
        body = "\n".join(parts) if parts else "(no output)"
        if timed_out:
            meta["timed_out"] = True
            return ToolOutput(
                f"{body}\n\nCommand timed out after {timeout:g} s and was killed (with its "
                "child processes). Run long tasks in the background (`cmd > log 2>&1 &`) or "
                "raise `timeout` (max 600).",
                is_error=True, metadata=meta,
            )
        if policy is not None and code != 0:
            from harness.permissions.sandbox import denial_message, is_sandbox_denial

            if is_sandbox_denial(code, err.text()):
                meta["sandbox_denied"] = True
                return ToolOutput(f"{body}\n\nExit code {code}: {denial_message(policy)}",
                                  is_error=True, metadata=meta)
        if code != 0:
            body += f"\n\nExit code {code}"
        if new_cwd is not None and new_cwd != cwd:
            body += f"\n(working directory is now {new_cwd})"
        return ToolOutput(body, is_error=code != 0, metadata=meta)

    @staticmethod
    def _read_marker(marker: str) -> Path | None:
        try:
            text = Path(marker).read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        if not text:
            return None
        path = Path(text)
        return path if path.is_dir() else None
