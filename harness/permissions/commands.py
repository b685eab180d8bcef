"""The table of known commands: which are read-only with which options, which wrap another
command, which reach the network. Anything not listed here is not read-only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.permissions import gitcmd
from harness.permissions.paths import is_secret_path

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
    script: str | None = None


def ok(reason: str = "known read-only command") -> Verdict:
    return Verdict(safe=True, reason=reason)


def no(reason: str, **kw) -> Verdict:
    return Verdict(safe=False, reason=reason, **kw)


# Read-only, no option writes or runs anything; operands are files that get read.
PATH_READERS = frozenset({
    "cat", "head", "tail", "wc", "nl", "tac", "rev", "od", "hexdump", "strings", "cut",
    "paste", "fold", "fmt", "expand", "unexpand", "column", "comm", "cmp", "diff", "grep",
    "egrep", "fgrep", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum",
    "sha512sum", "b2sum", "cksum", "stat", "du", "ls", "dir", "readlink", "realpath", "look",
    "file", "tree", "zcat", "bzcat", "xzcat", "zgrep",
})
# Readers that print facts about files, never their contents.
CONTENT_FREE = frozenset({"wc", "ls", "dir", "stat", "du", "file", "md5sum", "sha1sum",
                          "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum",
                          "readlink", "realpath", "echo", "printf", "basename", "dirname"})
# Read-only and their operands are not files.
PLAIN = frozenset({
    "echo", "printf", "pwd", "true", "false", "whoami", "id", "uname", "seq", "sleep", "which",
    "whereis", "type", "basename", "dirname", "test", "[", "nproc", "arch", "tty", "groups",
    "locale", "uptime", "df", "free", "ps", "tr", "date", "hostname", ":",
})
# Options that write a file or run a program, per command (exact or `--opt=` forms).
BAD_OPTIONS: dict[str, tuple[str, ...]] = {
    "tree": ("-o", "-R"),
    "file": ("-C", "--compile"),
    "date": ("-s", "--set"),
    "hostname": ("-F", "--file", "-b", "--boot"),
    "printf": ("-v",),
    "sort": ("-o", "--output", "--compress-program"),
    "rg": ("--pre", "--hostname-bin", "-z", "--search-zip"),
    "fd": ("-x", "--exec", "-X", "--exec-batch"),
    "fdfind": ("-x", "--exec", "-X", "--exec-batch"),
    "sed": ("-i", "--in-place", "-f", "--file"),
    "xxd": ("-r", "--revert"),
}
# Commands with options that write or run: unseen arguments (globs, variables) could be one.
OPTION_SENSITIVE = frozenset({"find", "rg", "sort", "sed", "fd", "fdfind", "tar", "xxd", "jq",
                              "awk", "uniq", "tree"})
FIND_ACTIONS = ("-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0",
                "-fprintf", "-fls")
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
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "fish", "busybox"})
TRANSPARENT = frozenset({"timeout", "nice", "nohup", "time", "stdbuf", "command", "builtin"})


def judge(name: str, args: list[Word], an: Analyzer) -> Verdict:
    texts = [a.text for a in args]
    if name in BAD_OPTIONS:
        bad = _bad_option(texts, BAD_OPTIONS[name])
        if bad:
            return no(f"`{bad}` writes a file or runs a program")
    if name in OPTION_SENSITIVE and any(a.text is None or a.glob for a in args):
        return no("arguments only known at run time could become options that write or execute")
    if name in PATH_READERS:
        return _path_reader(name, args, an)
    if name in PLAIN:
        return _plain(name, texts)
    if name == "cd":
        if len(args) > 1 or (args and args[0].text == "-"):
            return no("cd with unusual arguments")
        why = an.change_dir(args[0].text if args else "~")
        return no(why) if why else ok("changes folder inside the project")
    if name in ("sort", "rg", "fd", "fdfind", "xxd", "uniq", "jq"):
        return _special(name, args, an)
    if name == "sed":
        return _sed(texts, args, an)
    if name == "find":
        return _find(texts, an)
    if name == "tar":
        return _tar(texts)
    if name == "awk" or name == "gawk" or name == "mawk":
        return _awk(texts, an)
    if name == "git":
        return gitcmd.judge_git(args, an)
    if name in ("env", "printenv") and all(t is not None and t.startswith("-") for t in texts):
        an.out.concerns.append("prints the environment, which may hold tokens")
        return ok("prints the environment")
    from harness.permissions.wrappers import judge_wrapper

    wrapper = judge_wrapper(name, args, an)
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
    if name in ("alias", "trap", "export", "set", "shopt", "ulimit", "umask", "enable",
                "hash", "readonly", "declare", "typeset", "local", "unset"):
        return no(f"`{name}` changes how later commands behave")
    return no(f"`{name}` is not a known read-only command")


def _bad_option(texts: list[str | None], bad: tuple[str, ...]) -> str | None:
    for t in texts:
        if t is None:
            continue
        if t == "--":
            break
        for b in bad:
            if t == b or t.startswith(b + "="):
                return t
            if len(b) == 2 and b[0] == "-" and t.startswith("-") and not t.startswith("--") \
                    and b[1] in t[1:]:
                return t
    return None


def _operands(texts: list[str | None]) -> list[str | None]:
    out, after = [], False
    for t in texts:
        if t == "--" and not after:
            after = True
        elif after or t is None or not t.startswith("-") or t == "-":
            out.append(t)
    return out


_KNOWN_VARS = re.compile(r"\$(?:\{(HOME|PWD)\}|(HOME|PWD)\b)")
_ANY_VAR = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


def _dynamic_path(a: Word, an: Analyzer) -> None:
    """`cat $HOME/.ssh/id_rsa`: expand the variables we know, judge the shape of the rest."""
    text = a.source.replace('"', "")
    if "$(" in text or "`" in text:
        return  # a substitution: its command was judged; its output is not a file we name
    text = _KNOWN_VARS.sub(lambda m: str(an.home if "HOME" in m.group(0) else an.cwd), text)
    if "$" not in text:
        an.read_path(text)
        return
    from pathlib import PurePosixPath

    if is_secret_path(PurePosixPath(_ANY_VAR.sub("x", text))):
        an.out.concerns.append(f"reads `{a.source}`, which looks like a secret")


def _path_reader(name: str, args: list[Word], an: Analyzer) -> Verdict:
    for a in args:
        if a.text is None:
            _dynamic_path(a, an)
            continue
        if a.text.startswith("-") and "=" in a.text:
            an.read_path(a.text.split("=", 1)[1])
        elif not a.text.startswith("-"):
            if a.glob and _glob_may_hit_secret(a.text):
                an.out.concerns.append(f"`{a.text}` may match a secrets file")
            an.read_path(a.text)
    return ok()


_SECRET_SAMPLES = (".env", ".env.local", ".envrc", "id_rsa", "id_ed25519", "id_ecdsa",
                   "server.pem", "server.key", "credentials", ".netrc", ".git-credentials")


def _glob_may_hit_secret(pattern: str) -> bool:
    """`cat .e*` or `head *.pem`: a glob that a secrets file's name would match."""
    import fnmatch

    base = pattern.rstrip("/").rsplit("/", 1)[-1]
    if "{" in base:
        return True  # brace expansion: do not try to enumerate it
    return any(fnmatch.fnmatchcase(name, base) for name in _SECRET_SAMPLES)


def _plain(name: str, texts: list[str | None]) -> Verdict:
    if name == "hostname" and _operands(texts):
        return no("hostname with an operand sets the host name")
    if name == "date" and any(t and t.startswith("+") is False and not t.startswith("-")
                              for t in texts):
        return no("date with an operand sets the clock")
    return ok()


def _special(name: str, args: list[Word], an: Analyzer) -> Verdict:
    texts = [a.text for a in args]
    if name == "uniq":
        ops = _operands([t for i, t in enumerate(texts)
                         if not (i and texts[i - 1] in ("-f", "-s", "-w"))])
        if len(ops) > 1:
            return no("uniq writes its second operand")
    if name == "xxd" and len(_operands([t for i, t in enumerate(texts) if not (
            i and texts[i - 1] in ("-l", "-s", "-c", "-g", "-o", "-n", "-len", "-seek",
                                   "-cols", "-groupsize", "-offset", "-name"))])) > 1:
        return no("xxd writes its second operand")
    if name == "jq":
        joined = " ".join(t or "" for t in texts)
        if re.search(r"\benv\b|\$ENV|\$__prog_args|input_filename", joined):
            an.out.concerns.append("jq reads the environment, which may hold tokens")
    _path_reader(name, args, an)
    return ok()


_SED_SAFE = set("pdqQ=nNlGHghxDPzF{}!;")


def _sed(texts: list[str | None], args: list[Word], an: Analyzer) -> Verdict:
    scripts: list[str] = []
    files: list[str] = []
    it = iter(range(len(texts)))
    expect_script = True
    for i in it:
        t = texts[i]
        if t in ("-e", "--expression"):
            nxt = texts[i + 1] if i + 1 < len(texts) else None
            if nxt is None:
                return no("sed script not visible")
            scripts.append(nxt)
            expect_script = False
            next(it, None)
        elif t is not None and t.startswith("--expression="):
            scripts.append(t.split("=", 1)[1])
            expect_script = False
        elif t is not None and t.startswith("-") and t != "-":
            if not re.fullmatch(r"-[nErsuz]+|--(quiet|silent|posix|debug|sandbox|regexp-extended|"
                                r"separate|unbuffered|null-data)", t):
                return no(f"sed option `{t}` is not known to be read-only")
        elif expect_script:
            if t is None:
                return no("sed script not visible")
            scripts.append(t)
            expect_script = False
        else:
            files.append(t or "")
    for s in scripts:
        bad = sed_script_problem(s)
        if bad:
            return no(bad)
    for f in files:
        an.read_path(f)
    return ok()


def sed_script_problem(script: str) -> str | None:
    """A sed script is read-only only if it has no w/W/e/r-to-file commands or s///w,e flags."""
    i, n = 0, len(script)

    def skip_delimited(j: int, count: int) -> int:
        delim = script[j]
        j += 1
        for _ in range(count):
            while j < n and script[j] != delim:
                j += 2 if script[j] == "\\" else 1
            j += 1
        return j

    while i < n:
        c = script[i]
        if c in " \t\n;{}!" or c.isdigit() or c in "$,~+":
            i += 1
        elif c == "/":
            i = skip_delimited(i, 1)
            while i < n and script[i] in "IM":
                i += 1
        elif c == "\\" and i + 1 < n:
            i = skip_delimited(i + 1, 1)
        elif c == "s" or c == "y":
            if i + 1 >= n:
                return "incomplete sed command"
            i = skip_delimited(i + 1, 2)
            if c == "s":
                j = i
                while i < n and (script[i].isalnum()):
                    i += 1
                flags = script[j:i]
                if "w" in flags or "e" in flags or "W" in flags:
                    return "the sed s///w or s///e flag writes a file or runs a command"
        elif c in "aic:btT":
            while i < n and script[i] != "\n" and not (c in ":btT" and script[i] == ";"):
                i += 1
        elif c in _SED_SAFE:
            i += 1
        elif c in "wWeR r":
            return f"the sed `{c}` command reads/writes a file or runs a command"
        else:
            return f"the sed `{c}` command is not known to be read-only"
    return None


def _find(texts: list[str | None], an: Analyzer) -> Verdict:
    for t in texts:
        if t in FIND_ACTIONS:
            return no(f"find {t} writes, deletes or runs a command")
    for t in texts:
        if t is None or t.startswith(("-", "(", "!", ")")):
            break
        an.read_path(t)
    return ok()


def _tar(texts: list[str | None]) -> Verdict:
    listing = False
    for idx, t in enumerate(texts):
        if t is None:
            return no("tar arguments not visible")
        if t.startswith("--"):
            opt = t.split("=", 1)[0]
            if opt in ("--list",):
                listing = True
            elif opt in ("--checkpoint-action", "--to-command", "--use-compress-program",
                         "--info-script", "--new-volume-script", "--rmt-command",
                         "--rsh-command", "--extract", "--get", "--create", "--append",
                         "--update", "--delete", "--concatenate", "--catenate", "--diff",
                         "--compare", "-F", "--index-file", "--volno-file", "--remove-files"):
                return no(f"tar {opt} writes files or runs a program")
        elif t.startswith("-") or idx == 0:
            letters = t.lstrip("-")
            if set(letters) & set("xcruAdIF"):
                return no("tar in a mode that writes, or with an option that runs a program")
            if "t" in letters:
                listing = True
    return ok("tar lists an archive") if listing else no("tar without -t may write files")


def _awk(texts: list[str | None], an: Analyzer) -> Verdict:
    program = None
    start = 0
    for i, t in enumerate(texts):
        if t is None:
            return no("awk program not visible")
        if t in ("-F", "-v"):
            continue
        if t.startswith("-") and not t.startswith(("-F", "-v")):
            return no(f"awk option `{t}` may load or run code")
        if i and texts[i - 1] in ("-F", "-v"):
            continue
        if not t.startswith("-"):
            program, start = t, i + 1
            break
    if program is None:
        return no("awk program not visible")
    if re.search(r"system|\||>|getline|@|ENVIRON|close|fflush", program):
        return no("the awk program can run commands, write files or read the environment")
    for t in texts[start:]:
        if t is not None and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", t):
            an.read_path(t)  # operands are files, except `var=value` assignments
    return ok()


def secret_revision(text: str) -> bool:
    """`HEAD:.env` style git object names that name a likely secret."""
    if ":" not in text:
        return False
    from pathlib import PurePosixPath

    return is_secret_path(PurePosixPath(text.split(":", 1)[1] or "x"))
