"""The project root never silently widens: a `.git` or `.harness` in the home folder, `/`, a
folder above home or a shared temp root does not make that folder the project; the working
folder is used instead, and start-up and `harness permissions check` say so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.config.home import find_project_root, locate_project_root, too_wide


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "h" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "shared-tmp"))
    (tmp_path / "shared-tmp").mkdir()
    return home


def _mk(base: Path, *names: str) -> None:
    for name in names:
        (base / name).mkdir(parents=True, exist_ok=True)


# (markers to create, working folder, expected root, refused folder or None); paths are
# relative to tmp_path, "~" is the fake home.
CASES = [
    ("dotfiles repo in home", ["~/.git"], "~/work/proj", "~/work/proj", "~"),
    ("stray .harness in home", ["~/.harness"], "~/a", "~/a", "~"),
    ("marker above home", ["h/.git"], "~/code", "~/code", "h"),
    ("stray .harness in shared TMPDIR", ["shared-tmp/.harness"], "shared-tmp/job/x",
     "shared-tmp/job/x", "shared-tmp"),
    ("real project inside a dotfiles home", ["~/.git", "~/proj/.git"], "~/proj/src",
     "~/proj", None),
    ("project with .harness only", ["~/p/.harness"], "~/p/deep/er", "~/p", None),
    ("working folder is the home itself", ["~/.git"], "~", "~", None),
    ("no marker at all", [], "~/loose", "~/loose", None),
]


def _p(tmp_path: Path, home: Path, rel: str) -> Path:
    if rel == "~" or rel.startswith("~/"):
        return home / rel[2:]
    return tmp_path / rel


@pytest.mark.parametrize(("what", "markers", "cwd", "root", "refused"), CASES,
                         ids=[c[0] for c in CASES])
def test_project_root_table(what, markers, cwd, root, refused, tmp_path, home):
    for m in markers:
        _p(tmp_path, home, m).mkdir(parents=True, exist_ok=True)
    start = _p(tmp_path, home, cwd)
    start.mkdir(parents=True, exist_ok=True)
    got = locate_project_root(start)
    assert got.path == _p(tmp_path, home, root).resolve(), what
    assert got.refused == (_p(tmp_path, home, refused).resolve() if refused else None)
    assert find_project_root(start) == got.path
    if refused:
        assert str(got.refused) in got.notice() and "too wide" in got.notice()


def test_working_in_the_home_folder_itself_is_said_at_start_up(tmp_path, home):
    _mk(home, ".git")
    located = locate_project_root(home)
    assert located.path == home.resolve() and "your home folder" in located.notice()


@pytest.mark.parametrize(("folder", "why"), [
    ("/", "the filesystem root"), ("/tmp", "a shared temp folder"),
    ("/var/tmp", "a shared temp folder"),
])
def test_too_wide_folders(folder, why):
    assert too_wide(Path(folder)) == why


def test_an_ordinary_folder_is_not_too_wide(tmp_path, home):
    assert too_wide(home / "proj") is None
    assert too_wide(tmp_path / "x") is None


def test_start_notices_say_the_root_was_narrowed(tmp_path, home):
    from harness.agent.opening import start_notices
    from harness.config.schema import Settings

    _mk(home, ".git", "work")
    root = find_project_root(home / "work")
    notices = start_notices(Settings(), root)
    assert any(n.startswith(f"project root: {root}") for n in notices), notices


def test_permissions_check_shows_the_root_in_use_and_a_write_elsewhere_in_home_asks(
        tmp_path, home):
    _mk(home, ".git", "work", "other")
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path / "shared-tmp")}
    r = subprocess.run(
        [sys.executable, "-m", "harness", "permissions", "check", "--tool", "Write",
         "--input", json.dumps({"file_path": str(home / "other" / "x.txt")}),
         "--mode", "acceptEdits", "--cwd", str(home / "work"), "--json"],
        capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["project_root"] == str((home / "work").resolve())
    assert "too wide" in out["project_root_note"]
    assert out["decision"] == "ask"
    assert out["check"] == "mode acceptEdits: write outside project asks"
    text = subprocess.run(
        [sys.executable, "-m", "harness", "permissions", "check", "--tool", "Read",
         "--input", '{"file_path": "a"}', "--cwd", str(home / "work")],
        capture_output=True, text=True, timeout=60, env=env).stdout
    assert f"root:     {(home / 'work').resolve()} (project root:" in text
