"""The agent: the loop, turns, budgets, compaction and subagents. Knows no UI."""
