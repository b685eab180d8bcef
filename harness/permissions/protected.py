"""Self-protection: the paths no tool may write without a person saying so, because writing
them runs code or raises privileges (git internals, git dirs by content, harness config at
every layer, hook scripts, agent definitions). Judged on the path as written and resolved."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.permissions.paths import ResolvedPath, real_root, user_home

# Folders whose whole content configures harness (or another agent harness reads from).
HARNESS_FOLDERS = frozenset({".harness"})
# `.claude/<x>`: the parts of Claude Code's folder that harness reads as agent definitions.
CLAUDE_PROTECTED = frozenset({"agents"})
# What makes a folder a git dir by content (git's own test is HEAD + objects/ + refs/; the
# config file is what names programs). Two of them, one being a key file, is enough.
GIT_KEY_FILES = ("HEAD", "config")
GIT_DIR_FOLDERS = ("objects", "refs")
GIT_OTHER_FILES = ("commondir",)  # a worktree's own git dir: HEAD + commondir


@dataclass(frozen=True, slots=True)
class Protection:
    """Why a write must be approved by a person: `check` names the rule, `reason` explains."""

    check: str
    reason: str


def user_config_dirs(home: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """Every folder harness may read user config from: `~/.config/harness` for the given home
    and the account's real home, `$XDG_CONFIG_HOME/harness`, plus `extra` (from settings)."""
    dirs = [home / ".config" / "harness", *extra]
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        dirs.append(Path(xdg).expanduser() / "harness")
    try:
        import pwd

        dirs.append(Path(pwd.getpwuid(os.getuid()).pw_dir) / ".config" / "harness")
    except (KeyError, ImportError):  # pragma: no cover - no passwd entry
        pass
    name = os.environ.get("USER")
    if name and (other := user_home(name)) is not None:
        dirs.append(other / ".config" / "harness")
    return dirs


def _candidates(rp: ResolvedPath) -> list[Path]:
    return [Path(os.path.normpath(rp.lexical)), rp.real]


def _names_on_the_way(rp: ResolvedPath) -> list[Path]:
    """The path as written and resolved, plus every symlink passed through: a link chain
    through `sub/.harness` reaches harness config even if no final name says so."""
    return [*_candidates(rp), *rp.links]


def _rel_parts(path: Path, roots: list[Path]) -> tuple[str, ...]:
    for r in roots:
        if path == r or path.is_relative_to(r):
            return path.relative_to(r).parts
    return path.parts[1:]


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _git_dir_by_content(target: Path) -> Path | None:
    """The nearest ancestor of `target` that is (or, with this write, becomes) a git dir.
    Plain strings and stat calls: this runs for every write, over every ancestor."""
    text = str(target)
    child = os.path.basename(text)
    is_leaf = True
    folder = os.path.dirname(text)
    while True:
        lowered = child.lower()
        found = 0
        for name in GIT_KEY_FILES:  # one of these is needed: look for the folders after
            if (is_leaf and lowered == name.lower()) or os.path.isfile(os.path.join(folder, name)):
                found += 1
        if found:
            for name in GIT_DIR_FOLDERS:
                if (not is_leaf and lowered == name) or os.path.isdir(os.path.join(folder, name)):
                    found += 1
            for name in GIT_OTHER_FILES:
                if (is_leaf and lowered == name) or os.path.isfile(os.path.join(folder, name)):
                    found += 1
            if found >= 2:
                return Path(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        child, folder, is_leaf = os.path.basename(folder), parent, False


def _within_any_case(path: Path, folder: Path) -> bool:
    """`path` is in `folder`, letter case aside (case-insensitive filesystems)."""
    a, b = str(path).lower(), str(folder).lower().rstrip("/")
    return a == b or a.startswith(b + "/")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def protection(rp: ResolvedPath, root: Path, roots: list[Path], home: Path,
               protected: Iterable[Path] = ()) -> Protection | None:
    """Whether writing `rp` needs a person, and why. `root` is the real project root, `roots`
    the real write roots, `protected` extra files and folders (hook scripts, config dirs)."""
    root = real_root(root)
    for p in _names_on_the_way(rp):
        parts = _rel_parts(p, roots)
        lowered = [part.lower() for part in parts]
        if ".git" in lowered:
            return Protection(f"protected path: {_shown(p, root)}",
                              f"{rp.raw} is inside git internals (.git), which can run code")
        folders_passed = lowered if p in rp.links else lowered[:-1]
        for i, part in enumerate(folders_passed):
            if part in HARNESS_FOLDERS:
                return Protection(f"protected path: {_shown(p, root)}",
                                  f"{rp.raw} is harness configuration (.harness/): editing it "
                                  "changes permissions, hooks or agents")
            if part == ".claude" and i + 1 < len(lowered) and lowered[i + 1] in CLAUDE_PROTECTED:
                return Protection(f"protected path: {_shown(p, root)}",
                                  f"{rp.raw} is an agent definition (.claude/agents/)")
    for p in dict.fromkeys(_candidates(rp)):
        git_dir = _git_dir_by_content(p)
        if git_dir is not None:
            return Protection(f"protected path: {_shown(p, root)}",
                              f"{rp.raw} is inside {_shown(git_dir, root)}, a git directory by "
                              "content (HEAD, config, objects/): git runs programs it names")
    folders = [*user_config_dirs(home), root / ".harness"]
    extra = list(protected)
    for item in [*folders, *extra]:
        is_folder = item in folders or os.path.isdir(item)
        for target in dict.fromkeys((item, real_root(item))):
            for p in _candidates(rp):
                if p == target or (is_folder and _within_any_case(p, target)):
                    what = ("harness configuration: editing it changes permissions"
                            if item in folders else
                            "named by a configured hook command, or an agent definition")
                    return Protection(f"protected path: {_shown(p, root)}",
                                      f"{rp.raw} is {what} ({target})")
    if _is_linked_elsewhere(rp.real):
        for item in [*extra, *(f / n for f in folders for n in ("config.toml",
                                                                 "config.local.toml")),
                     root / ".git" / "config"]:
            if _same_file(rp.real, item):
                return Protection(f"protected path: {_shown(item, root)}",
                                  f"{rp.raw} is a hard link to {item}")
    return None


def _is_linked_elsewhere(path: Path) -> bool:
    """A regular file with more than one name: writing it changes every name's content."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    import stat

    return stat.S_ISREG(st.st_mode) and st.st_nlink > 1


def has_other_names(rp: ResolvedPath) -> bool:
    """For containment: a hard-linked file may also live outside the project."""
    return _is_linked_elsewhere(rp.real)
