"""Commands that run another command (`sh -c`, `eval`, `env`, `sudo`, `xargs`, `timeout`…):
the wrapped command is what gets judged, parsed like the top level when it is a string."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from harness.permissions.commands import (
    CONTENT_FREE,
    PATH_READERS,
    SHELLS,
    TRANSPARENT,
    Verdict,
    no,
    ok,
)

if TYPE_CHECKING:
    from harness.permissions.shell import Analyzer, Word


def judge_wrapper(name: str, args: list[Word], an: Analyzer) -> Verdict | None:
    texts = [a.text for a in args]
    if name in SHELLS:
        if "-c" in texts:
            i = texts.index("-c")
            script = texts[i + 1] if i + 1 < len(texts) else None
            if script is None:
                return no(f"{name} -c with a script only known at run time")
            return Verdict(reason=f"{name} -c runs its string", script=script)
        return no(f"`{name}` runs a script the engine cannot see")
    if name == "eval":
        if any(t is None for t in texts):
            return no("eval of text only known at run time")
        script = " ".join(t or "" for t in texts)
        return Verdict(reason="eval runs its arguments as shell code", script=script)
    if name in ("source", "."):
        return no("source runs a script the engine cannot see")
    if name in ("sudo", "doas", "su", "pkexec", "runuser", "chroot"):
        start = _skip_options(texts, with_value=("-u", "-g", "-C", "-D", "-h", "-p", "-U"))
        return no(f"{name} runs a command with other rights", irreversible=True,
                  wrapped=args[start:] or None)
    if name == "exec":
        start = _skip_options(texts, with_value=("-a",))
        if start >= len(args):
            return no("exec without a command changes the shell's descriptors")
        return no("exec replaces the shell", wrapped=args[start:])
    if name == "xargs":
        start = _skip_options(texts, with_value=("-a", "-d", "-E", "-e", "-I", "-i", "-L", "-l",
                                                  "-n", "-P", "-s", "--arg-file", "--delimiter",
                                                  "--max-args", "--max-procs", "--max-lines",
                                                  "--replace"))
        inner = args[start:]
        inner_name = inner[0].text if inner else "echo"
        if inner_name in PATH_READERS or inner_name in ("echo", "printf", "basename", "dirname"):
            if inner_name not in CONTENT_FREE:
                an.out.concerns.append(f"xargs {inner_name} prints files named only at run time "
                                       "(they could be secrets)")
            verdict = ok("xargs with a command that has no writing or running options")
            verdict.transparent = True
            verdict.wrapped = inner or None
            return verdict
        return no("xargs runs a command with arguments read at run time", wrapped=inner or None)
    if name == "env":
        i, env = 0, []
        while i < len(args):
            t = texts[i]
            if t is None:
                return no("env with arguments only known at run time")
            if t in ("-u", "--unset", "-C", "--chdir", "-S", "--split-string"):
                return no(f"env {t} changes what runs")
            if t.startswith("-"):
                i += 1
                continue
            if "=" in t and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", t):
                k, v = t.split("=", 1)
                from harness.permissions.shell import Word as W

                env.append((k, W(v, v)))
                i += 1
                continue
            break
        if i >= len(args):
            an.out.concerns.append("prints the environment, which may hold tokens")
            return ok("prints the environment")
        return Verdict(safe=True, reason="env runs the wrapped command", transparent=True,
                       wrapped=args[i:], wrapped_env=env)
    if name in TRANSPARENT:
        if name == "command" and texts[:1] in (["-v"], ["-V"]):
            return ok("looks a command up")
        value_opts = {"timeout": ("-s", "--signal", "-k", "--kill-after"), "nice": ("-n",),
                      "stdbuf": ("-i", "-o", "-e")}.get(name, ())
        start = _skip_options(texts, with_value=value_opts)
        if name == "timeout":
            start += 1  # the duration
        inner = args[start:]
        if not inner:
            return ok()
        return Verdict(safe=True, reason=f"{name} runs the wrapped command", transparent=True,
                       wrapped=inner)
    return None


def _skip_options(texts: list[str | None], with_value: tuple[str, ...] = ()) -> int:
    i = 0
    while i < len(texts):
        t = texts[i]
        if t is None or not t.startswith("-") or t == "-":
            return i
        if t == "--":
            return i + 1
        i += 2 if t in with_value else 1
    return i
