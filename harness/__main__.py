"""`python -m harness`: SIGTERM and SIGINT mean "cancel, exit 130" from the first line.

Until a front-end takes them over they are only remembered (see harness.startup_signals):
raising from a handler in the middle of an import would leave importlib's locks held.
"""

from harness import startup_signals

startup_signals.defer()

from harness.cli import entry  # noqa: E402  (after the handlers: the import takes a while)

entry()
