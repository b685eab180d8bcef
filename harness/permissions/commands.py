"""Judging one simple command: the option tables in `options/` say which commands are
read-only with which options; this module reads them (through `getopt`) and sends each
operand and file-naming option value to the path checks. No row: not read-only."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.permissions import getopt, options
from harness.permissions.options import Row

if TYPE_CHECKING:
    from harness.permissions.shell import Analyzer, Word


@dataclass
class Verdict:
    safe: bool = False
    reason: str = ""
    transparent: bool = False
    alt_texts: tuple[str, ...] = ()
    push: bool = False
    network: bool = False
    irreversible: bool = False
    wrapped: list[Word] | None = None
    wrapped_env: list = field(default_factory=list)
    wrapped_open: bool = False  # xargs/find -exec: arguments are filled in at run time
    wrapped_appends: bool = False  # xargs: words read from input follow the given ones
    script: str | None = None
    opaque: bool = False  # runs code the engine did not read (a script, sh -c it refused)
    script_in_current_shell: bool = False  # eval: a cd in the script moves this shell


def ok(reason: str = "known read-only command") -> Verdict:
    return Verdict(safe=True, reason=reason)


def no(reason: str, **kw) -> Verdict:
    return Verdict(safe=False, reason=reason, **kw)


NETWORK = frozenset({
    "curl", "wget", "ssh", "scp", "sftp", "rsync", "nc", "ncat", "netcat", "telnet", "ftp",
    "http", "https", "aria2c", "ping", "dig", "nslookup", "host", "socat", "apt", "apt-get",
    "brew", "gem",
})
PACKAGE_FETCH = {
    "pip": {"install", "download", "wheel"}, "pip3": {"install", "download", "wheel"},
    "npm": {"install", "i", "ci", "add", "update", "publish", "exec"}, "npx": None,
    "yarn": {"add", "install", "upgrade", "dlx"}, "pnpm": {"add", "install", "i", "update", "dlx"},
    "cargo": {"install", "fetch", "update", "publish", "add"}, "go": {"get", "install", "mod"},
    "poetry": {"add", "install", "update", "publish"}, "uv": {"add", "sync", "pip", "tool"},
}
IRREVERSIBLE = frozenset({"rm", "rmdir", "shred", "unlink", "dd", "truncate", "kill", "pkill",
                          "killall", "reboot", "shutdown", "mv", "mkfs", "wipefs", "sudo", "doas"})
SHELL_STATE = frozenset({"alias", "trap", "export", "set", "shopt", "ulimit", "umask", "enable",
                         "hash", "readonly", "declare", "typeset", "local", "unset", "read",
                         "mapfile", "readarray", "getopts", "let", "shift", "pushd", "popd",
                         "dirs", "wait", "bind", "complete", "compgen", "history", "fc"})
# `node -v`, `python3 --version`: these print a version before loading any project code.
# Not here on purpose: pip and pytest (they import site and plugins: `.pth` files and
# conftest.py run), and shims that read the project to pick or fetch a toolchain first
# (cargo/rustc via rust-toolchain.toml, go via go.mod, npm/yarn/pnpm via corepack).
VERSION_QUERIES: dict[str, frozenset[str]] = {
    **{p: frozenset({"-V", "--version", "-VV"}) for p in ("python", "python3", "python2")},
    **{p: frozenset({"-v", "--version"}) for p in ("node", "nodejs", "deno", "ruby", "perl")},
    **{p: frozenset({"--version"}) for p in (
        "gcc", "g++", "cc", "clang", "java", "javac", "make", "cmake", "git", "bash", "sh",
        "docker", "ruff", "uv", "tar", "sed", "awk", "gawk", "jq", "rg", "fd", "bwrap")},
    "java": frozenset({"-version", "--version"}),
}


@functools.lru_cache(maxsize=1)
def rows() -> dict[str, Row]:
    return options.all_rows()


def option_table(row: Row) -> getopt.OptionTable:
    return getopt.table(row.spec, row.digits, row.permute)


def judge(name: str, args: list[Word], an: Analyzer) -> Verdict:
    texts = [a.text for a in args]
    queries = VERSION_QUERIES.get(name)
    if queries and len(texts) == 1 and texts[0] in queries:
        return ok("prints a version")
    row = rows().get(name)
    if row is not None:
        return judge_row(name, row, args, an)
    if name == "git":
        from harness.permissions import gitcmd

        return gitcmd.judge_git(args, an)
    from harness.permissions import commands_more, wrappers

    special = commands_more.judge_special(name, args, an)
    if special is not None:
        return special
    wrapper = wrappers.judge_wrapper(name, args, an)
    if wrapper is not None:
        return wrapper
    if name in NETWORK:
        return no("reaches the network", network=True, irreversible=True)
    if name in PACKAGE_FETCH:
        subs = PACKAGE_FETCH[name]
        first = next((t for t in texts if t and not t.startswith("-")), None)
        if subs is None or first in subs:
            return no("downloads and runs package code", network=True, irreversible=True)
    if name in IRREVERSIBLE:
        return no(f"`{name}` changes or destroys state that cannot be restored",
                  irreversible=True)
    if name in SHELL_STATE:
        return no(f"`{name}` changes how later commands behave")
    return no(f"`{name}` is not a known read-only command")


def judge_row(name: str, row: Row, args: list[Word], an: Analyzer) -> Verdict:
    if name in ("tar", "jq"):
        from harness.permissions.commands_more import prepare

        prepared = prepare(name, args, an)
        if isinstance(prepared, str):
            return no(prepared)
        args = prepared
    parsed = getopt.parse(option_table(row), args, name)
    if parsed.problem:
        return no(parsed.problem)
    danger = getopt.first_danger(parsed)
    for opt, value, _ in parsed.options:
        if opt.danger and value:
            an.out.write_paths.append(value)  # `sort -o F`: F may be written
    if danger is not None:
        return no(f"`{name}` option `{_spell(danger)}` writes a file, runs a program or "
                  "changes the system")
    why = read_option_files(name, parsed, an)
    if why:
        return no(why)
    ops = parsed.operands
    if row.max_operands is not None and len(ops) > row.max_operands:
        return no(f"`{name}` with {len(ops)} operands writes or does more than read")
    match row.operands:
        case "files":
            for w in ops:
                if name in ("strings",) and w.text and w.text.startswith("@"):
                    an.read_path(w.text[1:])  # binutils read more options from `@file`
                an.read_word(w, row.prints_content)
        case "pattern_files":
            has_pattern = parsed.has("regexp", "file", "e", "f")
            if not has_pattern and ops:
                ops = ops[1:]
            if not ops and parsed.has("recursive", "dereference-recursive", "r", "R"):
                an.read_path(".")
            if name in ("rg", "fd", "fdfind") and not ops:
                an.read_path(".")
            for w in ops:
                an.read_word(w, row.prints_content)
        case "text":
            pass
        case "none":
            if ops:
                return no(f"`{name}` with an operand does more than report")
        case "custom":
            from harness.permissions import commands_more

            return commands_more.judge_custom(name, parsed, args, an)
    return ok()


def read_option_files(name: str, parsed: getopt.Parsed, an: Analyzer) -> str | None:
    """`--files0-from=F`, `xargs -a F`, `date -f F`: the value is a file that gets read."""
    for opt, value, _ in parsed.options:
        if opt.kind != "file":
            continue
        if value is None:
            return f"`{name} {_spell(opt)}` reads a file only known at run time"
        if value in ("-", "/dev/stdin"):
            continue
        an.read_path(value)
    return None


def _spell(opt: getopt.Option) -> str:
    return ("--" if len(opt.name) > 1 else "-") + opt.name


_SECRET_VAR = re.compile(r"(TOKEN|SECRET|PASSW|API_?KEY|PRIVATE|CREDENTIAL|AUTH|COOKIE|"
                         r"SESSION|_PAT\b|_KEY\b|ACCESS_KEY|KEY_ID|DATABASE_URL|_DSN\b|"
                         r"WEBHOOK|SIGNING|_CERT\b|PASSPHRASE)", re.I)


def secret_variable(name: str) -> bool:
    return bool(_SECRET_VAR.search(name))
