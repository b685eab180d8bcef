"""harness: a terminal coding agent with permission-gated tools and a resumable event log."""

__version__ = "0.1.0"
