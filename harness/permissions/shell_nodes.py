"""The statement level of the shell analysis: which tree-sitter-bash nodes are modelled
(lists, pipelines, loops, `if`, `case`, redirections, heredocs, `[[ … ]]`), and how each
is walked. Any other node type, or an unexpected token such as a stray `;;`, asks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.permissions.shellwords import HIDDEN_CODE, Word

if TYPE_CHECKING:
    from harness.permissions.shell import ShellAnalysis

_STRUCTURE = frozenset({"program", "list", "pipeline", "compound_statement", "subshell",
                        "if_statement", "elif_clause", "else_clause", "while_statement",
                        "do_group", "negated_command"})
_SUBSHELL = frozenset({"subshell"})
_STATEMENTS = frozenset({"command", "pipeline", "list", "redirected_statement", "subshell",
                         "compound_statement", "negated_command", "if_statement",
                         "while_statement", "for_statement", "case_statement", "test_command",
                         "function_definition", "variable_assignment", "declaration_command",
                         "unset_command"})
_TOKENS = frozenset({";", "&", "&&", "||", "|", "|&", "\n", "(", ")", "{", "}", "!", "if",
                     "then", "fi", "else", "elif", "do", "done", "while", "until", "for",
                     "in", "case", "esac"})
_CASE_TOKENS = frozenset({";;", ";&", ";;&", ")", "("})
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_OUT_OPS = (">", ">>", ">|", "&>", "&>>", "<>", ">&")
_LOOP_VAR = re.compile(r'"?\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})"?')
_ARITH_TESTS = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-v"})


def redirect_extras(r) -> list:
    """Nodes tree-sitter put under a redirection that are really the command's words."""
    if r.type == "heredoc_redirect":
        return []
    targets = [c for c in r.named_children if c.type != "file_descriptor"]
    return [c for c in targets[1:] if c.type != "comment"]


class NodeWalker:
    """Mixed into `shell.Analyzer`; relies on its word(), simple(), src() and path checks."""

    out: ShellAnalysis
    # What the host (`shell.Analyzer`) provides, declared so the mixin type-checks alone.
    cwds: list[Path]
    maybe_old: list[Path]
    loop_vars: dict[str, list[Word]]

    if TYPE_CHECKING:
        def src(self, n: Any) -> str: ...
        def fail(self, why: str) -> None: ...
        def problem(self, why: str) -> None: ...
        def mark(self, n: Any) -> None: ...
        def word(self, n: Any) -> Word: ...
        def substitution(self, n: Any) -> None: ...
        def read_path(self, raw: str) -> None: ...
        def simple(self, env: list[tuple[str, Word]], words: list[Word],
                   open_args: bool = False, depth: int = 0, appends: bool = False) -> None: ...

    def settle(self) -> None:
        """Past this point a `cd` that failed did not stop anything: both folders count."""
        if self.maybe_old:
            self.cwds = list(dict.fromkeys([*self.cwds, *self.maybe_old]))
            self.maybe_old = []

    def tokens_ok(self, n, allowed=_TOKENS) -> bool:
        for c in n.children:
            if c.is_missing:
                self.fail("the command is incomplete")
                return False
            if not c.is_named:
                if c.type not in allowed:
                    self.fail(f"unexpected `{c.type}`: bash does not read this the way it looks")
                    return False
                self.mark(c)
        return True

    def node(self, n) -> None:
        t = n.type
        if t in ("comment", "function_definition", "variable_assignment", "declaration_command",
                 "unset_command"):
            self.mark(n)  # comments say nothing; the others ask whatever their words are
        if t == "comment":
            return
        if t in _STRUCTURE:
            if not self.tokens_ok(n):
                return
            if t == "pipeline" or t in _SUBSHELL:
                # Each pipeline element and a subshell run in a child shell: `cd` in them
                # does not move the commands after.
                saved = (list(self.cwds), list(self.maybe_old))
                for c in n.named_children:
                    self.node(c)
                    self.settle()
                    if t == "pipeline":
                        self.cwds = list(saved[0])
                self.cwds, self.maybe_old = saved
                return
            if t == "list":
                # `cd x && cat ../y`: the right side runs only if the cd worked. After `||`,
                # or once the list is over, a cd that failed leaves the shell where it was.
                for c in n.children:
                    if not c.is_named:
                        if c.type == "||":
                            self.settle()
                        continue
                    self.node(c)
                self.settle()
                return
            for c in n.named_children:
                self.node(c)
                self.settle()  # `cd x; cat ../y`: the cd may have failed
            return
        if t == "case_statement":
            if not self.tokens_ok(n):
                return
            for c in n.named_children:
                self.node(c) if c.type == "case_item" else self.word(c)
            return
        if t == "case_item":
            if not self.tokens_ok(n, _TOKENS | _CASE_TOKENS | {"|"}):
                return
            for c in n.named_children:
                if c.type in ("word", "string", "raw_string", "concatenation", "extglob_pattern",
                              "simple_expansion", "expansion", "number", "ansi_c_string"):
                    self.word(c)
                else:
                    self.node(c)
            return
        if t == "for_statement":
            if not self.tokens_ok(n):
                return
            before_loop = list(self.cwds)
            var = n.child_by_field_name("variable")
            if var is not None:
                self.mark(var)
            values = [self.word(c) for c in n.named_children
                      if c.type not in ("do_group", "variable_name")]
            if var is not None:
                # `for f in .env; do cat "$f"; done`: reads of "$f" are reads of each value.
                self.loop_vars[self.src(var)] = values
            for c in n.named_children:
                if c.type == "do_group":
                    self.node(c)
            self.cwds = list(dict.fromkeys([*before_loop, *self.cwds]))  # the body may not run
            return
        if t == "command":
            self.command(n)
            return
        if t == "redirected_statement":
            body = n.child_by_field_name("body")
            # tree-sitter hangs words after a redirection under it (`cat 2>/dev/null .env`);
            # bash passes them to the command.
            extra = [x for c in n.named_children if c.type in _REDIRECTS
                     for x in redirect_extras(c)]
            if extra and (body is None or body.type != "command"):
                self.fail("words after a redirection of a compound command")
                return
            if body is not None:
                self.command(body, extra) if extra else self.node(body)
            for c in n.named_children:
                if c.type in _REDIRECTS:
                    self.redirect(c)
                elif c is not body and (body is None or c.id != body.id):
                    self.fail(f"unsupported redirection form `{c.type}`")
            return
        if t == "function_definition":
            self.problem("defines a shell function (it can shadow any command)")
            body = n.child_by_field_name("body")
            if body is not None:
                self.node(body)
            return
        if t == "variable_assignment":
            self.problem("sets a shell variable (changes what later commands see)")
            self.assignment_value(n)
            return
        if t in ("declaration_command", "unset_command"):
            self.problem(f"`{self.src(n).split()[0]}` changes shell state")
            for c in n.named_children:
                self.assignment_value(c) if c.type == "variable_assignment" else self.word(c)
            return
        if t == "test_command":
            self.test_command(n)
            return
        self.fail(f"unsupported shell construct `{t}`; asking rather than guessing")

    def assignment_value(self, n) -> Word:
        name = n.child_by_field_name("name")
        if name is not None and name.type == "subscript":
            self.problem("an array subscript is evaluated as arithmetic and can run code")
        value = n.child_by_field_name("value")
        return self.word(value) if value is not None else Word("", "")

    def test_command(self, n) -> None:
        text = self.src(n)
        ops = set(re.findall(r"(?<!\S)-[a-z]{1,2}(?!\S)", text))
        if (ops & _ARITH_TESTS) and "[" in text[2:-2]:
            self.problem("`-v` or an arithmetic test with a subscript evaluates it (runs code)")
        self.walk_test(n)

    def walk_test(self, n) -> None:
        for c in n.children:
            if not c.is_named:
                self.mark(c)  # `[[`, `]]`, `==`, `&&`, `!`, `(`
        for c in n.named_children:
            if c.type in ("binary_expression", "unary_expression", "parenthesized_expression",
                          "negated_expression"):
                self.walk_test(c)
            else:
                self.word(c)

    # --- simple commands ----------------------------------------------------------------
    def command(self, n, extra: list | tuple = ()) -> None:
        env: list[tuple[str, Word]] = []
        words: list[Word] = []
        groups: list[list] = []  # words bash reads as one: adjacent nodes with no space
        for c in [*n.named_children, *extra]:
            if c.type == "comment":
                self.mark(c)
            elif c.type == "variable_assignment" and not groups:
                self.mark(c)
                name = c.child_by_field_name("name")
                env.append((self.src(name) if name else "?", self.assignment_value(c)))
                if name is not None and name.type == "subscript":
                    self.problem("an array subscript is evaluated as arithmetic")
            elif c.type in _REDIRECTS:
                self.redirect(c)
                groups += [[x] for x in redirect_extras(c)]
            else:
                node = c.named_children[0] if c.type == "command_name" and c.named_children else c
                if groups and groups[-1][-1].end_byte == c.start_byte:
                    groups[-1].append(node)
                else:
                    groups.append([node])
        for g in groups:
            parts = [self.word(x) for x in g]
            if len(parts) == 1:
                words.append(parts[0])
            elif all(p.text is not None for p in parts):
                words.append(Word("".join(p.text or "" for p in parts),
                                  "".join(p.source for p in parts), any(p.glob for p in parts)))
            else:
                words.append(Word(None, "".join(p.source for p in parts), kind="dynamic"))
        for k, w in enumerate(words):
            m = _LOOP_VAR.fullmatch(w.source)
            values = self.loop_vars.get(m.group(1) or m.group(2)) if m else None
            if values and all(v.text is not None and not v.glob for v in values):
                # `for b in main dev; do git log "$b"; done`: judge it once per value.
                for v in values:
                    self.simple(env, [*words[:k], Word(v.text, v.source), *words[k + 1:]])
                return
        self.simple(env, words)

    def redirect(self, r) -> None:
        if r.type == "heredoc_redirect":
            self.heredoc(r)
            return
        if r.type == "herestring_redirect":
            for c in r.children:
                if not c.is_named or c.type == "file_descriptor":
                    self.mark(c)
            if r.named_children:
                self.word(r.named_children[0])
            return
        for c in r.children:
            if not c.is_named or c.type == "file_descriptor":
                self.mark(c)
        ops = [c.type for c in r.children if not c.is_named]
        op = ops[0] if ops else ">"
        if op in (">&-", "<&-"):
            return  # closes a descriptor
        targets = [c for c in r.named_children if c.type != "file_descriptor"]
        dest = targets[0] if targets else None
        w = self.word(dest) if dest is not None else Word(None, "", kind="dynamic")
        if op in (">&", "<&") and w.text is not None and (w.text.isdigit() or w.text == "-"):
            return
        if w.text is None or w.glob:
            self.problem(f"the redirection target of `{self.src(r)}` is only known at run time")
            return
        if op == "<":
            self.read_path(w.text)
            return
        if w.text in ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/fd/1", "/dev/fd/2"):
            return
        if op in _OUT_OPS or op == "<&":
            self.out.write_paths.append(w.text)
            self.problem(f"redirects output into a file (`{self.src(r)}`)")
            self.out.irreversible = True  # may truncate data nothing else has a copy of
            return
        self.fail(f"unsupported redirection `{op}`")

    def heredoc(self, r) -> None:
        if not self.tokens_ok(r, _TOKENS | {"<<", "<<-"}):
            return
        for c in r.children:
            if c.type in ("heredoc_start", "heredoc_body", "heredoc_end", "file_descriptor"):
                self.mark(c)
        start = next((c for c in r.named_children if c.type == "heredoc_start"), None)
        quoted = start is not None and any(q in self.src(start) for q in "'\"\\")
        for c in r.named_children:
            if c.type == "heredoc_body" and not quoted:
                body = self.src(c)
                if HIDDEN_CODE.search(body) and ("`" in body or "$[" in body):
                    self.problem("the heredoc body runs backtick or arithmetic code")
                for sub in c.named_children:
                    if sub.type in ("command_substitution", "process_substitution"):
                        self.substitution(sub)
                    elif sub.type == "expansion":
                        self.word(sub)
                    elif sub.type == "arithmetic_expansion":
                        self.problem("the heredoc body expands arithmetic (can run code)")
            elif c.type in _REDIRECTS:
                self.redirect(c)
            elif c.type in _STATEMENTS:
                # tree-sitter hangs the rest of the line under the heredoc: `cat <<EOF | sh`,
                # `cat <<EOF && rm x`. Bash runs those commands.
                self.node(c)
            elif c.type not in ("heredoc_start", "heredoc_body", "heredoc_end"):
                self.fail(f"`{self.src(c)}` after a heredoc operator; asking rather than guessing")
