"""A GNU getopt reader over the option tables in `harness.permissions.options`: clustered
short flags, attached values, `--opt=value`, `--`, unique long prefixes. What it cannot
resolve exactly the way the program would, it reports as a problem (the caller asks)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from harness.permissions.shell import Word

Kind = Literal["flag", "value", "optional", "file"]
_SUFFIX: dict[str, tuple[Kind, bool]] = {
    "": ("flag", False), ":": ("value", False), "?": ("optional", False),
    "@": ("file", False), "!": ("flag", True), "!:": ("value", True),
    "!?": ("optional", True),
}


@dataclass(frozen=True, slots=True)
class Option:
    name: str  # canonical: the long name when there is one, else the letter
    kind: Kind
    danger: bool  # writes a file, runs a program, changes the system: always asks


@dataclass(frozen=True)
class OptionTable:
    short: dict[str, Option]
    long: dict[str, Option]
    digits: bool = False  # `head -5`: a cluster of digits is a count
    permute: bool = True  # GNU order: options after operands still count
    risky: bool = False  # has an option that writes or runs: unseen words might be one
    negatable: bool = False  # git parse-options: `--no-foo` turns a flag `--foo` off


@functools.cache
def table(spec: str, digits: bool = False, permute: bool = True,
          negatable: bool = False) -> OptionTable:
    """Compile `"n|lines: q|quiet|silent |files0-from@ o|output!:"` into an option table.

    Each token is `short|long|long…` (the short may be empty) with a suffix: none = flag,
    `:` takes a value, `?` an optional attached value, `@` a value naming a file to read,
    `!` marks an option that always asks (`!:` with a value, `!?` optional value)."""
    short: dict[str, Option] = {}
    long: dict[str, Option] = {}
    for token in spec.split():
        base = token.rstrip(":?@!")
        suffix = token[len(base):]
        kind, danger = _SUFFIX[suffix]
        names = base.split("|")
        if len(names) == 1 and len(base) > 1:  # a bare long name
            names = ["", base]
        s, longs = names[0], [x for x in names[1:] if x]
        opt = Option(longs[0] if longs else s, kind, danger)
        if s:
            short[s] = opt
        for lg in longs:
            long[lg] = opt
    risky = any(o.danger for o in (*short.values(), *long.values()))
    return OptionTable(short, long, digits, permute, risky=risky, negatable=negatable)


@dataclass
class Parsed:
    options: list[tuple[Option, str | None, Word | None]] = field(default_factory=list)
    operands: list[Word] = field(default_factory=list)
    problem: str | None = None

    def has(self, *names: str) -> bool:
        return any(o.name in names for o, _, _ in self.options)

    def values(self, *names: str) -> list[str | None]:
        return [v for o, v, _ in self.options if o.name in names]


def resolve_long(t: OptionTable, name: str) -> Option | str:
    """The option `--name` means, or a problem: getopt_long takes a unique prefix."""
    if name in t.long:
        return t.long[name]
    hits = {o for k, o in t.long.items() if k.startswith(name)}
    if len(hits) == 1:
        return hits.pop()
    if not hits and t.negatable and name.startswith("no-"):
        positive = resolve_long(t, name[3:])
        if isinstance(positive, Option) and positive.kind == "flag":
            return Option("no-" + positive.name, "flag", False)  # turning an option off
    if hits:
        return f"`--{name}` is ambiguous ({', '.join(sorted('--' + o.name for o in hits))})"
    return f"`--{name}` is not a known option"


def parse(t: OptionTable, args: list[Word], what: str) -> Parsed:
    """Read `args` the way GNU getopt_long would for a program with table `t`."""
    out = Parsed()
    i, n = 0, len(args)
    while i < n:
        w = args[i]
        a = w.text
        if w.procsub:
            out.operands.append(w)
            i += 1
            continue
        if a is None or (w.glob and _may_become_option(w)):
            if t.risky:
                out.problem = (f"an argument of {what} only known at run time could become "
                               "an option that writes or runs a program")
                return out
            out.operands.append(w)
            i += 1
            continue
        if a == "--":
            out.operands += args[i + 1:]
            return out
        if a.startswith("--"):
            name, eq, value = a[2:].partition("=")
            opt = resolve_long(t, name)
            if isinstance(opt, str):
                out.problem = f"{what}: {opt}"
                return out
            if opt.kind == "flag":
                if eq:
                    out.problem = f"{what}: `--{opt.name}` takes no value"
                    return out
                out.options.append((opt, None, None))
            elif opt.kind == "optional":
                out.options.append((opt, value if eq else None, None))
            elif eq:
                out.options.append((opt, value, w))
            else:
                if i + 1 >= n:
                    out.problem = f"{what}: `--{opt.name}` needs a value"
                    return out
                i += 1
                out.options.append((opt, args[i].text, args[i]))
            i += 1
            continue
        if a.startswith("-") and a != "-":
            j = 1
            while j < len(a):
                c = a[j]
                if t.digits and c.isdigit():
                    j += 1
                    continue
                sopt = t.short.get(c)
                if sopt is None:
                    out.problem = f"{what}: `-{c}` is not a known option"
                    return out
                if sopt.kind == "flag":
                    out.options.append((sopt, None, None))
                    j += 1
                    continue
                rest = a[j + 1:]
                if rest or sopt.kind == "optional":
                    out.options.append((sopt, rest or None, w if rest else None))
                elif i + 1 >= n:
                    out.problem = f"{what}: `-{c}` needs a value"
                    return out
                else:
                    i += 1
                    out.options.append((sopt, args[i].text, args[i]))
                break
            i += 1
            continue
        out.operands.append(w)
        i += 1
        if not t.permute:
            out.operands += args[i:]
            return out
    return out


def _may_become_option(w: Word) -> bool:
    # `*` may expand to `-rf`; a glob that starts with a fixed non-dash character cannot.
    src = w.source.lstrip("'\"")
    return not src or src[0] in "*?[{"


def first_danger(p: Parsed) -> Option | None:
    return next((o for o, _, _ in p.options if o.danger), None)
