"""`harness doctor`: checks the environment harness runs in and explains each finding, with a
one-line fix for every problem. Exit 0 when nothing fails (warnings allowed), 1 otherwise.

Every check is read-only except two harmless probes: a temp file created and removed in
`$HARNESS_HOME`, and opening the configured store (which creates its tables if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from harness import __version__
from harness.exitcodes import DONE, FAILURE

Status = Literal["ok", "warn", "fail"]
KEY_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
MIN_COLUMNS, MIN_LINES = 80, 24  # the TUI is laid out for at least this much
SLOW_ESCAPE_MS = 50  # tmux holds Esc this long before passing it on


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    status: Status
    detail: str
    fix: str = ""  # one line, for "warn" and "fail"


@dataclass
class Context:
    """What several checks share: the project, the flags, and the config once loaded."""

    root: Path
    store_flag: str | None
    loaded: Any = None  # LoadedConfig, or None when the config is broken
    home: Path | None = None  # None when $HARNESS_HOME is unusable


def _run(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=5,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


# --- the checks, in the order they are shown ------------------------------------------------


def check_version(ctx: Context) -> Finding:
    import harness

    return Finding("harness", "ok", f"{__version__} ({Path(harness.__file__).parent})")


def check_python(ctx: Context) -> Finding:
    """Informational: pip already refused any Python older than `requires-python`."""
    version = ".".join(map(str, sys.version_info[:3]))
    where = "virtual environment" if sys.prefix != sys.base_prefix else "system"
    return Finding("python", "ok", f"{version} ({sys.executable}, {where})")


def check_shipped_files(ctx: Context) -> Finding:
    from harness.config.shipped import SHIPPED_FILES, ShippedFileError, read_shipped

    broken = []
    for item in SHIPPED_FILES:
        try:
            read_shipped(item)
        except ShippedFileError as exc:
            broken.append(exc.source)
    if broken:
        return Finding("shipped files", "fail", "missing or unreadable: " + ", ".join(broken),
                       "pip install --force-reinstall harness (the installed package is "
                       "incomplete)")
    return Finding("shipped files", "ok", ", ".join(i.label for i in SHIPPED_FILES) + " readable")


def check_config(ctx: Context) -> Finding:
    from harness.config.loader import ConfigError, load_config

    try:
        ctx.loaded = load_config(ctx.root)
    except ConfigError as exc:
        return Finding("config", "fail", str(exc),
                       f"edit {exc.source}" + (f" ({exc.key})" if exc.key else "")
                       + "; `harness config validate` checks it again")
    files = [layer.source for layer in ctx.loaded.layers if layer.name not in ("env", "flags")]
    return Finding("config", "ok", f"{len(files)} file(s): " + ", ".join(files))


def check_home(ctx: Context) -> Finding:
    from harness.config.home import harness_home

    where = os.environ.get("HARNESS_HOME") or "the platform's user data folder"
    try:
        home = harness_home()
        with tempfile.NamedTemporaryFile(dir=home, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Finding("home", "fail", f"HARNESS_HOME ({where}) is not a writable folder: "
                       f"{exc.strerror or exc}",
                       "point HARNESS_HOME at a folder you can write (sessions, history and "
                       "snapshots live there)")
    ctx.home = home
    return Finding("home", "ok", f"{home} (writable)")


def check_store(ctx: Context) -> Finding:
    from harness.protocol.events import SCHEMA_VERSION
    from harness.store.base import StoreError

    configured = ctx.loaded.settings.sessions.store if ctx.loaded else ""
    url = (ctx.store_flag if ctx.store_flag is not None else configured).strip()
    if url.startswith(("postgresql://", "postgres://")):
        from harness.store.postgres import redact_url

        shown = f"PostgreSQL {redact_url(url)}"
        fix = ("start the server or correct the URL (--store, sessions.store or HARNESS_STORE: "
               "postgresql://user:password@host:5432/db)")
    else:
        if not url and ctx.home is None:
            return Finding("store", "fail", "the default SQLite store lives in HARNESS_HOME, "
                           "which is unusable (see home)", "fix HARNESS_HOME first")
        from harness.store.sqlite import default_path

        path = Path(url[len("sqlite:"):].removeprefix("//")).expanduser() if url else None
        path = path or default_path()
        shown = f"SQLite {path}"
        fix = "use a writable path (sessions.store = 'sqlite:PATH') or fix its permissions"
        if not path.exists():
            return Finding("store", "ok", f"{shown}: not created yet (the first session "
                           f"creates it); event schema v{SCHEMA_VERSION}")
    from harness.store.open import open_store

    try:
        store = open_store(url)
        try:
            count = len(store.list_threads(None, limit=1_000_000, include_children=True))
        finally:
            store.close()
    except StoreError as exc:  # its message names the store, password already hidden
        return Finding("store", "fail", _one_line(_hide_password(str(exc), url)), fix)
    except Exception as exc:  # a driver error the store did not wrap: still a finding
        return Finding("store", "fail", f"{shown}: {_one_line(_hide_password(str(exc), url))}",
                       fix)
    return Finding("store", "ok", f"{shown}: reachable, {count} thread(s), event schema "
                   f"v{SCHEMA_VERSION}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _hide_password(text: str, url: str) -> str:
    """The store's own URL rule (`user:[redacted]@host`), and the password itself wherever
    else it appears: one way of hiding it across harness."""
    from urllib.parse import urlsplit

    from harness.store.secrets import URL_MASK, redact_url_passwords

    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    text = redact_url_passwords(text)
    return text.replace(password, URL_MASK) if password else text


def check_api_key(ctx: Context) -> Finding:
    """Only whether a key is set: it is never printed, not even in part."""
    present = [name for name in KEY_VARS if os.environ.get(name)]
    base = os.environ.get("ANTHROPIC_BASE_URL", "")
    endpoint = f"; endpoint {_hide_password(base, base)} (ANTHROPIC_BASE_URL)" if base else ""
    if not present:
        return Finding("api key", "fail", f"neither {' nor '.join(KEY_VARS)} is set{endpoint}",
                       "export ANTHROPIC_API_KEY=sk-ant-… (or try `harness --demo`, offline)")
    return Finding("api key", "ok", f"{present[0]} is set (value not shown){endpoint}")


def check_model(ctx: Context) -> Finding:
    if ctx.loaded is None:
        return Finding("model", "warn", "unknown: the config did not load (see config)",
                       "fix the config first")
    from harness.model.pricing import is_priced, price_hint

    settings = ctx.loaded.settings
    name = settings.model.name
    if not is_priced(name, settings.prices):
        return Finding("model", "warn", f"{name}: no price configured, so costs show as unknown "
                       "and a cost budget refuses to start", price_hint(name))
    return Finding("model", "ok", f"{name} (priced)")


def check_sandbox(ctx: Context) -> Finding:
    from harness.permissions.sandbox import sandbox_status

    if ctx.loaded is not None and not ctx.loaded.settings.sandbox.enabled:
        source = ctx.loaded.source_of("sandbox.enabled")
        return Finding("sandbox", "warn", f"off (sandbox.enabled = false in {source}): shell "
                       "commands run with your full rights",
                       f"set sandbox.enabled = true in {source}")
    status = sandbox_status()
    if not status.available:
        return Finding("sandbox", "fail", status.detail,
                       "install bubblewrap (e.g. apt-get install bubblewrap), or run on a kernel "
                       "with Landlock")
    return Finding("sandbox", "ok", f"{status.mechanism}: {status.detail}")


def check_git(ctx: Context) -> Finding:
    version = _run(["git", "--version"]) if shutil.which("git") else ""
    if not version:
        return Finding("git", "fail", "git is not on PATH (the git tools, rewind and project "
                       "detection need it)", "install git (e.g. apt-get install git)")
    return Finding("git", "ok", version)


def _terminal_size() -> os.terminal_size | None:
    for fd in (1, 2, 0):
        try:
            if os.isatty(fd):
                return os.get_terminal_size(fd)
        except OSError:
            continue
    return None


def check_terminal(ctx: Context) -> Finding:
    from rich.console import Console

    term = os.environ.get("TERM", "")
    size = _terminal_size()
    if size is None:
        return Finding("terminal", "ok", f"not a terminal (TERM={term or 'unset'}): harness "
                       "runs headless here; the TUI and --inline need a terminal")
    colours = Console(force_terminal=True).color_system or "none"
    if os.environ.get("NO_COLOR"):
        colours = "off (NO_COLOR)"
    detail = f"{size.columns}×{size.lines}, TERM={term or 'unset'}, colours: {colours}"
    if term in ("", "dumb"):
        return Finding("terminal", "warn", detail + ": the TUI cannot draw here",
                       "set TERM (e.g. xterm-256color) or use `harness --inline`")
    if size.columns < MIN_COLUMNS or size.lines < MIN_LINES:
        return Finding("terminal", "warn", detail + f": smaller than {MIN_COLUMNS}×{MIN_LINES}",
                       f"enlarge the window to at least {MIN_COLUMNS}×{MIN_LINES}, or use "
                       "`harness --inline`")
    return Finding("terminal", "ok", detail)


def check_multiplexer(ctx: Context) -> Finding:
    if os.environ.get("TMUX"):
        version = _run(["tmux", "-V"]) or "tmux"
        escape = _run(["tmux", "show-options", "-sv", "escape-time"])
        keys = _run(["tmux", "show-options", "-sv", "extended-keys"])
        detail = f"inside {version}"
        if keys in ("", "off"):
            detail += "; Shift+Enter does not reach apps (extended-keys off): use Ctrl+J"
        if escape.isdigit() and int(escape) > SLOW_ESCAPE_MS:
            return Finding("multiplexer", "warn", detail + f"; escape-time is {escape} ms, so "
                           "Esc (interrupt) feels slow",
                           "add `set -sg escape-time 10` to ~/.tmux.conf")
        return Finding("multiplexer", "ok", detail)
    if os.environ.get("STY"):
        return Finding("multiplexer", "ok", f"inside GNU screen ({os.environ['STY']}); "
                       "Shift+Enter does not reach apps: use Ctrl+J")
    found = [name for name in ("tmux", "screen") if shutil.which(name)]
    return Finding("multiplexer", "ok", "not inside tmux or screen"
                   + (f" ({', '.join(found)} installed)" if found else ""))


CHECKS: tuple[Callable[[Context], Finding], ...] = (
    check_version, check_python, check_shipped_files, check_config, check_home, check_store,
    check_api_key, check_model, check_sandbox, check_git, check_terminal, check_multiplexer,
)


def run_checks(root: Path, store_flag: str | None = None) -> list[Finding]:
    ctx = Context(root=root, store_flag=store_flag)
    findings = []
    for check in CHECKS:
        try:
            findings.append(check(ctx))
        except Exception as exc:  # a bug in a check must not hide the other findings
            name = check.__name__.removeprefix("check_").replace("_", " ")
            findings.append(Finding(name, "fail", f"the check itself failed: {exc!r}",
                                    "report this as a harness bug"))
    return findings


_LABEL = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


def main(args: argparse.Namespace) -> int:
    from harness.config.home import find_project_root

    root = find_project_root(Path(args.cwd).expanduser() if args.cwd else None)
    findings = run_checks(root, args.store)
    problems = sum(f.status == "fail" for f in findings)
    if args.json:
        print(json.dumps({"version": __version__, "ok": not problems, "problems": problems,
                          "checks": [asdict(f) for f in findings]}, indent=2))
        return FAILURE if problems else DONE
    width = max(len(f.check) for f in findings)
    for f in findings:
        print(f"{_LABEL[f.status]:<5} {f.check:<{width}}  {f.detail}")
        if f.fix:
            print(f"{'':<5} {'':<{width}}  fix: {f.fix}")
    warnings = sum(f.status == "warn" for f in findings)
    summary = f"{problems} problem(s)" if problems else "no problems"
    print(f"\n{summary}" + (f", {warnings} warning(s)" if warnings else "") + " found")
    return FAILURE if problems else DONE
