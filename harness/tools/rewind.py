"""File rewind: prior contents of changed files kept in a shadow git repository under
`$HARNESS_HOME/shadow/<project-hash>` (never the user's own `.git`), and restored on demand.

Each snapshot is one commit whose tree holds just that file, stored under its absolute path
(so files outside the project work too); commits are chained on one ref so git never prunes
them. Works whether or not the project is a git repository. Files the permission engine
treats as secrets (`.env*`, private keys, cloud credentials) are never snapshotted: their
contents stay out of the shadow repository, like the store, and rewind leaves them alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.tools.base import ToolError

REF = "refs/heads/snapshots"
_locks: dict[str, asyncio.Lock] = {}


@dataclass(frozen=True, slots=True)
class FileSnapshotInfo:
    commit: str
    existed: bool


def _key(path: Path) -> str:
    """The tree path a file is stored under: its absolute path without the leading slash."""
    return path.as_posix().lstrip("/") or "root"


class ShadowRepo:
    """The shadow repository of one project."""

    def __init__(self, project_root: Path, home: Path | None = None) -> None:
        from harness.config.home import harness_home

        self.project_root = project_root.resolve()
        digest = hashlib.sha256(str(self.project_root).encode()).hexdigest()[:16]
        self.git_dir = (home or harness_home()) / "shadow" / digest

    def _env(self, index: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            GIT_DIR=str(self.git_dir), GIT_AUTHOR_NAME="harness", GIT_AUTHOR_EMAIL="harness@local",
            GIT_COMMITTER_NAME="harness", GIT_COMMITTER_EMAIL="harness@local",
            GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
        )
        if index is not None:
            env["GIT_INDEX_FILE"] = str(index)
        return env

    async def _git(self, *args: str, stdin: bytes | None = None, index: Path | None = None,
                   check: bool = True) -> tuple[int, bytes]:
        proc = await asyncio.create_subprocess_exec(
            "git", *args, env=self._env(index),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate(stdin)
        code = proc.returncode or 0
        if check and code != 0:
            raise ToolError(
                f"the rewind store at {self.git_dir} failed (git {args[0]}): "
                f"{err.decode(errors='replace').strip()}"
            )
        return code, out

    async def _ensure(self) -> None:
        if (self.git_dir / "HEAD").exists():
            return
        self.git_dir.parent.mkdir(parents=True, exist_ok=True)
        await self._git("init", "--quiet", "--bare", str(self.git_dir))
        await self._git("config", "gc.auto", "0")  # never prune or repack behind our back
        (self.git_dir / "project").write_text(str(self.project_root) + "\n")

    async def snapshot(self, path: Path) -> FileSnapshotInfo | None:
        """Save `path`'s current content (or its absence) and return the commit holding it;
        None for a secret file (by its name as given or as resolved), which is not saved."""
        given = Path(path)
        path = given.resolve()
        if is_secret_file(given) or is_secret_file(path):
            return None
        lock = _locks.setdefault(str(self.git_dir), asyncio.Lock())
        async with lock:
            await self._ensure()
            existed = path.is_file()
            index = self.git_dir / f"index-{os.getpid()}"
            index.unlink(missing_ok=True)
            try:
                if existed:
                    data = await asyncio.to_thread(path.read_bytes)
                    _, blob = await self._git("hash-object", "-w", "--stdin", stdin=data)
                    mode = "100755" if os.access(path, os.X_OK) else "100644"
                    await self._git("update-index", "--add", "--cacheinfo",
                                    f"{mode},{blob.decode().strip()},{_key(path)}", index=index)
                _, tree = await self._git("write-tree", index=index)
            finally:
                index.unlink(missing_ok=True)
            code, parent = await self._git("rev-parse", "--verify", "--quiet", REF, check=False)
            args = ["commit-tree", tree.decode().strip(), "-m", f"snapshot {path}"]
            if code == 0:
                args += ["-p", parent.decode().strip()]
            _, commit = await self._git(*args)
            sha = commit.decode().strip()
            await self._git("update-ref", REF, sha)
            return FileSnapshotInfo(sha, existed)

    async def restore_one(self, path: Path, commit: str, existed: bool) -> None:
        if not existed:  # the change created the file: rewinding removes it
            if path.is_file() or path.is_symlink():
                path.unlink()
            return
        key = _key(path)
        _, listing = await self._git("ls-tree", commit, "--", key)
        if not listing.strip():
            raise ToolError(f"snapshot {commit[:10]} does not hold {path}; it cannot be restored")
        _, data = await self._git("cat-file", "blob", f"{commit}:{key}")
        await asyncio.to_thread(_write, path, data, listing.decode().startswith("100755"))

    async def restore(self, snapshots: Iterable[tuple[str, str, bool]]) -> list[str]:
        """Restore each (path, commit, existed); return the paths restored, in order."""
        done: list[str] = []
        for raw, commit, existed in snapshots:
            path = Path(raw)
            if not path.is_absolute():
                path = self.project_root / path
            path = path.parent.resolve() / path.name  # as `snapshot` resolved it
            await self.restore_one(path, commit, existed)
            done.append(str(path))
        return done


def is_secret_file(path: Path) -> bool:
    """The permission engine's own predicate (one definition of "secret" for all)."""
    from harness.permissions.paths import is_secret_path

    return is_secret_path(path)


def _write(path: Path, data: bytes, executable: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    mode = path.stat().st_mode
    path.chmod(mode | 0o111 if executable else mode & ~0o111)


def select_snapshots(events: Iterable[tuple[int, object]], seq: int) -> list[object]:
    """For "rewind to seq N": the earliest `FileSnapshot` of each file after N (that one
    holds the content the file had at step N). `events` are (seq, decoded event) pairs."""
    chosen: dict[str, object] = {}
    for event_seq, event in events:
        if event_seq <= seq or getattr(event, "type", None) != "file_snapshot":
            continue
        chosen.setdefault(event.path, event)  # type: ignore[attr-defined]
    return list(chosen.values())


async def restore_files(project_root: Path, snapshots: list) -> list[str]:
    """Restore `FileSnapshot` events (from `select_snapshots`) in the project's shadow repo."""
    repo = ShadowRepo(Path(project_root))
    return await repo.restore((s.path, s.commit, s.existed) for s in snapshots)


def snapshotter(project_root: Path, home: Path | None = None):
    """A `ToolContext.snapshot` callable for a project."""
    repo = ShadowRepo(project_root, home)
    return repo.snapshot
