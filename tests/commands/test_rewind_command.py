from __future__ import annotations

import asyncio

from harness.cli import main as cli_main
from harness.protocol.events import FileSnapshot, UserMessage
from harness.store.open import open_store
from harness.tools.rewind import ShadowRepo


def _thread_with_snapshots(tmp_path, project):
    db = tmp_path / "s.db"
    store = open_store(f"sqlite:{db}")
    thread = store.create_thread(str(project), title="t")
    f = project / "a.txt"
    f.write_text("at step 1\n")
    store.append(thread.thread_id, UserMessage(text="hi"))  # seq 1
    shadow = ShadowRepo(project)
    info = asyncio.run(shadow.snapshot(f))
    store.append(thread.thread_id, FileSnapshot(call_id="c1", path=str(f), commit=info.commit))
    f.write_text("changed later\n")
    g = project / "new.txt"
    info_g = asyncio.run(shadow.snapshot(g))
    store.append(thread.thread_id, FileSnapshot(call_id="c2", path=str(g), commit=info_g.commit,
                                                existed=False))
    g.write_text("created later\n")
    store.close()
    return f"sqlite:{db}", thread.thread_id, f, g


def test_rewind_command_restores_files_after_seq(tmp_path, capsys):
    project = (tmp_path / "p").resolve()
    project.mkdir()
    url, tid, f, g = _thread_with_snapshots(tmp_path, project)
    code = cli_main(["rewind", f"{tid}@1", "--yes", "--store", url, "--cwd", str(project)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f.read_text() == "at step 1\n" and not g.exists()
    assert f"Restored 2 file(s) to their state at {tid}@1" in out
    assert str(f) in out and "(removed: it did not exist then)" in out


def test_rewind_command_nothing_after_last_step(tmp_path, capsys):
    project = (tmp_path / "p").resolve()
    project.mkdir()
    url, tid, f, _ = _thread_with_snapshots(tmp_path, project)
    assert cli_main(["rewind", f"{tid}@3", "--yes", "--store", url]) == 0
    assert "nothing to restore" in capsys.readouterr().out
    assert f.read_text() == "changed later\n"


def test_rewind_command_without_yes_and_no_tty_refuses(tmp_path, capsys, monkeypatch):
    project = (tmp_path / "p").resolve()
    project.mkdir()
    url, tid, f, _ = _thread_with_snapshots(tmp_path, project)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli_main(["rewind", f"{tid}@1", "--store", url]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert f.read_text() == "changed later\n"


def test_rewind_command_bad_target_and_unknown_thread(tmp_path, capsys):
    url = f"sqlite:{tmp_path / 'x.db'}"
    assert cli_main(["rewind", "abc", "--store", url]) == 2
    assert "is not THREAD@SEQ" in capsys.readouterr().err
    assert cli_main(["rewind", "nosuchthread@1", "--yes", "--store", url]) == 2
    assert "no thread" in capsys.readouterr().err
