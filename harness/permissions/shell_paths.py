"""The path side of the shell analysis: reads named by operands, option values and
redirections, checked in every folder the shell may be in (`cd` that may fail), with loop
variables and plain `$VAR`s resolved where their values are known."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from harness.permissions.paths import inside, is_secret, is_secret_path, resolve
from harness.permissions.paths_extra import glob_may_hit_secret, proc_secret
from harness.permissions.shellwords import BRACE, Word, expand_braces

if TYPE_CHECKING:
    from harness.permissions.shell import ShellAnalysis

_KNOWN_VARS = re.compile(r"\$(?:\{(HOME|PWD)\}|(HOME|PWD)\b)")
_ANY_VAR = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


class PathChecks:
    """Mixed into `shell.Analyzer`: the path checks the command tables call."""

    out: ShellAnalysis
    cwds: list[Path]
    maybe_old: list[Path]
    roots: list[Path]
    home: Path
    loop_vars: dict[str, list[Word]]

    @property
    def cwd(self) -> Path:
        return self.cwds[0]

    def read_path(self, raw: str) -> None:
        if raw in ("/dev/null", "/dev/stdin", "-"):
            return
        if proc_secret(raw) or any(proc_secret(str(c / raw)) for c in self.cwds):
            self.out.concerns.append(f"reads `{raw}`, another process's environment or memory")
        for cwd in self.cwds:
            rp = resolve(raw, cwd, self.home)
            self.out.read_paths += [rp.lexical, rp.real]
            if is_secret(rp):
                self.out.concerns.append(f"reads `{raw}`, which looks like a secret")
            elif not inside(rp.real, self.roots):
                self.out.concerns.append(f"reads `{raw}`, outside the project")
            elif proc_secret(str(rp.real)):
                self.out.concerns.append(f"reads `{raw}`, another process's environment")

    def read_word(self, w: Word, prints_content: bool) -> None:
        """An operand that names a file to read."""
        if w.text is not None:
            texts = expand_braces(w.text) if w.glob and BRACE.search(w.source) else [w.text]
            if texts is None:
                self.out.concerns.append(f"`{w.source}` expands to more than the engine checks")
                return
            for text in texts:
                if w.glob and prints_content and glob_may_hit_secret(text):
                    self.out.concerns.append(f"`{text}` may match a secrets file")
                self.read_path(text)
            return
        if w.procsub:
            return  # `<(sort a)`: a pipe from a command judged on its own
        if w.source.startswith("~"):
            self.out.concerns.append(f"reads `{w.source}`: another user's home or the "
                                     "directory stack, outside what the engine can check")
            return
        if w.kind == "dynamic" or w.runtime:
            if prints_content:
                self.out.concerns.append(f"prints a file named only at run time (`{w.source}`)")
            return
        text = w.source.replace('"', "")
        text = _KNOWN_VARS.sub(lambda m: str(self.home if "HOME" in m.group(0) else self.cwd),
                               text)
        names = [m.group(0).strip("${}") for m in _ANY_VAR.finditer(text)]
        for name in names:
            if name in self.loop_vars:
                self.loop_read(text, name, self.loop_vars[name], prints_content)
                return
        if prints_content and any(not re.search("[a-z]", x) for x in names):
            # `cat $KUBECONFIG`: an environment variable can name any file at all.
            self.out.concerns.append(f"prints `{w.source}`, a file named by the environment")
        elif "$" not in text:
            self.read_path(text)
        elif is_secret_path(Path(_ANY_VAR.sub("x", text))):
            self.out.concerns.append(f"reads `{w.source}`, which looks like a secret")

    def loop_read(self, text: str, name: str, values: list[Word], prints_content: bool) -> None:
        for v in values:
            if v.text is None:
                self.read_word(Word(None, v.source, kind="dynamic"), prints_content)
                continue
            value = v.text
            path = re.sub(rf"\$(\{{{name}\}}|{name}\b)", _literally(value), text)
            if "$" in path:
                self.read_word(Word(None, path, kind="var"), prints_content)
            else:
                self.read_word(Word(path, path, v.glob), prints_content)

    def change_dir(self, raw: str | None) -> str | None:
        if raw is None:
            return "cd to a computed folder"
        new = []
        for cwd in self.cwds:
            rp = resolve(raw, cwd, self.home)
            if not inside(rp.real, self.roots):
                self.out.concerns.append(f"goes to `{raw}`, outside the project")
            new.append(rp.real)
        if not all(p.is_dir() for p in new):
            # A cd that may fail leaves the shell where it was, unless `&&` stops what follows.
            self.maybe_old += self.cwds
        self.cwds = list(dict.fromkeys(new))
        return None


def _literally(value: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts `value` as is (no backslash escapes)."""
    return lambda _m: value
