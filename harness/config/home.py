"""Where harness keeps its own state: `$HARNESS_HOME`, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path


def harness_home() -> Path:
    """The folder for sessions, history, logs and file snapshots (created on demand)."""
    env = os.environ.get("HARNESS_HOME")
    if env:
        home = Path(env).expanduser()
    else:
        import platformdirs

        home = Path(platformdirs.user_data_dir("harness", appauthor=False))
    home.mkdir(parents=True, exist_ok=True)
    return home


def user_config_path() -> Path:
    """`~/.config/harness/config.toml` (XDG_CONFIG_HOME respected)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "harness" / "config.toml"


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder upward holding `.git` or `.harness`; else `start` itself.
    Lives here, away from the pydantic schema, so the TUI can call it before its first frame."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists() or (folder / ".harness").is_dir():
            return folder
    return here


def repo_config_dir() -> Path:
    """The checkout's top-level `config/` folder: the editable source of the defaults and the
    schema. Only development scripts use it; at run time harness reads the packaged copies
    (`harness.config.shipped`)."""
    return Path(__file__).resolve().parent.parent.parent / "config"
