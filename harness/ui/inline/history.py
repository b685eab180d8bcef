"""Input history that persists across sessions, one file per project under
`$HARNESS_HOME/history/` (so Up recalls what you typed in this repository, not others)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from prompt_toolkit.history import FileHistory

from harness.config.home import harness_home


def history_path(project_root: Path) -> Path:
    """`history/<folder name>-<hash of the full path>`: readable and collision-free."""
    resolved = str(Path(project_root).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(resolved).name)[:40] or "root"
    folder = harness_home() / "history"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{digest}"


def project_history(project_root: Path) -> FileHistory:
    return FileHistory(str(history_path(project_root)))
