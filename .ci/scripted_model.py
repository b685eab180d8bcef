"""CI helper for .ci/wheel_smoke.sh: serves the test suite's scripted Messages API on
127.0.0.1 so the installed harness can run a real, priced session without a real model.

Usage: python .ci/scripted_model.py URL_FILE — writes the base URL to URL_FILE, then serves
until it is terminated, or for at most 10 minutes (it never outlives a CI run).
Runs with the checkout's development venv (it imports tests.support); harness under test
is the installed wheel, a separate process that only talks HTTP to this one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.model.script import text, tool  # noqa: E402
from tests.support.scripted_server import ScriptedServer  # noqa: E402

# The smoke test's two sessions, in order: a headless run that reads a file, then one
# prompt typed into the TUI.
SCRIPT = (
    tool("Read", {"file_path": "hello.py"}),
    text("It prints hello."),
    text("Hello from the scripted model."),
)

if __name__ == "__main__":
    with ScriptedServer(SCRIPT) as server:
        Path(sys.argv[1]).write_text(server.base_url + "\n")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            time.sleep(0.5)
