"""The OS sandbox, really run: writes outside the project fail, inside work, and a connect to
a listening 127.0.0.1 port fails when the network is off (and works when it is on)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from harness.permissions.sandbox import (
    SandboxPolicy,
    denial_message,
    is_sandbox_denial,
    sandbox_status,
    sandboxed_argv,
)

STATUS = sandbox_status()
needs_sandbox = pytest.mark.skipif(not STATUS.available, reason=f"no sandbox: {STATUS.detail}")


@pytest.fixture
def project() -> Path:
    # Temp folders are writable inside the sandbox, so the project (and its parent, where
    # `../outside` lands) must live elsewhere for the test to mean anything.
    parent = Path.home() / f".harness-sandbox-test-{uuid.uuid4().hex[:8]}"
    root = parent / "proj"
    root.mkdir(parents=True)
    yield root
    shutil.rmtree(parent, ignore_errors=True)


def _run(command: str, policy: SandboxPolicy) -> subprocess.CompletedProcess:
    return subprocess.run(sandboxed_argv(command, policy), cwd=policy.project_root,
                          capture_output=True, text=True, timeout=60)


def test_status_names_a_mechanism_and_says_what_it_does():
    assert STATUS.mechanism in ("landlock", "bubblewrap", "none")
    assert STATUS.available == (STATUS.mechanism != "none")
    assert STATUS.detail


@needs_sandbox
def test_writing_outside_the_project_fails(project):
    r = _run("touch ../outside", SandboxPolicy(project))
    assert r.returncode != 0
    assert not (project.parent / "outside").exists()
    assert is_sandbox_denial(r.returncode, r.stderr)


@needs_sandbox
def test_writing_inside_the_project_and_temp_works(project):
    tmp_name = Path(tempfile.gettempdir()) / f"harness-sb-{uuid.uuid4().hex[:8]}"
    r = _run(f"touch inside && mkdir -p a/b && echo x > a/b/c && rm inside && "
             f"echo t > {tmp_name} && ls > /dev/null", SandboxPolicy(project))
    try:
        assert r.returncode == 0, r.stderr
        assert (project / "a" / "b" / "c").read_text() == "x\n"
        assert tmp_name.exists()
    finally:
        tmp_name.unlink(missing_ok=True)


@needs_sandbox
def test_configured_extra_folder_is_writable(project):
    extra = project.parent / "cache"
    extra.mkdir()
    r = _run(f"touch {extra}/ok", SandboxPolicy(project, writable=(extra,)))
    assert r.returncode == 0, r.stderr
    assert (extra / "ok").exists()


@needs_sandbox
def test_reading_outside_the_project_still_works(project):
    r = _run("cat /etc/hostname > /dev/null && git --version", SandboxPolicy(project))
    assert r.returncode == 0, r.stderr


def _connect_script(port: int, python: str = sys.executable) -> str:
    return (f"{python} -c \"import socket; s = socket.create_connection("
            f"('127.0.0.1', {port}), timeout=5); print('connected')\"")


@needs_sandbox
def test_connecting_to_a_local_port_fails_when_network_is_off(project):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        off = _run(_connect_script(port), SandboxPolicy(project, network=False))
        assert off.returncode != 0 and "connected" not in off.stdout
        assert is_sandbox_denial(off.returncode, off.stderr)
        on = _run(_connect_script(port), SandboxPolicy(project, network=True))
        assert on.returncode == 0 and "connected" in on.stdout, on.stderr


def test_without_a_sandbox_the_command_runs_in_plain_bash(monkeypatch, project):
    from harness.permissions import sandbox

    none = sandbox.SandboxStatus(False, "none", "NO SANDBOX: test")
    monkeypatch.setattr(sandbox, "sandbox_status", lambda: none)
    assert sandbox.sandboxed_argv("echo hi", SandboxPolicy(project)) == ["bash", "-c", "echo hi"]


def test_denial_detection_and_message(project):
    assert not is_sandbox_denial(0, "Permission denied")
    assert not is_sandbox_denial(1, "file not found")
    assert is_sandbox_denial(1, "touch: cannot touch '../x': Permission denied")
    msg = denial_message(SandboxPolicy(project))
    assert str(project.resolve()) in msg and "network access is off" in msg


def test_sandbox_launcher_starts_without_importing_harness_or_pydantic(project):
    argv = sandboxed_argv("true", SandboxPolicy(project))
    if argv[:1] != [sys.executable]:
        pytest.skip("not the Landlock launcher")
    script = argv[argv.index("-I") + 1]
    probe = (f"import runpy, sys; sys.argv = [{script!r}, '--help']\n"
             "try:\n    runpy.run_path(sys.argv[0], run_name='not_main')\nexcept SystemExit:\n"
             "    pass\nprint(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('harness', 'pydantic')))")
    r = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stderr


@needs_sandbox
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv")
                    or not os.access("/usr/bin/python3", os.X_OK),
                    reason="needs root, setpriv and /usr/bin/python3 (unprivileged probe)")
def test_without_namespace_rights_landlock_tcp_rules_still_block_connect(tmp_path):
    # An unprivileged user cannot unshare the network; the launcher falls back to Landlock's
    # TCP rules (ABI >= 4), which must still refuse the connect.
    argv = sandboxed_argv("true", SandboxPolicy(tmp_path))
    if argv[:1] != [sys.executable]:
        pytest.skip("not the Landlock launcher")
    tmp_path.chmod(0o777)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        drop = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        runs = {}
        for network in (False, True):
            probe = _connect_script(port, "/usr/bin/python3")
            command = sandboxed_argv(probe, SandboxPolicy(tmp_path, (), network))
            runs[network] = subprocess.run([*drop, *command], cwd=tmp_path, capture_output=True,
                                           text=True, timeout=60)
    assert "connected" in runs[True].stdout, runs[True].stderr  # the probe itself works
    r = runs[False]
    assert r.returncode != 0 and "connected" not in r.stdout
    assert "Permission denied" in r.stderr or "harness-sandbox:" in r.stderr


def test_bubblewrap_fallback_binds_only_writable_folders_and_unshares_the_network(
        monkeypatch, project):
    # bubblewrap is not installed here, so only the argv it would get is checked.
    from harness.permissions import sandbox

    bwrap = sandbox.SandboxStatus(True, "bubblewrap", "test")
    monkeypatch.setattr(sandbox, "sandbox_status", lambda: bwrap)
    argv = sandbox.sandboxed_argv("make", SandboxPolicy(project))
    assert argv[:5] == ["bwrap", "--ro-bind", "/", "/", "--dev"]
    root = str(project.resolve())
    assert ["--bind", root, root] == argv[argv.index(root) - 1:argv.index(root) + 2]
    assert "--unshare-net" in argv and argv[-3:] == ["bash", "-c", "make"]
    online = sandbox.sandboxed_argv("make", SandboxPolicy(project, network=True))
    assert "--unshare-net" not in online
