"""Bash's word-level rules, done the way bash does them: line continuation before parsing,
quote removal, ANSI-C `$'…'` decoding, backtick bodies, and the static value of a word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# static: the value is known; var: plain `$NAME` expansions (value from the environment);
# dynamic: command substitution, operators in `${…}`, `~user`, … (unknown, may run code)
WordKind = Literal["static", "var", "dynamic"]


@dataclass
class Word:
    text: str | None  # value after quote removal; None when it depends on run time
    source: str
    glob: bool = False  # unquoted glob or brace expansion: becomes unseen arguments
    kind: WordKind = "static"
    runtime: bool = False  # added by xargs/find -exec: arguments read at run time
    procsub: bool = False  # `<(…)`: becomes /dev/fd/N, never an option


class ContinuationError(ValueError):
    pass


def join_continuations(text: str) -> str:
    """Remove backslash-newline where bash's input reader would: not inside single quotes
    or `$'…'`, not in a comment, not after an escaped backslash, not in the body of a
    heredoc with a quoted delimiter. Raises when the text is not balanced."""
    if "\\\n" not in text:
        return text
    pending: list[tuple[str, bool, bool]] = []  # heredocs whose bodies start at the next line
    out: list[str] = []
    stack: list[str] = ["N"]  # N: normal (with paren depth), S, A ($'), D, B (backtick), P
    depth = [0]
    i, n = 0, len(text)
    word_start = True
    while i < n:
        c, top = text[i], stack[-1]
        nxt = text[i + 1] if i + 1 < n else ""
        if top in ("S", "A"):
            if top == "A" and c == "\\" and nxt:
                out += [c, nxt]
                i += 2
                continue
            out.append(c)
            if c == "'":
                stack.pop()
            i += 1
            continue
        if top == "B" and c not in "\\`":
            out.append(c)  # bash reads a backtick body as plain text first
            i += 1
            continue
        if c == "\\":
            if nxt == "\n":
                i += 2
                continue
            out += [c, nxt]
            i += 2
            word_start = False
            continue
        if top in ("N", "P") and text.startswith("<<<", i):
            out.append("<<<")  # a here-string, not a heredoc
            i += 3
            continue
        if top in ("N", "P") and text.startswith("<<", i):
            j = _heredoc_word(text, i, pending)
            out.append(text[i:j])
            i = j
            word_start = False
            continue
        if top in ("N", "P") and c == "\n" and pending:
            out.append(c)
            i = _heredoc_bodies(text, i + 1, pending, out)
            pending = []
            word_start = True
            continue
        if top in ("N", "P") and c == "#" and word_start:
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
            continue
        out.append(c)
        i += 1
        if c == "$" and nxt == "'" and top != "D":
            out.append("'")
            i += 1
            stack.append("A")
        elif c == "$" and nxt == "(":
            out.append("(")
            i += 1
            stack.append("P")
            depth.append(0)
        elif c == "$" and nxt == "{":
            out.append("{")
            i += 1
            stack.append("E")
        elif c == "'" and top in ("N", "P", "E"):
            stack.append("S")
        elif c == '"' and top != "D":
            stack.append("D")
        elif c == '"' and top == "D":
            stack.pop()
        elif c == "`":
            if top == "B":
                stack.pop()
            else:
                stack.append("B")
        elif c == "}" and top == "E":
            stack.pop()
        elif c == "(" and top in ("N", "P"):
            depth[-1] += 1
        elif c == ")" and top in ("N", "P"):
            if depth[-1] == 0:
                if top != "P":
                    raise ContinuationError("unbalanced parenthesis")
                stack.pop()
                depth.pop()
            else:
                depth[-1] -= 1
        word_start = c in " \t\n;&|()<>" and top in ("N", "P")
    if stack != ["N"]:
        raise ContinuationError("unterminated quote or substitution")
    return "".join(out)


def _heredoc_word(text: str, i: int, pending: list[tuple[str, bool, bool]]) -> int:
    """Read `<<[-]WORD` at i; note its delimiter; return the index after it."""
    j = i + 2
    dash = text.startswith("-", j)
    j += dash
    while j < len(text) and text[j] in " \t":
        j += 1
    word, quoted = [], False
    while j < len(text) and text[j] not in " \t\n;&|<>()":
        c = text[j]
        if c in "'\"":
            end = text.find(c, j + 1)
            if end < 0:
                raise ContinuationError("unterminated heredoc delimiter")
            word.append(text[j + 1:end])
            quoted, j = True, end + 1
        elif c == "\\" and j + 1 < len(text):
            word.append(text[j + 1])
            quoted, j = True, j + 2
        else:
            word.append(c)
            j += 1
    pending.append(("".join(word), quoted, dash))
    return j


def _heredoc_bodies(text: str, i: int, pending: list[tuple[str, bool, bool]],
                    out: list[str]) -> int:
    """Copy heredoc bodies from i; unquoted ones get their continuations joined like bash."""
    for delim, quoted, dash in pending:
        while i < len(text):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            line = text[i:end]
            while not quoted and _odd_backslashes(line) and end < len(text):
                nxt = text.find("\n", end + 1)
                nxt = len(text) if nxt < 0 else nxt
                line, end = line[:-1] + text[end + 1:nxt], nxt
            out.append(line + ("\n" if end < len(text) else ""))
            i = end + 1
            if (line.lstrip("\t") if dash else line) == delim:
                break
    return min(i, len(text))


def _odd_backslashes(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


_SIMPLE_ESC = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
               "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def decode_ansi_c(body: str) -> str:
    """The value of `$'body'` by bash's rules (lib/sh/strtrans.c, ansicstr)."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        i += 2
        if e in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[e])
        elif e in "01234567":
            j = i - 1
            while i < n and i - j < 3 and body[i] in "01234567":
                i += 1
            out.append(chr(int(body[j:i], 8) & 0xFF))
        elif e in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[e]
            j = i
            while i < n and i - j < limit and body[i] in "0123456789abcdefABCDEF":
                i += 1
            if i == j:
                out.append("\\" + e)
            else:
                value = int(body[j:i], 16)
                out.append(chr(value) if value < 0x110000 else "\ufffd")
        elif e == "c" and i < n:
            ch = body[i]
            i += 1
            if ch == "\\" and i < n and body[i] == "\\":
                i += 1
            out.append(chr(ord(ch.upper() if ch.isalpha() else ch) & 0x1F) if ch != "?"
                       else "\x7f")
        else:
            out.append("\\" + e)
    # Bash strings are C strings: `$'/etc/passwd\0/../x'` is `/etc/passwd`.
    return "".join(out).split("\x00", 1)[0]


def expand_braces(text: str, limit: int = 64) -> list[str] | None:
    """Bash brace expansion of an unquoted word (`{a,b}`, `{1..3}`, nested); None when it
    is too big or too odd to enumerate."""
    m = _BRACE_INNER.search(text)
    if m is None:
        return [text]
    pre, body, post = text[:m.start()], m.group(1), text[m.end():]
    rng = re.fullmatch(r"(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.-?\d+)?", body)
    if rng:
        a, b = rng.group(1), rng.group(2)
        if a.lstrip("-").isdigit() and b.lstrip("-").isdigit():
            lo, hi = int(a), int(b)
            step = 1 if hi >= lo else -1
            items = [str(k) for k in range(lo, hi + step, step)]
        elif a.isalpha() and b.isalpha():
            step = 1 if ord(b) >= ord(a) else -1
            items = [chr(k) for k in range(ord(a), ord(b) + step, step)]
        else:
            return None
    elif "," in body:
        items = body.split(",")
    else:
        return None
    if len(items) > limit:
        return None
    out: list[str] = []
    for item in items:
        rest = expand_braces(pre + item + post, limit)
        if rest is None or len(out) + len(rest) > limit:
            return None
        out += rest
    return out


_BRACE_INNER = re.compile(r"\{([^{}]*)\}")


def unescape_unquoted(src: str) -> str:
    return re.sub(r"\\(.)", r"\1", src, flags=re.DOTALL)


def unescape_double(src: str) -> str:
    return re.sub(r"\\([\\$`\"\n])", lambda m: "" if m.group(1) == "\n" else m.group(1), src)


def backtick_body(src: str) -> str:
    """Inside `…`, a backslash quotes only `\\`, `` ` `` and `$` (then the body is parsed)."""
    return re.sub(r"\\([\\`$])", r"\1", src)


_UNESCAPED = r"(?<!\\)(?:\\\\)*"
# Substitutions or expansions inside a leaf word: tree-sitter did not see them.
HIDDEN_CODE = re.compile(_UNESCAPED + r"(`|\$\(|\$\{|\$\[|[<>]\()")
GLOB = re.compile(_UNESCAPED + r"[*?\[]|[@!+]\(")
BRACE = re.compile(r"\{[^{}]*(,|\.\.)[^{}]*\}")
