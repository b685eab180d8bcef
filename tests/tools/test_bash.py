from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from harness.tools.base import ToolError
from harness.tools.bash import Bash


async def bash(ctx, command, **kw):
    tool = Bash()
    return await tool.run(tool.parse({"command": command, **kw}), ctx)


async def test_bash_runs_command_in_project_root(project, ctx):
    out = await bash(ctx, "pwd; echo hello")
    assert out.content == f"{project}\nhello" and out.metadata["exit_code"] == 0
    assert not out.is_error


async def test_bash_reports_nonzero_exit_code_and_stderr(project, ctx):
    out = await bash(ctx, "echo out; echo oops >&2; exit 3")
    assert out.is_error and out.metadata["exit_code"] == 3
    assert "out" in out.content and "[stderr]\noops" in out.content
    assert "Exit code 3" in out.content


async def test_bash_keeps_working_directory_across_calls(project, ctx):
    (project / "sub/deeper").mkdir(parents=True)
    first = await bash(ctx, "cd sub/deeper")
    assert first.metadata["cwd"] == str(project / "sub/deeper")
    assert ctx.cwd == project / "sub/deeper"
    second = await bash(ctx, "pwd")
    assert second.content == str(project / "sub/deeper")


async def test_bash_cwd_recorded_even_when_command_exits(project, ctx):
    (project / "d").mkdir()
    await bash(ctx, "cd d && exit 0")
    assert (await bash(ctx, "pwd")).content == str(project / "d")


async def test_bash_vanished_cwd_fails_revalidate_cleanly(project, ctx):
    (project / "gone").mkdir()
    await bash(ctx, "cd gone")
    (project / "gone").rmdir()
    tool = Bash()
    with pytest.raises(ToolError, match="no longer exists"):
        await tool.revalidate(tool.parse({"command": "ls"}), ctx)


async def test_bash_huge_output_capped_head_and_tail_with_total(project, ctx):
    out = await bash(ctx, "seq 1 200000")
    total = sum(len(f"{i}\n") for i in range(1, 200001))
    assert out.content.startswith("1\n2\n3\n")
    assert out.content.rstrip().endswith("199999\n200000")
    assert f"output was {total} bytes in total" in out.content
    assert len(out.content) < 32_000


async def test_bash_timeout_kills_the_process_group(project, ctx):
    pidfile = project / "child.pid"
    started = time.monotonic()
    # 3 s: time for the sandbox and bash to start and print "started" on a loaded machine.
    out = await bash(ctx, f"sleep 60 & echo $! > {pidfile}; echo started; wait", timeout=3)
    assert time.monotonic() - started < 30
    assert out.is_error and out.metadata["timed_out"]
    assert "timed out after 3 s" in out.content and "started" in out.content
    child = int(pidfile.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("background child survived the timeout")


async def test_bash_timeout_also_ends_a_child_that_left_the_process_group(project, ctx):
    # `setsid` leaves the group the way bubblewrap's namespace init does (its own session):
    # a timeout must end it too, or it keeps running and holds the call's pipes.
    pidfile = project / "escaped.pid"
    out = await bash(ctx, f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 60' & "
                          f"while [ ! -s {pidfile} ]; do sleep 0.05; done; echo started; "
                          "exec sleep 60", timeout=3)
    assert out.is_error and out.metadata["timed_out"] and "started" in out.content, out.content
    escaped = int(pidfile.read_text())
    try:
        for _ in range(100):
            try:
                os.kill(escaped, 0)
            except ProcessLookupError:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the child that left the process group survived the timeout")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(escaped, signal.SIGKILL)  # the one pid it recorded
        await asyncio.sleep(0.3)  # let the pipes close while the loop is alive


async def test_bash_background_process_does_not_hang_the_call(project, ctx):
    pidfile = project / "bg.pid"
    started = time.monotonic()
    # The child outlives the call by far, so "did not wait for it" holds even when a loaded
    # machine makes the call itself slow.
    out = await bash(ctx, f"sleep 120 & echo $! > {pidfile}; echo done", timeout=100)
    assert out.content.startswith("done") and time.monotonic() - started < 60
    os.kill(int(pidfile.read_text()), signal.SIGKILL)
    await asyncio.sleep(0.3)  # let the pipes close while the loop is alive


async def test_bash_timeout_above_max_is_clamped(project, ctx):
    out = await bash(ctx, "echo ok", timeout=100000)
    assert out.content == "ok"


async def test_bash_preview_shows_command_and_folder(project, ctx):
    tool = Bash()
    assert await tool.preview(tool.parse({"command": "make test"}), ctx) == (
        f"$ make test\n(in {project})")


def _sandbox_available() -> tuple[bool, str]:
    from harness.permissions.sandbox import sandbox_status

    status = sandbox_status()
    return status.available, status.detail


async def test_bash_sandbox_denial_reported_as_clear_error(project, ctx):
    ok, detail = _sandbox_available()
    if not ok:
        pytest.skip(f"no OS sandbox on this machine: {detail}")
    ctx.sandbox_enabled = True
    target = Path.home() / f".harness-sandbox-probe-{uuid.uuid4().hex}"
    try:
        out = await bash(ctx, f"echo x > {target}")
        assert out.is_error and out.metadata.get("sandbox_denied") is True
        assert "stopped by the sandbox" in out.content
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)


async def test_bash_in_sandbox_can_write_project_and_keep_cwd(project, ctx):
    ok, detail = _sandbox_available()
    if not ok:
        pytest.skip(f"no OS sandbox on this machine: {detail}")
    ctx.sandbox_enabled = True
    (project / "w").mkdir()
    out = await bash(ctx, "cd w && echo hi > f.txt && cat f.txt")
    assert out.content.startswith("hi\n(working directory is now")
    assert (project / "w/f.txt").read_text() == "hi\n"
    assert ctx.cwd == project / "w"


async def test_bash_gets_a_scrubbed_environment_with_or_without_sandbox(project, ctx,
                                                                         monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-bash-env-0123456789")
    monkeypatch.setenv("SOME_PASSWORD", "pw")
    monkeypatch.setenv("HARMLESS_SETTING", "kept")
    for enabled in (False, True):
        if enabled and not _sandbox_available()[0]:
            continue
        ctx.sandbox_enabled = enabled
        out = await bash(ctx, 'echo "[$ANTHROPIC_API_KEY][$SOME_PASSWORD][$HARMLESS_SETTING]"')
        assert out.content == "[][][kept]", (enabled, out.content)
    ctx.sandbox_env_include = ("SOME_PASSWORD",)
    out = await bash(ctx, 'echo "[$SOME_PASSWORD]"')
    assert out.content == "[pw]"


async def test_bash_in_sandbox_has_its_own_tmp_and_background_jobs_end_with_the_call(
        project, ctx):
    from harness.permissions.sandbox import sandbox_status, session_temp

    if sandbox_status().mechanism != "bubblewrap":
        pytest.skip("needs the bubblewrap sandbox")
    ctx.sandbox_enabled = True
    name = f"bash-tmp-{uuid.uuid4().hex[:8]}"
    out = await bash(ctx, f"echo mine > /tmp/{name}; echo $TMPDIR; (sleep 300 &); echo started")
    assert out.content.splitlines() == ["/tmp", "started"]
    assert (session_temp(ctx.thread_id) / "tmp" / name).read_text() == "mine\n"
    assert not (Path("/tmp") / name).exists()
    again = await bash(ctx, f"cat /tmp/{name}; pgrep -c sleep || true")
    assert again.content.splitlines() == ["mine", "0"]  # the background sleep ended


async def test_a_cancel_while_the_shell_is_being_spawned_ends_what_it_started(
        project, ctx, monkeypatch):
    # asyncio's own handling of a cancel mid-spawn kills only the direct child, then waits
    # for its pipes: a half-started bubblewrap sandbox held them and a fault run hung 16 min.
    # Here the spawn is slowed so the cancel lands in it, after the command has started.
    pidfile = project / "grandchild.pid"
    real = asyncio.create_subprocess_exec

    async def slow_spawn(*args, **kwargs):
        proc = await real(*args, **kwargs)
        for _ in range(400):  # the command is running: its background child has a pid
            if pidfile.exists() and pidfile.read_text().strip():
                break
            await asyncio.sleep(0.025)
        await asyncio.sleep(1.0)  # still "spawning" when the cancel comes
        return proc

    monkeypatch.setattr(asyncio, "create_subprocess_exec", slow_spawn)
    run = asyncio.ensure_future(bash(ctx, f"sleep 60 & echo $! > {pidfile}; wait"))
    for _ in range(400):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        await asyncio.sleep(0.025)
    run.cancel()
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert time.monotonic() - started < 10  # the spawn finished, and nothing waited on pipes
    grandchild = int(pidfile.read_text())
    try:
        for _ in range(100):
            try:
                os.kill(grandchild, 0)
            except ProcessLookupError:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("a process the cancelled call started is still running")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(grandchild, signal.SIGKILL)  # the one pid it recorded
        await asyncio.sleep(0.3)
