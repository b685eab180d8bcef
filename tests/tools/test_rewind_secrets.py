"""The shadow repository used for rewind follows the store's rule on secrets: a file the
permission engine treats as secret (`.env`, keys, cloud credentials) is never snapshotted,
so its content never enters the shadow repository's objects."""

from __future__ import annotations

import subprocess

from harness.model.script import text, tool
from harness.tools.rewind import ShadowRepo
from tests.agent.helpers import make_project, run_cli

SECRET = "sk-live-0123456789-shadow-check"


def _all_objects(git_dir) -> bytes:
    """Every object of the repository, contents included (loose and packed)."""
    out = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "--batch-all-objects",
                          "--batch"], capture_output=True, check=True)
    return out.stdout


async def test_secret_files_are_not_snapshotted_by_name_or_through_a_symlink(tmp_path):
    project = make_project(tmp_path)
    env = project / ".env"
    env.write_text(f"API_TOKEN={SECRET}\n")
    link = project / "settings.txt"
    link.symlink_to(env)
    key = project / "deploy" / "id_ed25519"
    key.parent.mkdir()
    key.write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n")
    shadow = ShadowRepo(project)
    for path in (env, link, key, project / ".env.local"):
        assert await shadow.snapshot(path) is None
    assert (await shadow.snapshot(project / "notes.txt")).existed  # ordinary files still are
    assert SECRET.encode() not in _all_objects(shadow.git_dir)


def test_a_dotenv_edited_by_the_agent_never_reaches_the_shadow_repository(
    scripted_server, tmp_path, capsys
):
    project = make_project(tmp_path)
    (project / ".env").write_text(f"API_TOKEN={SECRET}\n")
    scripted_server.add(
        tool("Read", {"file_path": ".env"}),
        tool("Edit", {"file_path": ".env", "old_string": SECRET, "new_string": SECRET + "-v2"}),
        tool("Read", {"file_path": "hello.py"}),
        tool("Edit", {"file_path": "hello.py", "old_string": "hello", "new_string": "bye"}),
        text("edited both"),
    )
    code, _out, err = run_cli(capsys, "-p", "rotate the token", "--cwd", str(project),
                             "--permission-mode", "bypassPermissions", "--allow-bypass")
    assert code == 0, err
    assert (project / ".env").read_text() == f"API_TOKEN={SECRET}-v2\n"  # the edit happened
    assert (project / "hello.py").read_text() == 'print("bye")\n'
    objects = _all_objects(ShadowRepo(project).git_dir)
    assert b'print("hello")' in objects  # the ordinary file's prior content was kept
    assert SECRET.encode() not in objects
