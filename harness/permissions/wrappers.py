"""Commands that run another command (`sh -c`, `eval`, `env`, `xargs`, `timeout`, `sudo`…):
the wrapped command is judged as a part of its own; a string program is parsed like the top
level. Their option tables live in `options/system.py`."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from harness.permissions import getopt
from harness.permissions.commands import Verdict, no, ok

if TYPE_CHECKING:
    from harness.permissions.shell import Analyzer, Word

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh"})
# `sh` is often dash. These spellings mean something else there (`ls &>/dev/null rm` runs
# `rm` in dash), so an `sh -c` script that uses one asks instead of being read as bash.
_BASH_ONLY = re.compile(r"&>|>&|\$'|\$\"|\|&|<\(|>\(|\[\[|\{|\(\(|;&|\$\[|<<<|=\(")
_SHELL_FLAGS = set("celuxvEhBCHPT")  # -c, -l, errexit/nounset/xtrace/verbose and friends
_SHELL_LONG = frozenset({"--login", "--noprofile", "--norc", "--posix", "--noediting"})
_SHELL_SET_O = frozenset({"pipefail", "errexit", "nounset", "xtrace", "verbose", "noglob",
                          "noclobber", "posix", "errtrace", "functrace"})


def _word(text: str):
    from harness.permissions.shell import Word

    return Word(text, shlex.quote(text))


def judge_wrapping_row(name: str, p: getopt.Parsed, args: list[Word], an: Analyzer) -> Verdict:
    """env, timeout, nice, stdbuf, nohup, xargs: options were read; operands hold the command."""
    ops = list(p.operands)
    if name == "env":
        for value in p.values("split-string"):
            if value is None or any(c in value for c in "$\\#'\""):
                return no("env -S with quotes, escapes or variables: its split is unclear")
            ops = [_word(t) for t in value.split()] + ops
        env = []
        while ops and ops[0].text is not None and "=" in ops[0].text and \
                ops[0].text.split("=", 1)[0].isidentifier():
            k, v = ops[0].text.split("=", 1)
            env.append((k, _word(v)))
            ops.pop(0)
        if ops and ops[0].text is None:
            return no("env runs a command only known at run time")
        if not ops:
            an.out.concerns.append("prints the environment, which may hold tokens")
            return ok("prints the environment")
        return Verdict(safe=True, reason="env runs the wrapped command", transparent=True,
                       wrapped=ops, wrapped_env=env)
    if name == "timeout":
        if len(ops) < 2:
            return no("timeout without a duration and a command")
        ops = ops[1:]
    if name == "xargs":
        inner = ops or [_word("echo")]
        return Verdict(safe=True, reason="xargs runs the wrapped command", transparent=True,
                       wrapped=inner, wrapped_open=True, wrapped_appends=True)
    if not ops:
        return no(f"{name} without a command")
    return Verdict(safe=True, reason=f"{name} runs the wrapped command", transparent=True,
                   wrapped=ops)


def _shell(name: str, args: list[Word]) -> Verdict:
    texts = [a.text for a in args]
    i, want_script = 0, False
    while i < len(texts):
        t = texts[i]
        if t is None:
            return no(f"{name} with arguments only known at run time", opaque=True)
        if t in _SHELL_LONG:
            i += 1
            continue
        if t in ("-o", "+o"):
            if i + 1 >= len(texts) or texts[i + 1] not in _SHELL_SET_O:
                return no(f"{name} {t} with an option that is not known", opaque=True)
            i += 2
            continue
        if t.startswith(("-", "+")) and len(t) > 1 and t != "--":
            if not set(t[1:]) <= _SHELL_FLAGS:
                return no(f"{name} option `{t}` is not known to be harmless", opaque=True)
            want_script = want_script or "c" in t
            i += 1
            continue
        if t == "--":
            i += 1
        break
    if not want_script:
        return no(f"`{name}` runs a script the engine cannot see", opaque=True)
    if i >= len(texts):
        return no(f"{name} -c without a script")
    script = texts[i]
    if script is None:
        return no(f"{name} -c with a script only known at run time", opaque=True)
    if name in ("zsh", "ksh"):
        return no(f"{name} parses scripts differently from bash; asking", opaque=True)
    if name in ("sh", "dash") and _BASH_ONLY.search(script):
        return no(f"`{name}` may be dash, where this script's bash-only syntax means "
                  "something else", opaque=True)
    return Verdict(safe=True, transparent=True, reason=f"{name} -c runs its string",
                   script=script)


def judge_wrapper(name: str, args: list[Word], an: Analyzer) -> Verdict | None:
    texts = [a.text for a in args]
    if name in SHELLS:
        return _shell(name, args)
    if name == "eval":
        if any(t is None for t in texts):
            return no("eval of text only known at run time", opaque=True)
        return Verdict(safe=True, transparent=True, reason="eval runs its arguments as shell "
                       "code", script=" ".join(t or "" for t in texts),
                       script_in_current_shell=True)
    if name in ("source", ".", "fish", "busybox", "watch", "parallel", "flock", "setsid",
                "unshare", "nsenter", "chrt", "ionice", "taskset", "script", "strace",
                "ltrace", "gdb", "valgrind"):
        return no(f"`{name}` runs a command or script the engine does not judge", opaque=True)
    if name in ("sudo", "doas", "su", "pkexec", "runuser", "chroot"):
        start = _skip_options(texts, with_value=("-u", "-g", "-C", "-D", "-h", "-p", "-U"))
        return no(f"{name} runs a command with other rights", irreversible=True,
                  wrapped=args[start:] or None)
    if name == "exec":
        start = _skip_options(texts, with_value=("-a",), flags=("-c", "-l"))
        if start is None or start >= len(args):
            return no("exec without a command changes the shell's descriptors")
        return Verdict(safe=True, transparent=True, reason="exec runs the wrapped command",
                       wrapped=args[start:])
    if name == "command":
        if texts[:1] in (["-v"], ["-V"]):
            return ok("looks a command up")
        start = _skip_options(texts, flags=("-p",))
        if start is None:
            return no("command with an option that is not known")
        if start >= len(args):
            return ok()
        return Verdict(safe=True, transparent=True, reason="command runs the wrapped command",
                       wrapped=args[start:])
    if name in ("builtin", "time"):
        start = _skip_options(texts, flags=("-p",) if name == "time" else ())
        if start is None:
            return no(f"{name} with an option that is not known")
        if start >= len(args):
            return ok()
        return Verdict(safe=True, transparent=True, reason=f"{name} runs the wrapped command",
                       wrapped=args[start:])
    return None


def _skip_options(texts: list[str | None], with_value: tuple[str, ...] = (),
                  flags: tuple[str, ...] | None = None) -> int | None:
    """Index of the wrapped command; None when an option is not in `flags`/`with_value`."""
    i = 0
    while i < len(texts):
        t = texts[i]
        if t is None or not t.startswith("-") or t == "-":
            return i
        if t == "--":
            return i + 1
        if t in with_value:
            i += 2
            continue
        if flags is not None and t not in flags:
            return None
        i += 1
    return i
