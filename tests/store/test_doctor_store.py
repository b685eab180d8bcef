"""`harness doctor` against each real store backend (SQLite file, live PostgreSQL server):
reachable, with its thread count, and the password never shown."""

from __future__ import annotations

import json
import subprocess

from harness.cli import main


def test_doctor_reports_a_reachable_store_and_its_threads(backend, tmp_path, capsys):
    project = tmp_path / "proj"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    store = backend.open()
    store.create_thread(str(project))
    code = main(["doctor", "--json", "--cwd", str(project), "--store", backend.url])
    report = json.loads(capsys.readouterr().out)
    check = next(c for c in report["checks"] if c["check"] == "store")
    assert check["status"] == "ok", check
    assert "reachable, 1 thread(s), event schema v" in check["detail"]
    assert check["detail"].startswith("PostgreSQL " if backend.name == "postgres" else "SQLite ")
    assert code in (0, 1)  # other checks (the sandbox) depend on the machine
