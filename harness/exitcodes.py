"""Process exit codes: a contract scripts and CI rely on (see ARCHITECTURE.md)."""

DONE = 0
FAILURE = 1  # runtime failure: model unreachable after retries, store error, …
USAGE = 2  # bad usage or config
AWAITING = 3  # a human decision is pending (`harness resume THREAD --approve …`)
LIMIT = 4  # turns, budget or time limit reached
DENIED = 1  # --fail-on-denial: the run finished, but a tool call was refused (the contract
# has no code of its own for it: a failed run, told apart by `permission_denials`)
CANCELLED = 130  # interrupted; state saved
