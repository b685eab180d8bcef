"""Sub-agents: their definitions, the typed handoff, child sessions and the runner behind
the `Task` tool."""
