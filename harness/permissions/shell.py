"""Shell commands judged by what bash will run: tree-sitter-bash parses the command into
simple commands (through lists, pipelines, subshells, substitutions, heredocs and wrappers);
each is checked against the read-only table in `commands.py`."""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.permissions import commands
from harness.permissions.paths import inside, is_secret, resolve

_GLOB = re.compile(r"(?<!\\)[*?\[]")
_BRACE = re.compile(r"\{[^{}]*(,|\.\.)[^{}]*\}")
# Environment prefixes that change neither what runs nor where output goes.
SAFE_ENV = frozenset({"LANG", "LANGUAGE", "TZ", "NO_COLOR", "CLICOLOR", "FORCE_COLOR",
                      "COLUMNS", "LINES", "TERM"})
_SECRET_VAR = re.compile(r"(TOKEN|SECRET|PASSW|API_?KEY|PRIVATE|CREDENTIAL|AUTH)", re.I)
_STRUCTURE = frozenset({"program", "list", "pipeline", "compound_statement", "subshell",
                        "if_statement", "elif_clause", "else_clause", "while_statement",
                        "do_group", "negated_command", "case_item"})
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_PLAIN_ARITH = re.compile(r"[\w\s+\-*/%<>=!&|^~?:,()$]*")
_WORDS = frozenset({"word", "string", "raw_string", "concatenation", "simple_expansion",
                    "expansion", "number", "extglob_pattern", "ansi_c_string"})
_OUT_OPS = (">", ">>", ">|", "&>", "&>>", "<>", ">&")


@dataclass
class Word:
    text: str | None  # value after quote removal; None when it depends on run time
    source: str
    glob: bool = False  # unquoted glob or brace expansion: becomes unseen arguments


@dataclass
class Part:
    """One simple command: what allow/deny rules are matched against."""

    text: str
    alt_texts: tuple[str, ...] = ()
    safe: bool = False
    reason: str = ""
    transparent: bool = False  # a benign wrapper whose wrapped command is its own part


@dataclass
class ShellAnalysis:
    parsed: bool = True
    parts: list[Part] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unsafe, not tied to a simple command
    concerns: list[str] = field(default_factory=list)  # reads of secrets or outside the roots
    read_paths: list[Path] = field(default_factory=list)  # (as written, resolved) of each read
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


class Analyzer:
    def __init__(self, root: Path, roots: list[Path], cwd: Path, home: Path) -> None:
        self.root, self.roots, self.cwd, self.home = root, roots, cwd, home
        self.out = ShellAnalysis()
        self.depth = 0
        self.sources: list[bytes] = []

    # --- entry ------------------------------------------------------------------------
    def run(self, command: str) -> ShellAnalysis:
        self.parse_into(command)
        return self.out

    def parse_into(self, command: str) -> None:
        self.depth += 1
        if self.depth > 8:
            self.fail("shell code nested too deeply to judge")
            return
        if "\x00" in command:
            self.fail("the command contains a NUL byte")
            return
        # Bash joins backslash-newline before it splits words; tree-sitter does not.
        source = command.replace("\\\n", "").encode("utf-8", "surrogatepass")
        # tree-sitter-bash 0.25 crashes (SIGSEGV) on some non-ASCII code points. Bash's
        # metacharacters are all ASCII, so parsing a copy with every non-ASCII byte replaced
        # by a letter gives the same structure; text is always read from the original bytes.
        ascii_copy = _NON_ASCII.sub(b"a", source)
        tree = _parser().parse(ascii_copy)
        if tree.root_node.has_error:
            self.fail("the command does not parse as bash; asking rather than guessing")
            return
        self.sources.append(source)
        try:
            self.node(tree.root_node)
        finally:
            self.sources.pop()
        self.depth -= 1

    def src(self, n) -> str:
        return self.sources[-1][n.start_byte:n.end_byte].decode("utf-8", errors="replace")

    def fail(self, why: str) -> None:
        self.out.parsed = False
        self.out.problems.append(why)

    def problem(self, why: str) -> None:
        self.out.problems.append(why)

    # --- statements -------------------------------------------------------------------
    def node(self, n) -> None:
        t = n.type
        if t == "comment":
            return
        if t == "case_item":
            for c in n.named_children:
                if c.type in _WORDS:
                    self.word(c)
                else:
                    self.node(c)
            return
        if t in _STRUCTURE:
            for c in n.named_children:
                self.node(c)
            return
        if t == "case_statement":
            for c in n.named_children:
                if c.type == "case_item":
                    self.node(c)
                else:
                    self.word(c)
            return
        if t == "for_statement":
            for c in n.named_children:
                if c.type == "do_group":
                    self.node(c)
                elif c.type != "variable_name":
                    self.word(c)
            return
        if t == "command":
            self.command(n)
            return
        if t == "redirected_statement":
            body = n.child_by_field_name("body")
            if body is not None:
                self.node(body)
            for c in n.children_by_field_name("redirect"):
                self.redirect(c, body)
            return
        if t == "function_definition":
            self.problem("defines a shell function (it can shadow any command)")
            body = n.child_by_field_name("body")
            if body is not None:
                self.node(body)
            return
        if t == "variable_assignment":
            self.problem("sets a shell variable (changes what later commands see)")
            self.word_children(n)
            return
        if t in ("declaration_command", "unset_command"):
            self.problem(f"`{self.src(n).split()[0]}` changes shell state")
            self.word_children(n)
            return
        if t == "test_command":
            text = self.src(n)
            if "$(" in text or "`" in text or re.search(r"\[[^\]]*\]", text[2:-2]):
                self.problem("a test with substitutions or subscripts can run code")
            self.word_children(n)
            return
        self.fail(f"unsupported shell construct `{t}`; asking rather than guessing")

    def word_children(self, n) -> None:
        for c in n.named_children:
            self.word(c)

    def redirect(self, r, body) -> None:
        if r.type == "heredoc_redirect":
            self.heredoc(r, body)
            return
        if r.type == "herestring_redirect":
            self.word_children(r)
            return
        ops = [c.type for c in r.children if not c.is_named]
        op = ops[0] if ops else ">"
        dest = r.child_by_field_name("destination")
        w = self.word(dest) if dest is not None else Word(None, "")
        if op in ("<", "<&"):
            if w.text is not None and op == "<":
                self.read_path(w.text)
            return
        if op in (">&", "<&") and w.text is not None and (w.text.isdigit() or w.text == "-"):
            return
        if w.text == "/dev/null":
            return
        if op in _OUT_OPS:
            self.problem(f"redirects output into a file (`{self.src(r)}`)")
            self.out.irreversible = True  # may truncate data nothing else has a copy of

    def heredoc(self, r, body) -> None:
        start = next((c for c in r.named_children if c.type == "heredoc_start"), None)
        quoted = start is not None and any(q in self.src(start) for q in "'\"\\")
        for c in r.named_children:
            if c.type == "heredoc_body" and not quoted:
                for sub in c.named_children:
                    if sub.type in ("command_substitution", "process_substitution"):
                        self.substitution(sub)
                    elif sub.type == "expansion" and "$(" in self.src(sub):
                        self.problem("the heredoc body expands code")
            elif c.type in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                self.redirect(c, body)

    # --- words ------------------------------------------------------------------------
    def substitution(self, n) -> None:
        for c in n.named_children:
            self.node(c)

    def word(self, n) -> Word:
        """Static value of a word, judging every substitution inside it on the way."""
        t = n.type
        src = self.src(n)
        if t in ("word", "number", "test_operator", "regex", "extglob_pattern"):
            glob = t == "word" and bool(_GLOB.search(src) or _BRACE.search(src))
            return Word(_unescape(src), src, glob)
        if t == "raw_string":
            return Word(src[1:-1], src)
        if t == "ansi_c_string":
            try:
                return Word(codecs.decode(src[2:-1], "unicode_escape"), src)
            except UnicodeDecodeError:
                return Word(None, src)
        if t in ("command_substitution", "process_substitution"):
            self.substitution(n)
            return Word(None, src)
        if t == "string":
            parts = [self.word(c) for c in n.named_children]
            if all(p.text is not None for p in parts):
                return Word(_unescape_dq(src[1:-1]), src)
            return Word(None, src)
        if t == "string_content":
            return Word(src, src)
        if t == "concatenation":
            parts = [self.word(c) for c in n.named_children]
            glob = any(p.glob for p in parts) or bool(_BRACE.search(src))
            if all(p.text is not None for p in parts):
                return Word("".join(p.text or "" for p in parts), src, glob)
            return Word(None, src, glob)
        if t in ("simple_expansion", "expansion"):
            if src.startswith("${!") or "@P" in src or "@E" in src:
                # Indirection evaluates the named variable's subscript; @P runs `$(…)` in it.
                self.problem(f"`{src}` can evaluate code stored in a variable")
            if _SECRET_VAR.search(src):
                self.out.concerns.append(f"expands `{src}`, which looks like a secret")
            for c in n.named_children:
                self._walk_for_code(c)
            return Word(None, src)
        if t == "arithmetic_expansion":
            # Subscripts evaluate code, and bash re-reads some `$((…))` as `$( (…) )`.
            if not _PLAIN_ARITH.fullmatch(src[3:-2]):
                self.problem(f"`{src}` is not plain arithmetic; bash may run code in it")
            for c in n.named_children:
                self._walk_for_code(c)
            return Word(None, src)
        if t in ("array",):
            for c in n.named_children:
                self.word(c)
            return Word(None, src)
        self._walk_for_code(n)
        return Word(None, src)

    def _walk_for_code(self, n) -> None:
        if n.type in ("command_substitution", "process_substitution"):
            self.substitution(n)
            return
        if n.type == "subscript" and not self.src(n).isidentifier():
            idx = n.child_by_field_name("index")
            if idx is not None and idx.type not in ("number", "word"):
                self.problem("an array subscript is evaluated as arithmetic and can run code")
        for c in n.named_children:
            self._walk_for_code(c)

    # --- simple commands --------------------------------------------------------------
    def command(self, n) -> None:
        env: list[tuple[str, Word]] = []
        words: list[Word] = []
        for c in n.named_children:
            if c.type == "variable_assignment":
                var = c.child_by_field_name("name")
                value = c.child_by_field_name("value")
                wv = self.word(value) if value is not None else Word("", "")
                env.append((self.src(var) if var else "?", wv))
            elif c.type in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                self.redirect(c, n)
            elif c.type == "command_name":
                inner = c.named_children[0] if c.named_children else c
                words.append(self.word(inner))
            else:
                words.append(self.word(c))
        self.simple(env, words)

    def simple(self, env: list[tuple[str, Word]], words: list[Word], wrapped: bool = False) -> None:
        text = " ".join([f"{k}={w.source}" for k, w in env] + [w.source for w in words])
        part = Part(text=text)
        self.out.parts.append(part)
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
        verdict = commands.judge(name, words[1:], self)
        part.safe = verdict.safe
        part.reason = verdict.reason
        part.transparent = verdict.transparent
        part.alt_texts = verdict.alt_texts
        if verdict.push:
            self.out.push = True
        if verdict.network:
            self.out.network = True
        if verdict.irreversible:
            self.out.irreversible = True
        if verdict.wrapped is not None:
            self.simple(verdict.wrapped_env, verdict.wrapped, wrapped=True)
        if verdict.script is not None:
            self.parse_into(verdict.script)

    # --- path checks used by the command table ----------------------------------------
    def read_path(self, raw: str) -> None:
        rp = resolve(raw, self.cwd, self.home)
        self.out.read_paths += [rp.lexical, rp.real]
        if is_secret(rp):
            self.out.concerns.append(f"reads `{raw}`, which looks like a secret")
        elif not inside(rp.real, self.roots):
            self.out.concerns.append(f"reads `{raw}`, outside the project")

    def change_dir(self, raw: str | None) -> str | None:
        if raw is None:
            return "cd to a computed folder"
        rp = resolve(raw, self.cwd, self.home)
        if not inside(rp.real, self.roots):
            self.out.concerns.append(f"goes to `{raw}`, outside the project")
        else:
            self.cwd = rp.real
        return None


def _unescape(src: str) -> str:
    return re.sub(r"\\(.)", r"\1", src, flags=re.DOTALL)


def _unescape_dq(src: str) -> str:
    return re.sub(r"\\([\\$`\"])", r"\1", src)


def analyze(command: str, root: Path, roots: list[Path], cwd: Path, home: Path) -> ShellAnalysis:
    """Judge a Bash tool command. `roots` are the resolved project root and extra roots."""
    return Analyzer(root, roots, cwd, home).run(command)
