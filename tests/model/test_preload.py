"""Start-up: the SDK import stays off the import path and can run in the background."""

from __future__ import annotations

import subprocess
import sys

from harness.config.schema import Settings
from harness.model import preload
from harness.model.anthropic_client import AnthropicClient
from harness.model.scripted import ScriptedModelClient


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_model_modules_do_not_import_the_sdk():
    code = (
        "import sys\n"
        "import harness.model.preload, harness.model.anthropic_client, harness.model.scripted\n"
        "import harness.model.pricing, harness.model.script\n"
        "print('anthropic' in sys.modules)"
    )
    assert _run(code) == "False"


def test_background_import_is_idempotent_and_completes():
    code = (
        "import sys, threading\n"
        "from harness.model import preload\n"
        "preload.start_background_import(); t = preload._thread\n"
        "preload.start_background_import(); assert preload._thread is t\n"
        "preload.wait_for_sdk()\n"
        "print(preload.sdk_ready(), 'anthropic.types' in sys.modules, t.daemon)"
    )
    assert _run(code) == "True True True"


def test_make_client_picks_demo_or_anthropic():
    settings = Settings()
    assert isinstance(preload.make_client(settings, demo=True), ScriptedModelClient)
    client = preload.make_client(settings)
    assert isinstance(client, AnthropicClient)
    assert client.max_retries == settings.model.max_retries
    assert client.timeout == settings.model.request_timeout
