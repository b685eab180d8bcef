"""Shell commands judged by what bash will run: tree-sitter-bash parses the command into
simple commands (through lists, pipelines, subshells, substitutions, heredocs and wrappers);
each is judged by `commands.py`. Any construct not modelled here asks."""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.permissions import commands
from harness.permissions.shell_nodes import NodeWalker
from harness.permissions.shell_paths import PathChecks
from harness.permissions.shellwords import (
    BRACE,
    GLOB,
    HIDDEN_CODE,
    ContinuationError,
    Word,
    WordKind,
    backtick_body,
    decode_ansi_c,
    join_continuations,
    unescape_double,
    unescape_unquoted,
)

__all__ = ["Analyzer", "Part", "ShellAnalysis", "Word", "analyze"]

# Environment prefixes that change neither what runs nor where output goes.
SAFE_ENV = frozenset({"LANG", "LANGUAGE", "TZ", "NO_COLOR", "CLICOLOR", "FORCE_COLOR",
                      "COLUMNS", "LINES", "TERM"})
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_PLAIN_ARITH = re.compile(r"[\w\s+\-*/%<>=!&|^~?:,()$]*")


@dataclass
class Part:
    """One simple command: what allow/deny rules are matched against."""

    text: str
    alt_texts: tuple[str, ...] = ()
    safe: bool = False
    reason: str = ""
    transparent: bool = False  # a benign wrapper whose wrapped command is its own part
    argv: tuple[str, ...] | None = None  # after quote removal; None if any word is dynamic
    program: str | None = None  # basename of the program; None: not known statically
    open_args: bool = False  # xargs / find -exec add arguments at run time
    words: tuple[str | None, ...] = ()  # each word's value, None where only known at run time
    opaque: bool = False  # runs code the engine did not read (a script file, a refused sh -c)


@dataclass
class ShellAnalysis:
    parsed: bool = True
    parts: list[Part] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unsafe, not tied to a simple command
    concerns: list[str] = field(default_factory=list)  # reads of secrets or outside the roots
    read_paths: list[Path] = field(default_factory=list)  # (as written, resolved) of each read
    # Files the command writes, as written: static redirect targets and the values of
    # options that write (`sort -o F`, `--output=F`); the engine's self-protection reads them.
    write_paths: list[str] = field(default_factory=list)
    push: bool = False
    network: bool = False
    irreversible: bool = False

    @property
    def read_only(self) -> bool:
        return self.parsed and not self.problems and all(p.safe for p in self.parts)

    @property
    def category(self) -> str:
        if self.push:
            return "git_push"
        if self.network:
            return "network"
        return "read" if self.read_only else "shell"

    @property
    def reason(self) -> str:
        if not self.parsed:
            return self.problems[0] if self.problems else "the command does not parse"
        for p in self.parts:
            if not p.safe:
                return f"`{p.text}`: {p.reason}"
        if self.problems:
            return self.problems[0]
        if self.concerns:
            return self.concerns[0]
        return "every part is a known read-only command"


@functools.lru_cache(maxsize=1)
def _language():
    import tree_sitter as ts
    import tree_sitter_bash as tsb

    return ts.Language(tsb.language())


def _parser():
    # A fresh parser per parse: nested parses (`sh -c '…'`) never share parser state.
    import tree_sitter as ts

    return ts.Parser(_language())


class Analyzer(NodeWalker, PathChecks):
    def __init__(self, root: Path, roots: list[Path], cwd: Path, home: Path) -> None:
        self.root, self.roots, self.home = root, roots, home
        self.cwds: list[Path] = [cwd]  # every folder the shell may be in at this point
        self.maybe_old: list[Path] = []  # where it still is if a `cd` just now failed
        self.out = ShellAnalysis()
        self.depth = 0
        self.sources: list[bytes] = []
        self.masks: list[bytearray] = []  # per source: which bytes the analysis accounted for
        self.loop_vars: dict[str, list[Word]] = {}  # `for f in …`: the values f may take

    def run(self, command: str) -> ShellAnalysis:
        self.parse_into(command)
        return self.out

    def parse_into(self, command: str) -> None:
        self.depth += 1
        try:
            if self.depth > 8:
                self.fail("shell code nested too deeply to judge")
                return
            if "\x00" in command:
                self.fail("the command contains a NUL byte")
                return
            try:
                command = join_continuations(command)
            except ContinuationError as exc:
                self.fail(f"line continuation the analyzer does not model ({exc})")
                return
            source = command.encode("utf-8", "surrogatepass")
            # tree-sitter-bash 0.25 crashes (SIGSEGV) on some non-ASCII code points. Bash's
            # metacharacters are all ASCII, so parsing a copy with every non-ASCII byte
            # replaced by a letter gives the same structure; text comes from the original.
            tree = _parser().parse(_NON_ASCII.sub(b"a", source))
            if tree.root_node.has_error:
                self.fail("the command does not parse as bash; asking rather than guessing")
                return
            self.sources.append(source)
            self.masks.append(bytearray(len(source)))
            try:
                self.node(tree.root_node)
                self.check_coverage()
            finally:
                self.sources.pop()
                self.masks.pop()
        finally:
            self.depth -= 1

    def mark(self, n) -> None:
        """Record that the analysis accounted for this node's text."""
        mask = self.masks[-1]
        mask[n.start_byte:n.end_byte] = b"\x01" * (n.end_byte - n.start_byte)

    def check_coverage(self) -> None:
        # Every non-blank byte must belong to a node the analysis looked at: tree-sitter
        # sometimes hangs words or commands where a walker would not look for them.
        source, mask = self.sources[-1], self.masks[-1]
        for i, b in enumerate(source):
            if not mask[i] and b not in b" \t\n\r":
                snippet = source[i:i + 20].decode("utf-8", "replace")
                self.fail(f"the analysis did not account for `{snippet}`; asking")
                return

    def src(self, n) -> str:
        return self.sources[-1][n.start_byte:n.end_byte].decode("utf-8", errors="replace")

    def fail(self, why: str) -> None:
        self.out.parsed = False
        self.out.problems.append(why)

    def problem(self, why: str) -> None:
        self.out.problems.append(why)

    # --- words ------------------------------------------------------------------------
    def word(self, n) -> Word:
        """Static value of a word, judging every substitution inside it on the way."""
        t = n.type
        src = self.src(n)
        self.mark(n)
        if t in ("word", "number", "test_operator", "regex", "extglob_pattern"):
            if HIDDEN_CODE.search(src):
                self.fail(f"`{src}` holds a substitution the parser did not see")
                return Word(None, src, kind="dynamic")
            if "\n" in src:
                # An unquoted newline ends a command; tree-sitter sometimes reads
                # `\\grep<newline>\\grep` as one word. Bash would not.
                self.fail("a word that spans lines; bash would split it into commands")
                return Word(None, src, kind="dynamic")
            glob = t in ("word", "extglob_pattern") and bool(GLOB.search(src) or BRACE.search(src))
            if src.startswith("~") and t == "word":
                return self.tilde(src, glob)
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=.*~", src):
                return Word(None, src, glob, kind="dynamic")  # bash expands `x=~/…` too
            return Word(unescape_unquoted(src), src, glob)
        if t == "raw_string":
            return Word(src[1:-1], src)
        if t == "ansi_c_string":
            return Word(decode_ansi_c(src[2:-1]), src)
        if t in ("command_substitution", "process_substitution"):
            self.substitution(n)
            return Word(None, src, kind="dynamic", procsub=t == "process_substitution")
        if t in ("string", "translated_string"):
            parts = [self.word(c) for c in n.named_children]
            kind = _worst(parts)
            if kind == "static":
                body = src[1:-1] if t == "string" else src[2:-1]
                if HIDDEN_CODE.search(body):
                    self.fail(f"`{src}` holds a substitution the parser did not see")
                    return Word(None, src, kind="dynamic")
                return Word(unescape_double(body), src)
            return Word(None, src, kind=kind)
        if t == "string_content":
            return Word(src, src)
        if t == "concatenation":
            parts = [self.word(c) for c in n.named_children]
            glob = any(p.glob for p in parts) or bool(BRACE.search(src))
            kind = _worst(parts)
            if kind == "static":
                return Word("".join(p.text or "" for p in parts), src, glob)
            return Word(None, src, glob, kind=kind)
        if t == "simple_expansion":
            self.secret_expansion(src)
            return Word(None, src, kind="var" if re.fullmatch(r"\$[A-Za-z_]\w*", src)
                        else "dynamic")
        if t == "expansion":
            self.secret_expansion(src)
            if re.fullmatch(r"\$\{[A-Za-z_]\w*\}", src):
                return Word(None, src, kind="var")
            if "`" in src or "$(" in src or "[" in src or src.startswith("${!") or "@" in src:
                # Backticks here are invisible to the parser; subscripts and offsets are
                # arithmetic; `${!x}` and `${x@P}` evaluate code stored in a variable.
                self.problem(f"`{src}` can run code while it expands")
            for c in n.named_children:
                self.walk_for_code(c)
            return Word(None, src, kind="dynamic")
        if t == "arithmetic_expansion":
            body = src[3:-2] if src.startswith("$((") else "["
            if not _PLAIN_ARITH.fullmatch(body) or re.search(r"[A-Za-z_]\w*\s+[\w./-]", body):
                # Subscripts evaluate code, and bash re-reads some `$((…))` as `$( (…) )`.
                self.problem(f"`{src}` is not plain arithmetic; bash may run code in it")
            for c in n.named_children:
                self.walk_for_code(c)
            return Word(None, src, kind="dynamic")
        if t == "brace_expression":
            return Word(src, src, True)  # `{1..3}`: the path checks expand it
        if t == "array":
            for c in n.named_children:
                self.word(c)
            return Word(None, src, kind="dynamic")
        self.fail(f"unsupported shell word `{t}`; asking rather than guessing")
        return Word(None, src, kind="dynamic")

    def tilde(self, src: str, glob: bool) -> Word:
        prefix, slash, rest = src.partition("/")
        if prefix == "~":
            return Word(str(self.home) + slash + unescape_unquoted(rest), src, glob)
        return Word(None, src, glob, kind="dynamic")  # ~user, ~+, ~-: not known here

    def secret_expansion(self, src: str) -> None:
        if commands.secret_variable(src):
            self.out.concerns.append(f"expands `{src}`, which looks like a secret")

    def substitution(self, n) -> None:
        # A substitution runs in a subshell: its cd stays there.
        saved = (list(self.cwds), list(self.maybe_old))
        if self.src(n).startswith("`"):
            self.parse_into(backtick_body(self.src(n)[1:-1]))
        else:
            for c in n.named_children:
                self.node(c)
        self.cwds, self.maybe_old = saved

    def walk_for_code(self, n) -> None:
        if n.type in ("command_substitution", "process_substitution"):
            self.substitution(n)
            return
        if n.type == "word" and HIDDEN_CODE.search(self.src(n)):
            self.problem(f"`{self.src(n)}` holds a substitution")
        for c in n.named_children:
            self.walk_for_code(c)

    # --- simple commands --------------------------------------------------------------
    def simple(self, env: list[tuple[str, Word]], words: list[Word], open_args: bool = False,
               depth: int = 0, appends: bool = False) -> None:
        text = " ".join([f"{k}={w.source}" for k, w in env] + [w.source for w in words])
        part = Part(text=text, open_args=open_args,
                    words=tuple(None if w.glob else w.text for w in words))
        self.out.parts.append(part)
        if words and words[0].text is not None and not words[0].glob:
            part.program = posixpath.basename(words[0].text) or None
        if all(w.text is not None and not w.glob for w in words) and not open_args:
            part.argv = tuple(w.text or "" for w in words)
        if appends:
            part.words += (None,)  # xargs appends words read at run time
        for name, value in env:
            if name not in SAFE_ENV and not name.startswith("LC_"):
                part.reason = f"sets {name} for the command (it can change what runs)"
                return
            if value.text is None:
                part.reason = f"{name} comes from a substitution"
                return
        if not words:
            part.reason = "sets shell variables"
            return
        program = words[0].text
        if program is None or words[0].glob:
            part.reason = "the program name is computed at run time"
            return
        name = program
        if "/" in name:
            part.reason = "a path-qualified program runs whatever file is there, not the known tool"
            return
        args = words[1:]
        if appends:
            args = [*args, Word(None, "…", kind="dynamic", runtime=True)]
        verdict = commands.judge(name, args, self)
        part.safe = verdict.safe
        part.reason = verdict.reason
        part.transparent = verdict.transparent
        part.alt_texts = verdict.alt_texts
        part.opaque = verdict.opaque
        self.out.push |= verdict.push
        self.out.network |= verdict.network
        self.out.irreversible |= verdict.irreversible
        if verdict.wrapped is not None and depth < 16:
            self.simple(verdict.wrapped_env, verdict.wrapped, verdict.wrapped_open or open_args,
                        depth + 1, verdict.wrapped_appends)
        if verdict.script is not None:
            saved = (list(self.cwds), list(self.maybe_old))
            self.parse_into(verdict.script)
            self.settle()
            if not verdict.script_in_current_shell:  # `sh -c`: its cd stays in the child
                self.cwds, self.maybe_old = saved


def _worst(parts: list[Word]) -> WordKind:
    kinds = {p.kind for p in parts}
    return "dynamic" if "dynamic" in kinds else "var" if "var" in kinds else "static"


def analyze(command: str, root: Path, roots: list[Path], cwd: Path, home: Path) -> ShellAnalysis:
    """Judge a Bash tool command. `roots` are the resolved project root and extra roots."""
    return Analyzer(root, roots, cwd, home).run(command)
