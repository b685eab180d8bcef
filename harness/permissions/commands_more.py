"""Commands whose operands need more than the generic reader: programs in arguments (sed,
awk, jq), archives (tar), clock and environment reporters (date, printenv, ps), find's
expression language, xxd, and the builtins cd, printf and test."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from harness.permissions import getopt
from harness.permissions.commands import Verdict, no, ok, secret_variable
from harness.permissions.scripts import awk_problem, sed_program

if TYPE_CHECKING:
    from harness.permissions.shell import Analyzer, Word

_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def judge_custom(name: str, p: getopt.Parsed, args: list[Word], an: Analyzer) -> Verdict:
    ops = p.operands
    if name == "sed":
        scripts = p.values("expression")
        if not scripts:
            if not ops:
                return no("sed without a program")
            scripts, ops = [ops[0].text], ops[1:]
        for s in scripts:
            if s is None:
                return no("the sed program is only known at run time")
            problem = sed_program(s)
            if problem:
                return no(problem)
        for w in ops:
            an.read_word(w, True)
        return ok("sed prints an edited copy")
    if name == "awk":
        if not ops or ops[0].text is None:
            return no("the awk program is only known at run time")
        problem = awk_problem(ops[0].text)
        if problem:
            return no(problem)
        for w in ops[1:]:
            if w.text is None or not _ASSIGN.match(w.text):
                an.read_word(w, True)  # operands are files, except `var=value`
        return ok("awk program only prints")
    if name == "jq":
        return _jq(p, an)
    if name == "tar":
        return _tar(p, an)
    if name == "date":
        if any(w.text is None or not w.text.startswith("+") for w in ops):
            return no("date with an operand other than +FORMAT sets the clock")
        return ok("prints the date")
    if name == "printenv":
        if not ops:
            an.out.concerns.append("prints the environment, which may hold tokens")
            return ok("prints the environment")
        for w in ops:
            if w.text is None or secret_variable(w.text):
                return no(f"prints `{w.source}`, which may be a secret")
        return ok("prints environment variables")
    from harness.permissions import wrappers

    return wrappers.judge_wrapping_row(name, p, args, an)


def prepare(name: str, args: list[Word], an: Analyzer) -> list[Word] | str:
    """Arguments as the generic reader should see them, or a problem."""
    if name == "tar":
        return tar_arguments(args)
    if name != "jq":
        return args
    # jq's own parser: `--arg NAME VALUE` and `--rawfile NAME FILE` take two values, and
    # long options match exactly (no prefixes).
    out, i = [], 0
    while i < len(args):
        t = args[i].text
        if t in ("--arg", "--argjson", "--slurpfile", "--rawfile"):
            if i + 2 >= len(args):
                return f"jq {t} needs a name and a value"
            if t in ("--slurpfile", "--rawfile"):
                read = args[i + 2].text
                if read is None:
                    return f"jq {t} reads a file only known at run time"
                an.read_path(read)
            i += 3
            continue
        out.append(args[i])
        i += 1
    return out


def _jq(p: getopt.Parsed, an: Analyzer) -> Verdict:
    ops = p.operands
    if p.has("args", "jsonargs"):
        return no("jq --args: which operands are files is only known at run time")
    if not ops or ops[0].text is None:
        if p.has("null-input") and not ops:
            return ok()
        return no("the jq filter is only known at run time")
    flt = ops[0].text
    if re.search(r"\benv\b|\$ENV|\$__prog|\binput_filename\b|\bimport\b|\binclude\b|"
                 r"\$__loc__|\bget_search_list\b", flt):
        an.out.concerns.append("the jq filter reads the environment or other files")
    for w in ops[1:]:
        an.read_word(w, True)
    return ok("jq only prints")


def tar_arguments(args: list[Word]) -> list[Word]:
    """`tar tzf a.tgz` (old style, no dash): each letter's value is the next argument."""
    if not args or args[0].text is None or args[0].text.startswith("-"):
        return args
    from harness.permissions.commands import option_table, rows
    from harness.permissions.shell import Word as W

    table = option_table(rows()["tar"])
    out, rest = [], list(args[1:])
    for c in args[0].text:
        opt = table.short.get(c)
        out.append(W("-" + c, "-" + c))
        if opt is not None and opt.kind in ("value", "file") and rest:
            out.append(rest.pop(0))
    return out + rest


def _tar(p: getopt.Parsed, an: Analyzer) -> Verdict:
    if not p.has("list"):
        return no("tar without -t (list) may write files")
    for archive in p.values("file"):
        if archive is None:
            return no("the tar archive is only known at run time")
        if ":" in archive and not p.has("force-local"):
            return no("a tar archive name with `:` is opened on another host (rsh)")
        if archive != "-":
            an.read_path(archive)
    return ok("tar lists an archive")


# --- commands without a table row -----------------------------------------------------
_FIND_TESTS_1 = frozenset([
    "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
    "-type", "-xtype", "-size", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin",
    "-used", "-perm", "-user", "-group", "-uid", "-gid", "-links", "-inum", "-maxdepth",
    "-mindepth", "-printf", "-regextype", "-fstype", "-lname", "-ilname", "-context",
    "-newer", "-anewer", "-cnewer", "-samefile"
])
_FIND_TESTS_0 = frozenset([
    "-depth", "-prune", "-print", "-print0", "-ls", "-empty", "-executable", "-readable",
    "-writable", "-false", "-true", "-nouser", "-nogroup", "-xdev", "-mount", "-noleaf",
    "-follow", "-daystart", "-warn", "-nowarn", "-ignore_readdir_race",
    "-noignore_readdir_race", "-quit", "-not", "!", "(", ")", "-a", "-and", "-o", "-or",
    ",", "-nogroup"
])
_FIND_READS = frozenset({"-newer", "-anewer", "-cnewer", "-samefile", "-files0-from"})
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def _find(args: list[Word], an: Analyzer) -> Verdict:
    if any(a.text is None for a in args) or any(a.glob for a in args):
        return no("find arguments only known at run time could become actions that write "
                  "or run")
    texts = [a.text or "" for a in args]  # none is None (checked above)
    i = 0
    while i < len(texts) and texts[i] in ("-H", "-L", "-P", "-O0", "-O1", "-O2", "-O3"):
        i += 1
    starts = []
    while i < len(texts) and not (texts[i].startswith("-") or texts[i] in ("(", "!", ")")):
        starts.append(texts[i])
        i += 1
    for s in starts or ["."]:
        an.read_path(s)
    names: list[str] = []
    verdict = ok("find only lists")
    while i < len(texts):
        t = texts[i]
        if t.startswith("-newer") and len(t) == 8:  # -newerXY FILE-or-date
            i += 2
            continue
        if t in _FIND_EXEC:
            end = next((j for j in range(i + 1, len(texts)) if texts[j] in (";", "+")), None)
            if end is None or end == i + 1:
                return no(f"find {t} without a complete command")
            if t in ("-ok", "-okdir"):
                return no(f"find {t} asks on the terminal, which the agent cannot answer")
            verdict = Verdict(safe=True, reason=f"find {t} runs the wrapped command",
                              transparent=True, wrapped=args[i + 1:end], wrapped_open=True)
            i = end + 1
            continue
        if t in ("-delete", "-fprint", "-fprint0", "-fprintf", "-fls"):
            return no(f"find {t} writes or deletes files")
        if t in _FIND_TESTS_1 or t in _FIND_READS or t == "-files0-from":
            if i + 1 >= len(texts):
                return no(f"find {t} without its value")
            if t in _FIND_READS:
                an.read_path(texts[i + 1])
            if t in ("-name", "-iname"):
                names.append(texts[i + 1])
            i += 2
            continue
        if t in _FIND_TESTS_0:
            i += 1
            continue
        return no(f"find `{t}` is not known to be read-only")
    if verdict.wrapped is not None and verdict.wrapped:
        from harness.permissions.commands import rows
        from harness.permissions.paths_extra import glob_may_hit_secret

        row = rows().get(verdict.wrapped[0].text or "")
        prints = row is None or row.prints_content
        if prints and (not names or any(glob_may_hit_secret(n) for n in names)):
            an.out.concerns.append("find -exec prints files found only at run time (they "
                                   "could be secrets)")
    return verdict


_XXD_FLAGS = frozenset([
    "-a", "-autoskip", "-b", "-bits", "-C", "-capitalize", "-E", "-EBCDIC", "-e", "-i",
    "-include", "-p", "-ps", "-postscript", "-plain", "-u", "-h", "-help", "-v", "-version",
    "-d", "-R"
])
_XXD_VALUES = frozenset([
    "-c", "-cols", "-g", "-groupsize", "-l", "-len", "-n", "-name", "-o", "-offset", "-s",
    "-seek"
])


def _xxd(args: list[Word], an: Analyzer) -> Verdict:
    files: list[Word] = []
    i = 0
    while i < len(args):
        t = args[i].text
        if t is None:
            return no("an xxd argument only known at run time")
        if t in ("-r", "-revert") or t.startswith("-r"):
            return no("xxd -r writes binary data")
        if t in _XXD_VALUES:
            i += 2
            continue
        if t in _XXD_FLAGS or (t[:2] in ("-c", "-g", "-l", "-n", "-o", "-s") and
                               re.fullmatch(r"-[cglnos][+-]?(0x)?[0-9a-fA-F]+", t)):
            i += 1
            continue
        if t.startswith("-") and t != "-":
            return no(f"xxd option `{t}` is not known")
        files.append(args[i])
        i += 1
    if len(files) > 1:
        return no("xxd writes its second operand")
    for w in files:
        an.read_word(w, True)
    return ok("xxd prints a hex dump")


def _ps(args: list[Word], an: Analyzer) -> Verdict:
    unix_flags, unix_values = set("AaCdefFHjlLMNPTwycxZ"), set("ogOpuUGtsqCk")
    i = 0
    while i < len(args):
        t = args[i].text
        if t is None:
            return no("a ps argument only known at run time")
        if t.startswith("--"):
            if t.split("=")[0] not in ("--forest", "--no-headers", "--headers", "--sort",
                                       "--format", "--cols", "--columns", "--width", "--pid",
                                       "--ppid", "--user", "--group", "--tty", "--sid",
                                       "--lines", "--rows", "--cumulative", "--help"):
                return no(f"ps option `{t}` is not known")
            i += 1 if "=" in t or t in ("--forest", "--no-headers", "--headers",
                                        "--cumulative", "--help") else 2
            continue
        if t.startswith("-"):
            letters = t[1:]
            for k, c in enumerate(letters):
                if c in unix_values:
                    if letters[k + 1:]:
                        # `-auxe`: procps may read a bad UNIX option as BSD `auxe` (e = env)
                        return no(f"ps `{t}`: procps may read this as BSD options")
                    i += 1
                    break
                if c not in unix_flags:
                    # procps reads `-aux` as BSD `aux`: what the letters mean is unclear.
                    return no(f"ps `{t}` mixes option styles; its meaning is unclear")
            i += 1
            continue
        # BSD style: letters without a dash. `e` prints each process's environment.
        if "e" in t:
            an.out.concerns.append("ps e prints every process's environment (tokens)")
        if re.search(r"[opUtOgkq]", t):
            i += 2
            continue
        if not re.fullmatch(r"[aAcfhjlLmrsSTuvwxXZHn]+", t):
            return no(f"ps `{t}` is not a known option")
        i += 1
    return ok("lists processes")


def judge_special(name: str, args: list[Word], an: Analyzer) -> Verdict | None:
    texts = [a.text for a in args]
    if name == "find":
        return _find(args, an)
    if name == "xxd":
        return _xxd(args, an)
    if name == "ps":
        return _ps(args, an)
    if name == "cd":
        if texts[:1] == ["--"]:
            args, texts = args[1:], texts[1:]
        if len(args) > 1 or (args and (texts[0] is None or texts[0].startswith("-"))):
            return no("cd with a computed folder, an option or OLDPWD")
        why = an.change_dir(texts[0] if args else "~")
        return no(why) if why else ok("changes folder inside the project")
    if name == "printf":
        if texts[:1] == ["-v"] or (texts and texts[0] is not None and
                                   texts[0].startswith("-v")):
            return no("printf -v assigns a variable (its subscript is evaluated)")
        return ok("prints text")
    if name in ("test", "["):
        if name == "[" and texts[-1:] != ["]"]:
            return no("`[` without its closing `]`")
        for k, t in enumerate(texts):
            if t == "-v" and k + 1 < len(texts) and ((nxt := texts[k + 1]) is None or
                                                     "[" in nxt):
                return no("test -v with a subscript evaluates it as arithmetic (runs code)")
        return ok("tests a condition")
    return None
