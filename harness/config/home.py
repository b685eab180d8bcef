"""Where harness keeps its own state: `$HARNESS_HOME`, else the platform's user data dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class ProjectRoot:
    """The project root in use, and the wider folder refused on the way (if any)."""

    path: Path
    refused: Path | None = None  # a marker folder too wide to be a project (home, /, /tmp)
    why: str = ""  # what `refused` (or, with none refused, `path` itself) is: "your home…"

    def notice(self) -> str | None:
        """The start-up line when the root was narrowed or is itself that wide, else None."""
        if self.refused is not None:
            return (f"project root: {self.path} (the working folder); {self.refused} holds "
                    f".git or .harness but is {self.why}, too wide to be the project")
        if self.why:
            return (f"project root: {self.path} is {self.why}; writes anywhere in it count "
                    "as inside the project (start harness in a project folder instead)")
        return None


def _temp_roots() -> set[Path]:
    import tempfile

    found = {"/tmp", "/var/tmp", "/dev/shm", tempfile.gettempdir()}
    if os.environ.get("TMPDIR"):
        found.add(os.environ["TMPDIR"])
    return {Path(os.path.realpath(p)) for p in found}


def too_wide(folder: Path) -> str | None:
    """Why `folder` can never be a project root (None when it can): the filesystem root,
    the home folder or a folder above it, a temp folder every program shares."""
    folder = Path(os.path.realpath(folder))
    home = Path(os.path.realpath(Path.home()))
    if folder == Path(folder.anchor):
        return "the filesystem root"
    if folder == home:
        return "your home folder"
    if home.is_relative_to(folder):
        return "a folder above your home folder"
    if folder in _temp_roots():
        return "a shared temp folder"
    return None


def locate_project_root(start: Path | None = None) -> ProjectRoot:
    """The nearest folder upward holding `.git` or `.harness`, unless that folder is too wide
    (home, `/`, a shared temp root: a dotfiles repository in `~` must not make the whole home
    the project); then, and when there is none, the working folder `start` itself."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists() or (folder / ".harness").is_dir():
            why = too_wide(folder)
            if why is None:
                return ProjectRoot(folder)
            if folder == here:
                return ProjectRoot(here, None, why)
            return ProjectRoot(here, folder, why)
    return ProjectRoot(here, None, too_wide(here) or "")


def find_project_root(start: Path | None = None) -> Path:
    """The project root for a session started in `start` (see `locate_project_root`).
    Lives here, away from the pydantic schema, so the TUI can call it before its first frame."""
    return locate_project_root(start).path


def repo_config_dir() -> Path:
    """The checkout's top-level `config/` folder: the editable source of the defaults and the
    schema. Only development scripts use it; at run time harness reads the packaged copies
    (`harness.config.shipped`)."""
    return Path(__file__).resolve().parent.parent.parent / "config"
