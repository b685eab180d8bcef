"""The permission engine: a pure `decide(call, context)`, shell parsing, path policy,
sandbox and hooks."""
