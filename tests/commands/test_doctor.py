"""`harness doctor` in healthy and broken environments: each problem is a `fail` with a
one-line fix and exit 1; the API key is never printed. (The store suite checks doctor
against a live PostgreSQL server: tests/store/test_doctor_store.py.)"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.permissions.sandbox import sandbox_status
from harness.store.open import open_store

SECRET = "sk-ant-api03-DOCTOR-MUST-NEVER-PRINT-THIS"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name in ("TMUX", "STY", "NO_COLOR", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    return root


def doctor(capsys, project: Path, *extra: str) -> tuple[int, dict, str]:
    """Runs `doctor --json` and `doctor` (text); both must agree on the exit code."""
    code = main(["doctor", "--json", "--cwd", str(project), *extra])
    report = json.loads(capsys.readouterr().out)
    text_code = main(["doctor", "--cwd", str(project), *extra])
    text = capsys.readouterr().out
    assert text_code == code
    assert SECRET not in text and SECRET not in json.dumps(report)
    return code, {c["check"]: c for c in report["checks"]}, text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_healthy_environment_passes_every_check(project, capsys):
    code, checks, text = doctor(capsys, project)
    assert list(checks) == ["harness", "python", "shipped files", "config", "home", "store",
                            "api key", "model", "sandbox", "git", "terminal", "multiplexer"]
    sandbox_ok = sandbox_status().available  # a machine without one is a real finding
    for name, check in checks.items():
        if name != "sandbox" or sandbox_ok:
            assert check["status"] == "ok", check
    assert code == (0 if sandbox_ok else 1)
    assert checks["api key"]["detail"] == "ANTHROPIC_API_KEY is set (value not shown)"
    assert "harness/config/data/defaults.toml" in checks["shipped files"]["detail"]
    assert os.environ["HARNESS_HOME"] in checks["home"]["detail"]
    assert "not created yet" in checks["store"]["detail"]
    assert checks["model"]["detail"] == "claude-sonnet-4-5 (priced)"
    assert ("no problems" in text) == sandbox_ok


def test_a_missing_api_key_fails_with_the_fix(project, capsys, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    code, checks, text = doctor(capsys, project)
    assert code == 1
    assert checks["api key"]["status"] == "fail"
    assert "export ANTHROPIC_API_KEY" in checks["api key"]["fix"]
    assert "FAIL  api key" in text and "fix: export ANTHROPIC_API_KEY" in text


def test_the_base_url_is_shown_without_its_password(project, capsys, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://proxyuser:proxypass@127.0.0.1:9/")
    _, checks, text = doctor(capsys, project)
    assert "127.0.0.1:9" in checks["api key"]["detail"] and "proxypass" not in text


def test_an_unreachable_postgresql_url_fails_and_hides_the_password(project, capsys):
    url = f"postgresql://bob:hunter2@127.0.0.1:{_free_port()}/harness"
    code, checks, text = doctor(capsys, project, "--store", url)
    assert code == 1
    store = checks["store"]
    assert store["status"] == "fail" and "bob:[redacted]@127.0.0.1" in store["detail"]
    assert "hunter2" not in text and "hunter2" not in json.dumps(checks)
    assert "start the server or correct the URL" in store["fix"]


def test_the_configured_store_is_the_one_checked(project, capsys):
    (project / ".harness").mkdir()
    db = project / "elsewhere.db"
    (project / ".harness" / "config.toml").write_text(f'[sessions]\nstore = "sqlite:{db}"\n')
    store = open_store(f"sqlite:{db}")
    store.create_thread(str(project))
    store.create_thread(str(project))
    store.close()
    _, checks, _ = doctor(capsys, project)
    assert checks["store"]["status"] == "ok"
    assert f"SQLite {db}: reachable, 2 thread(s), event schema v" in checks["store"]["detail"]


def test_an_unwritable_harness_home_fails_home_and_the_default_store(project, capsys,
                                                                     monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HARNESS_HOME", str(blocker / "home"))  # fails even for root
    code, checks, _ = doctor(capsys, project)
    assert code == 1
    assert checks["home"]["status"] == "fail" and str(blocker / "home") in checks["home"]["detail"]
    assert "HARNESS_HOME" in checks["home"]["fix"]
    assert checks["store"]["status"] == "fail" and "HARNESS_HOME" in checks["store"]["fix"]


def test_a_broken_config_file_is_named_with_its_key(project, capsys):
    (project / ".harness").mkdir()
    bad = project / ".harness" / "config.toml"
    bad.write_text("[model]\nnmae = 'typo'\n")
    code, checks, _ = doctor(capsys, project)
    assert code == 1
    assert checks["config"]["status"] == "fail"
    assert str(bad) in checks["config"]["detail"] and "model.nmae" in checks["config"]["detail"]
    assert "harness config validate" in checks["config"]["fix"]
    assert checks["model"]["status"] == "warn"  # unknown without a config, not a crash


def test_an_unpriced_model_and_a_disabled_sandbox_are_warnings(project, capsys):
    (project / ".harness").mkdir()
    config = project / ".harness" / "config.toml"
    config.write_text('[model]\nname = "gpt-imaginary-1"\n[sandbox]\nenabled = false\n')
    code, checks, text = doctor(capsys, project)
    assert checks["model"]["status"] == "warn" and "[prices." in checks["model"]["fix"]
    assert checks["sandbox"]["status"] == "warn" and str(config) in checks["sandbox"]["fix"]
    assert code == 0 and "WARN  model" in text  # warnings alone do not fail


def test_the_sandbox_line_says_what_confines_commands(project, capsys):
    status = sandbox_status()
    _, checks, _ = doctor(capsys, project)
    assert status.detail in checks["sandbox"]["detail"]
    if status.available:
        assert checks["sandbox"]["detail"].startswith(f"{status.mechanism}: ")
    else:
        assert "install bubblewrap" in checks["sandbox"]["fix"]


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None and os.environ.get("CI") != "true",
                    reason="tmux is not installed")
def test_in_a_real_terminal_it_reports_the_size_colours_and_tmux(project, tmp_path):
    socket_name = f"harness-doctor-{os.getpid()}-{time.monotonic_ns()}"
    out = tmp_path / "doctor.json"
    harness = Path(sys.executable).parent / "harness"
    env = {k: os.environ[k] for k in ("HARNESS_HOME", "XDG_CONFIG_HOME", "PATH", "HOME")}
    env["TERM"] = "xterm-256color"
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    dest = shlex.quote(str(out))
    # env -i: the pane gets only these variables (and tmux's own TMUX), so no API key
    command = (f'env -i TMUX="$TMUX" {exports} {harness} doctor --json '
               f"--cwd {shlex.quote(str(project))} > {dest}.tmp; mv {dest}.tmp {dest}; sleep 30")

    def tmux(*args: str) -> None:
        subprocess.run(["tmux", "-L", socket_name, *args], capture_output=True, timeout=10)

    tmux("new-session", "-d", "-x", "100", "-y", "30", command)
    try:
        deadline = time.monotonic() + 30
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert out.exists(), "doctor never finished in tmux"
        checks = {c["check"]: c for c in json.loads(out.read_text())["checks"]}
    finally:
        tmux("kill-server")
    assert checks["terminal"]["status"] == "ok"
    assert checks["terminal"]["detail"].startswith("100×30, TERM=xterm-256color, colours: ")
    assert checks["multiplexer"]["detail"].startswith("inside tmux ")
    assert checks["api key"]["status"] == "fail"  # the pane got no key: said, not printed
