"""`python -m harness`: SIGTERM and SIGINT mean "cancel, exit 130" from the first line."""

import signal
import sys


def _cancel(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, _cancel)
try:
    from harness.cli import entry
except KeyboardInterrupt:
    sys.exit(130)

entry()
