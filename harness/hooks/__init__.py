"""Configured hook commands: running them (`runner`) and bridging them to the agent loop
(`bridge`). Outside `permissions/`, which keeps only the pure `decide()`."""
