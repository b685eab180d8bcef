"""git on the command line: read-only subcommands with their listing forms; push anywhere is
a push; global options that point git elsewhere or override config ask."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from harness.permissions.paths import is_secret_path

if TYPE_CHECKING:
    from harness.permissions.commands import Verdict
    from harness.permissions.shell import Analyzer, Word

SAFE_GLOBAL = frozenset({"--no-pager", "-P", "--no-optional-locks", "--literal-pathspecs",
                         "--no-replace-objects", "--glob-pathspecs", "--noglob-pathspecs",
                         "--icase-pathspecs", "--no-advice"})
READ_SUBCOMMANDS = frozenset({
    "status", "log", "diff", "show", "blame", "ls-files", "ls-tree", "rev-parse", "cat-file",
    "grep", "shortlog", "describe", "rev-list", "count-objects", "merge-base", "name-rev",
    "show-ref", "for-each-ref", "whatchanged", "check-ignore", "check-attr", "version",
    "diff-tree", "diff-files", "diff-index", "annotate", "cherry", "range-diff", "var",
})
NETWORK_SUBCOMMANDS = frozenset({"fetch", "pull", "clone", "ls-remote", "submodule",
                                 "archive", "request-pull", "send-email", "svn"})
# Options that make a read-only subcommand write a file or run a program.
BAD_READ_OPTIONS = ("--output", "--ext-diff", "-O", "--open-files-in-pager", "--exec",
                    "--upload-pack", "--remote")
DESTRUCTIVE = {"clean", "reset", "checkout", "restore", "rm", "gc", "prune", "filter-branch",
               "switch", "stash", "rebase", "merge", "am", "apply", "worktree", "branch", "tag",
               "update-ref", "reflog"}
LIST_VALUE_OPTS = ("--contains", "--no-contains", "--merged", "--no-merged", "--points-at",
                   "--sort", "--format", "--color", "--column")


def judge_git(args: list[Word], an: Analyzer) -> Verdict:
    from harness.permissions.commands import no, ok, secret_revision

    texts = [a.text for a in args]
    i = 0
    global_problem = None
    while i < len(texts):
        t = texts[i]
        if t is None:
            return no("a git argument only known at run time", alt_texts=_alts(texts))
        if not t.startswith("-"):
            break
        if t == "-C":
            target = texts[i + 1] if i + 1 < len(texts) else None
            if target is None:
                return no("git -C to a computed folder")
            an.read_path(target)
            i += 2
            continue
        if t in SAFE_GLOBAL:
            i += 1
            continue
        if t in ("-c", "--config-env", "--git-dir", "--work-tree", "--exec-path",
                 "--namespace", "--super-prefix"):
            global_problem = f"git {t} can point git elsewhere or make it run a program"
            i += 2
            continue
        global_problem = global_problem or f"git global option `{t}` (e.g. a pager) asks"
        i += 1
    sub = texts[i] if i < len(texts) else None
    rest = texts[i + 1:]
    alts = (" ".join(["git", *[x or "" for x in texts[i:]]]),)
    if sub == "push" or "push" in [x for x in rest if x and sub in ("submodule",)]:
        return no("git push publishes commits", push=True, irreversible=True, alt_texts=alts)
    if global_problem:
        return no(global_problem, alt_texts=alts, network=sub in NETWORK_SUBCOMMANDS)
    if sub is None:
        return ok("git without a subcommand prints help")
    if any(a.glob or a.text is None for a in args[i + 1:]):
        return no("an argument only known at run time (glob, variable, substitution) could "
                  "become a git option", alt_texts=alts)
    for t in rest:
        if t is None:
            continue
        if any(t == b or t.startswith(b + "=") for b in BAD_READ_OPTIONS) or (
                sub == "grep" and t.startswith("-O")):  # `-Ovim`: the pager is attached
            return no(f"git `{t}` writes a file or runs a program", alt_texts=alts)
        if not t.startswith("-") and (secret_revision(t) or is_secret_path(PurePosixPath(t))):
            an.out.concerns.append(f"reads `{t}` (or its history), which looks like a secret")
    if sub in NETWORK_SUBCOMMANDS:
        return no(f"git {sub} contacts a remote", network=True, alt_texts=alts)
    if sub == "remote":
        if not rest or rest in (["-v"], ["--verbose"]) or rest[:1] == ["get-url"]:
            return ok()
        return no("git remote with this action may contact or change remotes",
                  network=rest[:1] in (["show"], ["update"], ["prune"]), alt_texts=alts)
    if sub in READ_SUBCOMMANDS:
        if sub in ("log", "diff", "show", "blame", "grep", "ls-files"):
            for t in rest:
                if t and not t.startswith("-") and "/" in t and ":" not in t:
                    an.read_path(t)
        return ok(f"git {sub} only reads")
    if sub == "config":
        if any(t in ("--get", "--get-all", "--get-regexp", "--list", "-l", "--get-urlmatch",
                     "--show-origin", "--show-scope", "--global", "--local", "--system",
                     "--null", "-z", "--name-only", "--includes", "--type")
               or (t or "").startswith("--type=") for t in rest) and \
                any(t in ("--get", "--get-all", "--get-regexp", "--list", "-l", "--get-urlmatch")
                    for t in rest) and not any(t in ("--add", "--unset", "--unset-all",
                                                     "--replace-all", "--edit", "-e",
                                                     "--rename-section", "--remove-section")
                                               for t in rest):
            return ok("git config only reads")
        return no("git config may change configuration", alt_texts=alts)
    if sub in ("branch", "tag"):
        return _listing(sub, rest, alts)
    if sub == "stash" and rest[:1] in (["list"], ["show"]):
        return ok()
    if sub == "worktree" and rest[:1] == ["list"]:
        return ok()
    if sub == "reflog" and (not rest or rest[0] == "show" or (rest[0] or "").startswith("-")):
        return ok()
    destructive = sub in ("clean", "gc", "prune", "filter-branch", "restore", "rm") or (
        sub == "reset" and "--hard" in rest) or (
        sub in ("checkout", "switch") and ("--" in rest or "-f" in rest or "--force" in rest)) or (
        sub == "stash" and rest[:1] in (["drop"], ["clear"])) or (
        sub == "branch" and "-D" in rest)
    return no(f"git {sub} changes the repository or is not known to be read-only",
              irreversible=destructive, alt_texts=alts)


def _listing(sub: str, rest: list[str | None], alts: tuple[str, ...]) -> Verdict:
    from harness.permissions.commands import no, ok

    allowed = {"-a", "--all", "-r", "--remotes", "-l", "--list", "-v", "-vv", "--verbose",
               "--show-current", "-n", "--no-color", "--ignore-case", "-i", "--omit-empty"}
    listing = False
    positional = False
    i = 0
    while i < len(rest):
        t = rest[i] or ""
        if t in ("-l", "--list"):
            listing = True
        if t in LIST_VALUE_OPTS:
            i += 2
            continue
        if t.startswith(tuple(o + "=" for o in LIST_VALUE_OPTS)) or t in allowed or (
                sub == "tag" and t.startswith("-n")):
            i += 1
            continue
        if t.startswith("-"):
            return no(f"git {sub} {t} changes {sub}es", alt_texts=alts)
        positional = True
        i += 1
    if positional and not listing:
        return no(f"git {sub} with a name creates a {sub}", alt_texts=alts)
    return ok(f"git {sub} lists")


def _alts(texts: list[str | None]) -> tuple[str, ...]:
    return ()
