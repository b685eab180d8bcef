"""SIGINT/SIGTERM during start-up are remembered, never raised inside an import (that left
importlib's module locks held and hung the background SDK import, see startup_signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

PROBE = textwrap.dedent("""
    import os, signal, sys, threading, time
    from harness import startup_signals

    startup_signals.defer()
    stop = threading.Event()

    def pelt():  # this process only, by its own pid
        while not stop.is_set():
            os.kill(os.getpid(), signal.SIGTERM if sys.argv[1] == "TERM" else signal.SIGINT)
            time.sleep(0.0005)

    t = threading.Thread(target=pelt)
    t.start()
    import harness.agent.session, harness.tools.registry, harness.store.sqlite  # heavy imports
    stop.set(); t.join()
    print("imports done, pending", signal.Signals(startup_signals.pending()).name, flush=True)
    try:
        startup_signals.checkpoint()
    except KeyboardInterrupt:
        print("checkpoint raised", flush=True)
        sys.exit(130)
""")


@pytest.mark.parametrize("which", ["TERM", "INT"])
def test_signals_while_importing_are_remembered_and_raised_at_the_checkpoint(which):
    out = subprocess.run([sys.executable, "-c", PROBE, which], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 130, out.stderr
    assert f"imports done, pending SIG{which}" in out.stdout
    assert "checkpoint raised" in out.stdout
    assert "Traceback" not in out.stderr


def test_sigterm_during_start_up_exits_130_never_hangs(tmp_path: Path):
    home = tmp_path / "home"
    env = {**os.environ, "HARNESS_HOME": str(home), "ANTHROPIC_API_KEY": "k",
           "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    codes = []
    for delay in (0.1, 0.3, 0.6, 1.0):
        proc = subprocess.Popen([sys.executable, "-m", "harness", "-p", "hello", "--cwd",
                                 str(tmp_path)], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)  # a wedge would hang here
        # -SIGTERM: the signal came before the interpreter ran our first line (a slow start)
        assert proc.returncode in (130, -signal.SIGTERM), err
        assert "Traceback" not in err
        codes.append(proc.returncode)
    assert 130 in codes


def test_a_blocked_stdin_read_is_still_interruptible(tmp_path: Path):
    env = {**os.environ, "HARNESS_HOME": str(tmp_path / "home"), "ANTHROPIC_API_KEY": "k"}
    read_end, write_end = os.pipe()  # never written, never closed until the end: read blocks
    try:
        proc = subprocess.Popen([sys.executable, "-m", "harness", "--cwd", str(tmp_path)],
                                env=env, stdin=read_end, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert proc.returncode == 130, err
    assert "cancelled" in err
