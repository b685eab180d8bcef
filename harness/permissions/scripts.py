"""Little languages inside arguments: sed programs read the way GNU sed's compile.c reads
them, and awk programs scanned for output redirection, pipes, `system` and `getline`."""

from __future__ import annotations

import re

_SED_NO_ARG = set("=dDgGhHlnNpPqQxzFL")  # commands with no text argument
_SED_INT_ARG = set("lLqQ")  # optional number after the command


def sed_program(script: str) -> str | None:
    """The problem with a sed program, or None if it only prints. GNU sed semantics: a
    label (`:`, `b`, `t`, `T`) ends at whitespace or `;`; `a`/`i`/`c` text runs to the end
    of the line; `r R w W` take a file name to the end of the line; `e` runs a command."""
    i, n = 0, len(script)

    def skip_ws(j: int) -> int:
        while j < n and script[j] in " \t":
            j += 1
        return j

    def delimited(j: int) -> int:
        """j is at the delimiter; return the index after the closing one."""
        if j >= n or script[j] in "\n\\":
            raise ValueError("bad delimiter")
        delim = script[j]
        j += 1
        while j < n and script[j] != delim:
            if script[j] == "\\":
                j += 1
            elif script[j] == "\n" and delim != "\n":
                raise ValueError("newline in a regex")
            j += 1
        if j >= n:
            raise ValueError("unterminated")
        return j + 1

    def to_eol(j: int) -> tuple[str, int]:
        k = script.find("\n", j)
        k = n if k < 0 else k
        return script[j:k], k

    def address(j: int) -> int:
        if j < n and script[j] == "/":
            j = delimited(j)
            while j < n and script[j] in "IM":
                j += 1
        elif j < n and script[j] == "\\":
            j = delimited(j + 1)
            while j < n and script[j] in "IM":
                j += 1
        elif j < n and script[j] == "$":
            j += 1
        elif j < n and (script[j].isdigit() or script[j] in "+~"):
            j += 1
            while j < n and (script[j].isdigit() or script[j] == "~"):
                j += 1
        return j

    try:
        while i < n:
            i = skip_ws(i)
            if i >= n:
                break
            c = script[i]
            if c in ";\n":
                i += 1
                continue
            if c == "#":
                _, i = to_eol(i)
                continue
            start = i
            i = address(i)
            if i > start:
                i = skip_ws(i)
                if i < n and script[i] == ",":
                    i = address(skip_ws(i + 1))
                i = skip_ws(i)
            while i < n and script[i] == "!":
                i = skip_ws(i + 1)
            if i >= n:
                return "a sed address without a command"
            c = script[i]
            i += 1
            if c in "{}":
                continue
            if c in ":btT":
                i = skip_ws(i)
                # Stop at every character that might end it: more commands get checked.
                while i < n and script[i] not in " \t\n;}#":
                    i += 1
                continue
            if c in "aic":
                line, i = to_eol(i)
                while line.endswith("\\") and i < n:
                    line, i = to_eol(i + 1)
                continue
            if c in "wWerR":
                return f"the sed `{c}` command reads or writes a file or runs a command"
            if c == "v":
                while i < n and script[i] not in " \t\n;}":
                    i += 1
                continue
            if c in "sy":
                i = delimited(i)  # the regex (or source set)
                i -= 1  # the closing delimiter opens the replacement
                i = delimited(i)
                if c == "s":
                    while i < n and script[i] not in " \t\n;}#":
                        flag = script[i]
                        if flag in "we":
                            return ("the sed s///w or s///e flag writes a file or runs a "
                                    "command")
                        if not (flag.isdigit() or flag in "gpiImM"):
                            return f"unknown sed s flag `{flag}`"
                        i += 1
                continue
            if c in _SED_NO_ARG:
                if c in _SED_INT_ARG:
                    i = skip_ws(i)
                    while i < n and script[i].isdigit():
                        i += 1
                continue
            return f"the sed `{c}` command is not known to be read-only"
    except ValueError as exc:
        return f"the sed program does not parse ({exc})"
    return None


_AWK_TOKEN = re.compile(
    r'"(?:\\.|[^"\\])*"'  # string literal
    r"|/(?:\\.|[^/\\\n])+/"  # regex literal (where a regex may start; see below)
    r"|[A-Za-z_][A-Za-z0-9_]*"
    r"|>>|>|\|\||\||&&|[(){};\n]"
    r"|\S", re.S)
_AWK_GO_ON = frozenset({",", "&&", "||", "\\", "do", "else"})  # a newline after these continues
_AWK_FORBIDDEN = frozenset({"system", "getline", "ENVIRON", "ARGV", "ARGC", "PROCINFO",
                            "close", "fflush"})


def awk_problem(program: str) -> str | None:
    """A `>`, `>>` or `|` inside a print/printf statement at paren depth 0 redirects its
    output; anywhere else `>` compares. system(), getline and ENVIRON ask."""
    if "@" in program:
        return "gawk `@` directives and indirect calls can load or run code"
    in_print = False
    depth = 0
    prev = ""
    for m in _AWK_TOKEN.finditer(program):
        tok = m.group(0)
        if tok.startswith("/") and len(tok) > 1 and prev and (
                prev[-1].isalnum() or prev in (")", "]") or prev[0] == '"'):
            # after an operand, `/` divides: re-scan it as one character
            tok = "/"
        if tok in _AWK_FORBIDDEN:
            return f"the awk program uses `{tok}` (runs commands, reads files or the environment)"
        if tok in ("print", "printf"):
            in_print, depth = True, 0
        elif tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif tok in (";", "}", "{") or (tok == "\n" and depth <= 0 and prev not in _AWK_GO_ON):
            in_print = False
        elif tok in (">", ">>", "|") and (in_print and depth <= 0):
            return "the awk program redirects output into a file or a command"
        elif tok == "|":
            return "the awk program pipes into a command"
        prev = tok
    return None
