"""git on the command line: global options, then a subcommand read with its option table
from `options/git.py` (unique prefixes and `--no-` forms, as parse-options reads them).
Push anywhere is a push; operands naming secrets (`HEAD:.env`) are secret reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.permissions import getopt
from harness.permissions.options import git as G
from harness.permissions.paths_extra import secret_pathspec

if TYPE_CHECKING:
    from harness.permissions.commands import Verdict
    from harness.permissions.shell import Analyzer, Word

NETWORK_SUBCOMMANDS = frozenset({"fetch", "pull", "clone", "ls-remote", "submodule",
                                 "archive", "request-pull", "send-email", "svn", "remote"})
_DIGITS = frozenset({"log", "show", "whatchanged", "shortlog", "rev-list", "grep"})
DESTRUCTIVE = frozenset({"clean", "gc", "prune", "filter-branch", "restore", "rm"})


def _table(spec: str, sub: str) -> getopt.OptionTable:
    return getopt.table(spec, digits=sub in _DIGITS, negatable=True)


def judge_git(args: list[Word], an: Analyzer) -> Verdict:
    from harness.permissions.commands import no, ok

    texts = [a.text for a in args]
    i, problem = 0, None
    while i < len(texts):
        t = texts[i]
        if t is None:
            return no("a git argument only known at run time")
        if not t.startswith("-"):
            break
        opt, eq, _ = t.partition("=")
        if opt in G.GLOBAL_WITH_VALUE:
            value = t[len(opt) + 1:] if eq else (texts[i + 1] if i + 1 < len(texts) else None)
            i += 1 if eq else 2
            if opt == "-C":
                if value is None:
                    return no("git -C to a folder only known at run time")
                an.read_path(value)
            elif opt != "--exec-path" or eq or value is not None:
                problem = problem or f"git {opt} can point git elsewhere or make it run a program"
            continue
        if t not in G.GLOBAL_SAFE:
            problem = problem or f"git global option `{t}` (a pager, a bare repo…) asks"
        i += 1
    sub = texts[i] if i < len(texts) else None
    rest = args[i + 1:]
    alts = (" ".join(["git", *[x or "" for x in texts[i:]]]),)
    if sub == "push" or (sub == "submodule" and any(w.text == "push" for w in rest)):
        return no("git push publishes commits", push=True, irreversible=True, alt_texts=alts)
    if problem:
        return no(problem, alt_texts=alts, network=sub in NETWORK_SUBCOMMANDS)
    if sub is None:
        return ok("git without a subcommand prints help")
    verdict = _subcommand(sub, rest, an)
    verdict.alt_texts = alts
    return verdict


def _subcommand(sub: str, rest: list[Word], an: Analyzer) -> Verdict:
    from harness.permissions.commands import no, ok

    texts = [w.text for w in rest]
    first = texts[0] if texts else None
    if sub == "remote":
        if not texts or texts in (["-v"], ["--verbose"]):
            return ok("git remote lists remotes")
        if first == "get-url":
            return _read(sub, "|push |all", rest[1:], an, operands="names")
        return no("git remote with this action may contact or change remotes",
                  network=first in ("show", "update", "prune"))
    if sub == "branch":
        return _read(sub, G.BRANCH, rest, an, operands="patterns")
    if sub == "tag":
        return _read(sub, G.TAG, rest, an, operands="patterns")
    if sub == "stash":
        if first == "list":
            return _read(sub, G.DIFF + " " + G.REVS, rest[1:], an)
        if first == "show":
            return _read(sub, G.STASH_SHOW, rest[1:], an)
        return no("git stash changes the work tree")
    if sub == "worktree":
        if first == "list":
            return _read(sub, G.WORKTREE_LIST, rest[1:], an, operands="none")
        return no("git worktree changes worktrees")
    if sub == "reflog":
        if first in ("show", None) or (first or "").startswith("-"):
            return _read(sub, G.DIFF + " " + G.REVS, rest[1:] if first == "show" else rest, an)
        if first == "exists":
            return _read(sub, "", rest[1:], an, operands="names")
        return no("git reflog with this action changes the reflog")
    if sub == "config":
        return _config(rest, an)
    if sub == "help" and any(t is None or not t.startswith("-") for t in texts):
        return no("git help TOPIC opens a manual viewer or a browser")
    spec = G.SUBCOMMANDS.get(sub)
    if spec is None:
        if sub in NETWORK_SUBCOMMANDS:
            return no(f"git {sub} contacts a remote", network=True)
        destructive = sub in DESTRUCTIVE or (sub == "reset" and "--hard" in texts) or (
            sub in ("checkout", "switch") and any(t in ("--", "-f", "--force") for t in texts))
        return no(f"git {sub} changes the repository or is not known to be read-only",
                  irreversible=destructive)
    return _read(sub, spec, rest, an)


def _read(sub: str, spec: str, rest: list[Word], an: Analyzer,
          operands: str = "revs_paths") -> Verdict:
    from harness.permissions.commands import no, ok

    p = getopt.parse(_table(spec, sub), rest, f"git {sub}")
    if p.problem:
        return no(p.problem)
    danger = getopt.first_danger(p)
    for opt, value, _ in p.options:
        if opt.danger and value:
            an.out.write_paths.append(value)  # `git log --output=F`
    if danger is not None:
        return no(f"git {sub} `--{danger.name}` writes a file, runs a program or changes "
                  "the repository" if len(danger.name) > 1 else
                  f"git {sub} `-{danger.name}` writes a file, runs a program or changes "
                  "the repository")
    for opt, value, _ in p.options:
        if opt.kind == "file":
            if value is None:
                return no(f"git {sub} reads a file only known at run time")
            if value != "-":
                an.read_path(value)
        elif value and opt.name in ("L", "reverse", "path", "with-tree") and ":" in value:
            _pathspec(value.split(":", 1)[1] if opt.name == "L" else value, an)
    ops = p.operands
    if operands == "none" and ops:
        return no(f"git {sub} with an operand does more than list")
    if operands == "patterns":
        if ops and not p.has("list", "l", "contains", "merged", "points-at", "no-contains",
                             "no-merged"):
            return no(f"git {sub} with a name creates a {sub}")
        return ok(f"git {sub} lists")
    for w in ops:
        if w.text is None:
            continue
        _pathspec(w.text, an)
        if not w.text.startswith(":") and ":" not in w.text and (
                "/" in w.text or w.text.startswith(".")):
            an.read_path(w.text)
    return ok(f"git {sub} only reads")


def _pathspec(text: str, an: Analyzer) -> None:
    if secret_pathspec(text):
        an.out.concerns.append(f"reads `{text}` (or its history), which looks like a secret")


def _config(rest: list[Word], an: Analyzer) -> Verdict:
    from harness.permissions.commands import no, ok

    texts = [w.text for w in rest]
    if texts[:1] in (["get"], ["list"]):
        # git 2.46 subcommand form; older gits read `get` as a key name: also a read.
        return _read("config", G.CONFIG + " |all |regexp |value: |url: ", rest[1:], an,
                     operands="names") if len(texts) <= 4 else no("git config get with "
                                                                  "extra operands")
    p = getopt.parse(_table(G.CONFIG, "config"), rest, "git config")
    if p.problem:
        return no(p.problem)
    if getopt.first_danger(p) is not None:
        return no("git config with this option changes configuration")
    for value in p.values("file"):
        if value is None:
            return no("git config reads a file only known at run time")
        an.read_path(value)
    getting = p.has("get", "get-all", "get-regexp", "get-urlmatch", "list")
    if (getting and len(p.operands) <= 2) or (not getting and len(p.operands) == 1):
        return ok("git config only reads")
    return no("git config with a value sets configuration")
