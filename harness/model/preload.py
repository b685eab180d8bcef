"""Start-up helpers: import the SDK in the background, and pick the ModelClient to use.

`import anthropic` costs about a second; starting it in a daemon thread at the top of the
CLI lets config, store and tools load meanwhile. Nothing heavy is imported here.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.config.schema import Settings
    from harness.model.types import ModelClient

_lock = threading.Lock()
_thread: threading.Thread | None = None
_error: BaseException | None = None
_http_client: Any = None  # built in the background too: loading CA certificates takes ~60 ms


def _import_sdk() -> None:
    global _error, _http_client
    try:
        import anthropic
        import anthropic.types

        # Building an httpx client binds no event loop, so it may happen in this thread.
        client = anthropic.DefaultAsyncHttpxClient()
        with _lock:
            _http_client = client
    except BaseException as exc:  # surfaced by wait_for_sdk() in the caller's thread
        _error = exc


def take_http_client() -> Any:
    """The HTTP client built during the background import, once; None afterwards."""
    global _http_client
    with _lock:
        client, _http_client = _http_client, None
    return client


def start_background_import() -> None:
    """Begin importing `anthropic` in a daemon thread; calling it again does nothing."""
    global _thread
    with _lock:
        if _thread is not None or "anthropic.types" in sys.modules:
            return
        _thread = threading.Thread(target=_import_sdk, name="harness-import-anthropic", daemon=True)
        _thread.start()


IMPORT_WAIT = 120.0  # seconds; the import takes ~1 s, ~10 s on a badly loaded machine


def wait_for_sdk(timeout: float = IMPORT_WAIT) -> Any:
    """Block until the SDK is importable and return the `anthropic` module.

    Raises TimeoutError if the background import is still running after `timeout`: an
    import that never ends (a module lock left held) must not hang the run for ever."""
    with _lock:
        thread = _thread
    if thread is not None:
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"importing the anthropic SDK did not finish in {timeout:g} s")
    if _error is not None and "anthropic" not in sys.modules:
        raise _error
    import anthropic

    return anthropic


def sdk_ready() -> bool:
    """True when `anthropic` is fully imported (no wait needed)."""
    with _lock:
        thread = _thread
    return (thread is None or not thread.is_alive()) and "anthropic.types" in sys.modules


def make_client(settings: Settings, demo: bool = False, *, demo_pace: float = 0.01) -> ModelClient:
    """The ModelClient for a run: the built-in scripted demo, or Anthropic's API.

    demo_pace is the pause between streamed demo deltas (so the demo visibly streams);
    tests pass 0.
    """
    if demo:
        from harness.model.scripted import ScriptedModelClient, demo_reply

        return ScriptedModelClient((), pace=demo_pace, after_end=demo_reply)
    from harness.model.anthropic_client import AnthropicClient

    start_background_import()
    return AnthropicClient(settings.model)
