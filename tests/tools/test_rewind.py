from __future__ import annotations

import os
import subprocess

from harness.protocol.events import FileSnapshot
from harness.tools.base import ToolContext
from harness.tools.edit import Edit
from harness.tools.read import Read
from harness.tools.rewind import ShadowRepo, restore_files, select_snapshots, snapshotter
from harness.tools.write import Write


async def test_snapshot_and_restore_in_a_folder_that_is_not_a_git_repo(project, ctx):
    assert not (project / ".git").exists()
    f = project / "notes.txt"
    f.write_text("version 1\n")
    shadow = ShadowRepo(project)
    info = await shadow.snapshot(f)
    assert info.existed and len(info.commit) == 40
    f.write_text("version 2\n")
    restored = await shadow.restore([(str(f), info.commit, True)])
    assert restored == [str(f)] and f.read_text() == "version 1\n"
    assert not (project / ".git").exists()  # nothing created in the project
    assert shadow.git_dir.is_dir() and str(shadow.git_dir).startswith(os.environ["HARNESS_HOME"])


async def test_restore_deletes_a_file_that_did_not_exist(project):
    f = project / "new/created.py"
    shadow = ShadowRepo(project)
    info = await shadow.snapshot(f)
    assert not info.existed
    f.parent.mkdir()
    f.write_text("x\n")
    await shadow.restore([(str(f), info.commit, False)])
    assert not f.exists()


async def test_restore_recreates_deleted_file_with_its_mode(project):
    f = project / "run.sh"
    f.write_bytes(b"#!/bin/sh\r\necho hi\r\n")
    f.chmod(0o755)
    shadow = ShadowRepo(project)
    info = await shadow.snapshot(f)
    f.unlink()
    await shadow.restore([(str(f), info.commit, True)])
    assert f.read_bytes() == b"#!/bin/sh\r\necho hi\r\n" and os.access(f, os.X_OK)


async def test_shadow_repo_never_touches_the_users_git(repo):
    f = repo / "a.txt"
    f.write_text("a\n")
    subprocess.run(["git", "add", "a.txt"], cwd=repo, check=True)
    before = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                            text=True).stdout
    objects_before = sorted(p.name for p in (repo / ".git/objects").iterdir())
    shadow = ShadowRepo(repo)
    await shadow.snapshot(f)
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                          text=True).stdout == before
    assert sorted(p.name for p in (repo / ".git/objects").iterdir()) == objects_before
    assert not str(shadow.git_dir).startswith(str(repo))


async def test_edits_through_tools_then_rewind_to_before_them(project):
    """The agent's flow: tools call ctx.snapshot; the log keeps FileSnapshot events;
    rewinding to seq N applies the earliest snapshot of each file after N."""
    snap = snapshotter(project)
    log: list[tuple[int, FileSnapshot]] = []
    seq = 10

    async def record(path):
        nonlocal seq
        info = await snap(path)
        seq += 1
        log.append((seq, FileSnapshot(call_id=f"c{seq}", path=str(path), commit=info.commit,
                                      existed=info.existed)))

    ctx = ToolContext(project_root=project, sandbox_enabled=False, snapshot=record)
    a = project / "a.py"
    a.write_text("original\n")
    await Read().run(Read().parse({"file_path": "a.py"}), ctx)
    await Edit().run(Edit().parse({"file_path": "a.py", "old_string": "original",
                                   "new_string": "first"}), ctx)
    await Edit().run(Edit().parse({"file_path": "a.py", "old_string": "first",
                                   "new_string": "second"}), ctx)
    await Write().run(Write().parse({"file_path": "b.py", "content": "new file\n"}), ctx)
    assert a.read_text() == "second\n" and (project / "b.py").exists()

    # rewind to just after the first edit (seq 11): a.py back to "first", b.py removed
    chosen = select_snapshots(log, 11)
    assert [s.path for s in chosen] == [str(a), str(project / "b.py")]
    await restore_files(project, chosen)
    assert a.read_text() == "first\n" and not (project / "b.py").exists()

    # rewind to before everything: a.py back to the original
    await restore_files(project, select_snapshots(log, 10))
    assert a.read_text() == "original\n"


async def test_concurrent_snapshots_are_all_kept(project):
    import asyncio

    files = [project / f"f{i}.txt" for i in range(6)]
    for i, f in enumerate(files):
        f.write_text(f"{i}\n")
    shadow = ShadowRepo(project)
    infos = await asyncio.gather(*(shadow.snapshot(f) for f in files))
    for f in files:
        f.write_text("changed\n")
    await shadow.restore([(str(f), i.commit, True) for f, i in zip(files, infos, strict=True)])
    assert [f.read_text() for f in files] == [f"{i}\n" for i in range(6)]
