"""The environment a program started for the model gets: harness's own, minus credentials.

Names matching `*KEY*`, `*SECRET*`, `*TOKEN*`, `*PASSWORD*`, `*CREDENTIAL*` (Codex CLI's
default excludes) are dropped, adjustable with `sandbox.env.include` / `sandbox.env.exclude`
(shell-style patterns, case-insensitive). Harness's own model credentials are never passed on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping

DEFAULT_EXCLUDE: tuple[str, ...] = ("*KEY*", "*SECRET*", "*TOKEN*", "*PASSWORD*", "*CREDENTIAL*")
# The model's own credentials: no include pattern brings these back.
NEVER_PASSED: frozenset[str] = frozenset({"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"})


def _matches(name: str, patterns: Iterable[str]) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, p.upper()) for p in patterns)


def is_withheld(name: str, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> bool:
    """Whether the variable `name` is kept out of a command's environment.

    An explicit `exclude` wins over `include`; `include` wins over the defaults."""
    if name.upper() in NEVER_PASSED or _matches(name, exclude):
        return True
    if _matches(name, include):
        return False
    return _matches(name, DEFAULT_EXCLUDE)


def scrubbed_env(
    environ: Mapping[str, str], include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> dict[str, str]:
    """A copy of `environ` without the withheld variables."""
    include, exclude = tuple(include), tuple(exclude)
    return {k: v for k, v in environ.items() if not is_withheld(k, include, exclude)}


def withheld_names(
    environ: Mapping[str, str], include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> list[str]:
    include, exclude = tuple(include), tuple(exclude)
    return sorted(k for k in environ if is_withheld(k, include, exclude))
