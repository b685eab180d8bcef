"""The session store: typed events appended to per-thread logs, with SQLite and PostgreSQL
backends."""
