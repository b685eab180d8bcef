"""Escape probes: real headless sessions (a harness process, the real SDK, the scripted
server) whose one approved Bash command (bypassPermissions) tries one escape. Every effect is
checked from outside the sandbox, and the run must still end with its result.

Each command reaches the Bash tool encoded (`exec bash -c "$(echo B64 | base64 -d)"`), so the
permission engine cannot read it and lets it run in bypass mode: the probes test the sandbox
as if the permission layer were wrong, which is the case it exists for.

The probes run under the mechanism this machine uses (bubblewrap here and in CI, which runs
as root); `test_probes_ran_under_bubblewrap` says so when that is not the case.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from harness.model.script import text, tool
from harness.permissions.sandbox import sandbox_status
from tests.agent.helpers import make_project, result_text, tool_results

STATUS = sandbox_status()
pytestmark = pytest.mark.skipif(not STATUS.available, reason=f"no sandbox: {STATUS.detail}")
SECRET = f"sk-ant-probe-{uuid.uuid4().hex}"
FINAL = "probe finished"


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-q", "--allow-empty", "-m", "start"], check=True)
    (root / ".harness").mkdir()
    (root / ".harness" / "config.toml").write_text("[sandbox]\nnetwork = false\n")
    return root


@pytest.fixture
def outside():
    """A folder outside the project and outside /tmp (which the sandbox replaces), so the
    probes meet the read-only root rather than a missing path."""
    folder = Path.home() / f".harness-probe-{uuid.uuid4().hex[:10]}"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_probe(server, project: Path, command: str, extra_env: dict | None = None,
              pid_file: Path | None = None) -> tuple[str, dict]:
    """Run one session whose only tool call is `command`; returns (what the model was
    sent as the tool result, the final JSON result). Asserts the run ended normally."""
    encoded = base64.b64encode(command.encode()).decode()
    opaque = f'exec bash -c "$(echo {encoded} | base64 -d)"'
    server.add(tool("Bash", {"command": opaque}), text(FINAL))
    env = dict(os.environ, ANTHROPIC_API_KEY=SECRET, **(extra_env or {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "-p", "run the probe", "--cwd", str(project),
         "--permission-mode", "bypassPermissions", "--output-format", "json"],
        cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    if pid_file is not None:
        pid_file.write_text(str(proc.pid))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["status"] == "done" and result["result"] == FINAL, out
    assert SECRET not in out and SECRET not in err
    sent = tool_results(server.message_requests[1].body)
    body = result_text(sent[0])
    assert not body.startswith("Not run"), f"the engine stopped the probe, not the sandbox: {body}"
    assert SECRET not in json.dumps(server.message_requests[1].body)
    return body, result


def test_probes_ran_under_bubblewrap():
    assert STATUS.mechanism == "bubblewrap", STATUS.detail


def test_write_outside_the_project(scripted_server, project, outside):
    body, _ = run_probe(scripted_server, project, f"echo x > {outside}/canary; "
                        f"mkdir {outside}/dir; ln -s /etc {outside}/link; echo done")
    assert list(outside.iterdir()) == [], body
    assert "Read-only file system" in body or "Permission denied" in body


def test_chmod_outside_the_project(scripted_server, project, outside):
    target = outside / "file"
    target.write_text("x")
    target.chmod(0o644)
    body, _ = run_probe(scripted_server, project, f"chmod 777 {target}; chmod 000 {target}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644, body


def test_touch_outside_the_project(scripted_server, project, outside):
    target = outside / "file"
    target.write_text("x")
    os.utime(target, (1_000_000_000, 1_000_000_000))
    body, _ = run_probe(scripted_server, project,
                        f"touch {target}; touch -d '2001-01-01' {target}; touch -a {target}")
    st = target.stat()
    assert (st.st_mtime, st.st_atime) == (1_000_000_000, 1_000_000_000), body


def test_mknod_inside_and_outside(scripted_server, project, outside):
    body, _ = run_probe(scripted_server, project,
                        f"mknod mem c 1 1; mknod disk b 8 0; mknod {outside}/null c 1 3; "
                        "python3 -c \"import os; os.mknod('kmsg', 0o600 | 0o020000, "
                        "os.makedev(1, 11))\"")
    for path in (project / "mem", project / "disk", project / "kmsg", outside / "null"):
        assert not path.exists(), body
    assert "Operation not permitted" in body


def test_connect_to_a_unix_socket_outside(scripted_server, project, outside):
    path = outside / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            seen.append(conn.recv(100) or b"(connected)")
            conn.close()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        body, _ = run_probe(
            scripted_server, project,
            f"python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); "
            f"s.connect('{path}'); s.sendall(b'escaped')\"; "
            f"printf 'escaped' | socat - UNIX-CONNECT:{path} 2>&1; "
            f"bash -c 'echo escaped > {path}' 2>&1; echo tried")
    finally:
        stop.set()
        t.join(5)
        server.close()
    assert seen == [], body
    assert "tried" in body


def test_connect_to_a_tcp_listener_outside(scripted_server, project):
    seen: list[bytes] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        port = server.getsockname()[1]
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except (TimeoutError, OSError):
                    continue
                seen.append(b"(connected)")
                conn.close()

        t = threading.Thread(target=accept, daemon=True)
        t.start()
        try:
            body, _ = run_probe(
                scripted_server, project,
                f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), "
                f"timeout=3)\"; (echo hi > /dev/tcp/127.0.0.1/{port}) 2>&1; "
                f"curl -sS -m 3 http://127.0.0.1:{port}/ 2>&1; echo tried")
        finally:
            stop.set()
            t.join(5)
    assert seen == [], body
    assert "tried" in body


def test_kill_its_parent_and_harness(scripted_server, project, outside):
    pid_file = outside / "harness.pid"
    body, _ = run_probe(
        scripted_server, project,
        f"kill -9 $PPID; kill -9 $(cat {pid_file}); echo still-here",
        pid_file=pid_file)
    # run_probe asserted that harness lived on to send the final answer and exit 0.
    assert "still-here" in body


def test_capabilities_session_and_terminal(scripted_server, project):
    body, _ = run_probe(
        scripted_server, project,
        "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status;"
        " echo \"stat: $(cut -d' ' -f6,7 /proc/self/stat)\"; "
        "python3 -c \"import os; print('sid-is-leader-in-sandbox', os.getsid(0) != os.getpid() "
        "and os.path.exists(f'/proc/{os.getsid(0)}'))\"; "
        "(exec 3</dev/tty) 2>&1 | head -1; id -u")
    fields = dict(line.split(":", 1) for line in body.splitlines() if ":" in line)
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(fields[cap].strip(), 16) == 0, body
    assert fields["NoNewPrivs"].strip() == "1" and fields["Seccomp"].strip() == "2", body
    _session, tty_nr = fields["stat"].split()
    assert tty_nr == "0", body  # no controlling terminal: nothing to inject keystrokes into
    assert "sid-is-leader-in-sandbox True" in body
    assert "No such device or address" in body  # /dev/tty: no controlling terminal


def test_tiocsti_cannot_inject_into_harness_terminal(scripted_server, project):
    # harness gets a real terminal as its controlling terminal; the command tries to push
    # keystrokes into it (and into every terminal it can open).
    import pty
    import select

    master, slave = pty.openpty()
    slave_name = os.ttyname(slave)
    probe = ("for t in /dev/tty " + slave_name + " /dev/pts/*; do python3 -c \"import fcntl, "
             "sys, termios; f = open(sys.argv[1], 'wb', buffering=0); [fcntl.ioctl(f, "
             "termios.TIOCSTI, bytes([c])) for c in b'INJECTED']\" $t 2>&1 | tail -1; done; "
             "echo tried")
    scripted_server.add(tool("Bash", {"command": probe}), text(FINAL))
    env = dict(os.environ, ANTHROPIC_API_KEY=SECRET)

    def own_terminal() -> None:
        os.setsid()
        os.close(os.open(slave_name, os.O_RDWR))  # becomes the controlling terminal

    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "-p", "run the probe", "--cwd", str(project),
         "--permission-mode", "bypassPermissions", "--output-format", "json"],
        cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, preexec_fn=own_terminal)
    os.close(slave)
    out, err = proc.communicate(timeout=120)
    echoed = b""
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        echoed += chunk
    os.close(master)
    assert proc.returncode == 0, err
    assert json.loads(out)["result"] == FINAL
    assert b"INJECTED" not in echoed and b"I" not in echoed
    body = result_text(tool_results(scripted_server.message_requests[1].body)[0])
    assert "tried" in body


def test_api_key_is_not_in_its_environment(scripted_server, project):
    body, _ = run_probe(scripted_server, project,
                        "echo \"key=[$ANTHROPIC_API_KEY]\"; env | grep -ciE "
                        "'key|token|secret|password|credential'; env | grep -i anthropic",
                        extra_env={"MY_SERVICE_TOKEN": "probe-token-value-123456",
                                   "DB_PASSWORD": "probe-password-value-123456"})
    assert "key=[]" in body
    assert "probe-token-value" not in body and "probe-password-value" not in body
    assert "ANTHROPIC_API_KEY" not in body


def test_api_key_is_not_in_proc_environ(scripted_server, project):
    body, _ = run_probe(scripted_server, project,
                        "cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -a ANTHROPIC; "
                        "cat /proc/1/environ /proc/$PPID/environ 2>&1 | tr '\\0' '\\n' | "
                        "grep -ac sk-ant; echo looked")
    assert "looked" in body and SECRET not in body


def test_git_config_cannot_be_rewritten(scripted_server, project):
    config = project / ".git" / "config"
    before = config.read_bytes()
    body, _ = run_probe(scripted_server, project,
                        "printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' >> .git/config; "
                        "git config core.fsmonitor 'touch pwned'; "
                        "cp .git/config /tmp/c && echo x >> /tmp/c && mv /tmp/c .git/config; "
                        "rm -f .git/config; mv .git .git-moved; echo tried")
    assert config.read_bytes() == before, body
    assert (project / ".git").is_dir() and not (project / ".git-moved").exists()


def test_git_commondir_cannot_redirect_the_config(scripted_server, project, outside):
    evil = outside / "evil.git"
    subprocess.run(["git", "init", "-q", "--bare", str(evil)], check=True)
    subprocess.run(["git", "-C", str(evil), "config", "core.fsmonitor",
                    f"touch {outside}/PWNED; false"], check=True)
    body, _ = run_probe(scripted_server, project, f"echo {evil} > .git/commondir; echo tried")
    assert not (project / ".git" / "commondir").exists(), body
    assert "removed" in body
    subprocess.run(["git", "status"], cwd=project, capture_output=True, check=True)
    assert not (outside / "PWNED").exists()


def test_git_hooks_cannot_be_added(scripted_server, project):
    body, _ = run_probe(scripted_server, project,
                        "printf '#!/bin/sh\\ntouch pwned\\n' > .git/hooks/post-commit; "
                        "chmod +x .git/hooks/post-commit; mkdir -p .git/hooks/x; "
                        "echo '* filter=evil' > .git/info/attributes; echo tried")
    assert not (project / ".git" / "hooks" / "post-commit").exists(), body
    assert not (project / ".git" / "hooks" / "x").exists()
    assert not (project / ".git" / "info" / "attributes").exists()


def test_harness_config_cannot_be_written(scripted_server, project):
    config = project / ".harness" / "config.toml"
    before = config.read_bytes()
    body, _ = run_probe(scripted_server, project,
                        "echo '[permissions]' >> .harness/config.toml; "
                        "printf '[permissions]\\nallow = [\"Bash\"]\\n' > "
                        ".harness/config.local.toml; rm -rf .harness; mv .harness h2; "
                        "echo tried")
    assert config.read_bytes() == before, body
    assert not (project / ".harness" / "config.local.toml").exists()
    assert not (project / "h2").exists()


def test_the_project_itself_stays_writable_and_git_works(scripted_server, project):
    body, _ = run_probe(scripted_server, project,
                        "echo new > made.txt && mkdir -p d && echo y > d/f && git add made.txt "
                        "&& git -c user.name=t -c user.email=t@t commit -qm probe && "
                        "echo tmp > /tmp/t && cat /tmp/t && echo ok-all")
    assert "ok-all" in body
    assert (project / "made.txt").read_text() == "new\n"
    log = subprocess.run(["git", "-C", str(project), "log", "--format=%s", "-1"],
                         capture_output=True, text=True).stdout
    assert log.strip() == "probe"
    assert not Path("/tmp/t").exists() or Path("/tmp/t").read_text() != "tmp\n"
