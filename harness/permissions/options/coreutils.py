"""GNU coreutils (and close relatives) that read files: their full option tables, taken
from each program's `--help` (coreutils 9.1). `!` marks an option that writes or runs."""

from __future__ import annotations

from harness.permissions.options import Row

_SUMS = Row("b|binary c|check |ignore-missing |quiet |status |strict t|text |tag "
            "w|warn z|zero |help |version", prints_content=False)
_BASE = Row("d|decode i|ignore-garbage w|wrap: |help |version", max_operands=1)

ROWS: dict[str, Row] = {
    "cat": Row("A|show-all b|number-nonblank e E|show-ends n|number s|squeeze-blank t "
               "T|show-tabs u v|show-nonprinting |help |version"),
    "tac": Row("b|before r|regex s|separator: |help |version"),
    "rev": Row("|help |version"),
    "nl": Row("b|body-numbering: d|section-delimiter: f|footer-numbering: "
              "h|header-numbering: i|line-increment: l|join-blank-lines: n|number-format: "
              "p|no-renumber s|number-separator: v|starting-line-number: w|number-width: "
              "|help |version"),
    "head": Row("c|bytes: n|lines: q|quiet|silent v|verbose z|zero-terminated |help |version",
                digits=True),
    "tail": Row("c|bytes: f|follow? F n|lines: |max-unchanged-stats: |pid: q|quiet|silent "
                "|retry s|sleep-interval: v|verbose z|zero-terminated |help |version",
                digits=True),
    "wc": Row("c|bytes m|chars l|lines |files0-from@ L|max-line-length w|words |total: "
              "|help |version", prints_content=False),
    "sort": Row("b|ignore-leading-blanks d|dictionary-order f|ignore-case "
                "g|general-numeric-sort i|ignore-nonprinting M|month-sort "
                "h|human-numeric-sort n|numeric-sort R|random-sort |random-source@ "
                "r|reverse V|version-sort |sort: |batch-size: c C |check? "
                "|compress-program!: |debug |files0-from@ k|key: m|merge o|output!: "
                "s|stable S|buffer-size: t|field-separator: T|temporary-directory!: "
                "|parallel: u|unique z|zero-terminated |help |version"),
    "uniq": Row("c|count d|repeated D |all-repeated? f|skip-fields: |group? i|ignore-case "
                "s|skip-chars: u|unique w|check-chars: z|zero-terminated |help |version",
                digits=True, max_operands=1),
    "cut": Row("b|bytes: c|characters: d|delimiter: f|fields: n |complement "
               "s|only-delimited |output-delimiter: z|zero-terminated |help |version"),
    "paste": Row("d|delimiters: s|serial z|zero-terminated |help |version"),
    "fold": Row("b|bytes s|spaces w|width: |help |version", digits=True),
    "fmt": Row("c|crown-margin p|prefix: s|split-only t|tagged-paragraph "
               "u|uniform-spacing w|width: g|goal: |help |version", digits=True),
    "expand": Row("i|initial t|tabs: |help |version", digits=True),
    "unexpand": Row("a|all |first-only t|tabs: |help |version", digits=True),
    "comm": Row("1 2 3 |check-order |nocheck-order |output-delimiter: |total "
                "z|zero-terminated |help |version", max_operands=2),
    "join": Row("a: e: i|ignore-case j: o: t: v: 1: 2: |check-order |nocheck-order "
                "|header z|zero-terminated |help |version", max_operands=2),
    "cmp": Row("b|print-bytes i|ignore-initial: l|verbose n|bytes: s|quiet|silent "
               "|help v|version", max_operands=4, prints_content=False),
    "diff": Row("a|text b|ignore-space-change B|ignore-blank-lines c C: |context? "
                "d|minimal D|ifdef: e|ed E|ignore-tab-expansion f|forward-ed "
                "F|show-function-line: H|speed-large-files i|ignore-case "
                "I|ignore-matching-lines: l|paginate! L|label: n|rcs N|new-file "
                "p|show-c-function q|brief r|recursive s|report-identical-files "
                "S|starting-file: t|expand-tabs T|initial-tab u U: |unified? v|version "
                "w|ignore-all-space W|width: x|exclude: X|exclude-from@ y|side-by-side "
                "Z|ignore-trailing-space |binary |color? |from-file@ |to-file@ "
                "|horizon-lines: |ignore-file-name-case |no-ignore-file-name-case "
                "|left-column |line-format: |old-line-format: |new-line-format: "
                "|unchanged-line-format: |old-group-format: |new-group-format: "
                "|changed-group-format: |unchanged-group-format: |no-dereference |normal "
                "|palette: |strip-trailing-cr |suppress-blank-empty |suppress-common-lines "
                "|tabsize: |unidirectional-new-file |help", digits=True),
    "md5sum": _SUMS, "sha1sum": _SUMS, "sha224sum": _SUMS, "sha256sum": _SUMS,
    "sha384sum": _SUMS, "sha512sum": _SUMS, "b2sum": Row(_SUMS.spec + " l|length:",
                                                         prints_content=False),
    "cksum": Row("a|algorithm: |base64 c|check |debug |ignore-missing l|length: |quiet "
                 "|raw |status |strict |tag |untagged w|warn z|zero |help |version",
                 prints_content=False),
    "sum": Row("r s|sysv |help |version", prints_content=False),
    "stat": Row("L|dereference f|file-system c|format: |printf: t|terse |cached: "
                "|help |version", prints_content=False),
    "du": Row("0|null a|all |apparent-size B|block-size: b|bytes c|total "
              "D|dereference-args H d|max-depth: |files0-from@ |inodes h|human-readable k "
              "L|dereference l|count-links m P|no-dereference S|separate-dirs |si "
              "s|summarize t|threshold: |time? |time-style: X|exclude-from@ |exclude: "
              "x|one-file-system |help |version", prints_content=False),
    "ls": Row("a|all A|almost-all |author b|escape |block-size: B|ignore-backups c C "
              "|color? d|directory D|dired f F|classify? |file-type |format: |full-time g "
              "|group-directories-first G|no-group h|human-readable |si "
              "H|dereference-command-line |dereference-command-line-symlink-to-dir "
              "|hide: |hyperlink? |indicator-style: i|inode I|ignore: k|kibibytes l "
              "L|dereference m n|numeric-uid-gid N|literal o p q|hide-control-chars "
              "|show-control-chars Q|quote-name |quoting-style: r|reverse R|recursive "
              "s|size S |sort: t |time: |time-style: T|tabsize: u U v w|width: x X "
              "Z|context |zero 1 |help |version", prints_content=False),
    "readlink": Row("f|canonicalize e|canonicalize-existing m|canonicalize-missing "
                    "n|no-newline q|quiet s|silent v|verbose z|zero |help |version",
                    prints_content=False),
    "realpath": Row("e|canonicalize-existing m|canonicalize-missing L|logical P|physical "
                    "q|quiet |relative-to: |relative-base: s|strip|no-symlinks z|zero "
                    "|help |version", prints_content=False),
    "od": Row("A|address-radix: |endian: j|skip-bytes: N|read-bytes: S|strings? "
              "t|format: v|output-duplicates w|width? |traditional a b c d f i l o s x "
              "|help |version", digits=True),
    "base64": _BASE, "base32": _BASE,
    "basenc": Row(_BASE.spec + " |base64 |base64url |base32 |base32hex |base16 |base2msbf "
                  "|base2lsbf |z85", max_operands=1),
    "tr": Row("c|C|complement d|delete s|squeeze-repeats t|truncate-set1 |help |version",
              operands="text"),
    "numfmt": Row("|debug d|delimiter: |field: |format: |from: |from-unit: |grouping "
                  "|header? |invalid: |padding: |round: |suffix: |to: |to-unit: "
                  "|unit-separator: z|zero-terminated |help |version", operands="text"),
    "basename": Row("a|multiple s|suffix: z|zero |help |version", operands="text"),
    "dirname": Row("z|zero |help |version", operands="text"),
    "seq": Row("f|format: s|separator: w|equal-width |help |version", operands="text",
               digits=True),
    "strings": Row("a|all d|data f|print-file-name n|bytes: t|radix: e|encoding: o "
                   "T|target: w|include-all-whitespace s|output-separator: U|unicode: "
                   "h|help v|V|version", digits=True),
    "hexdump": Row("b c C d o x e: f@ n: s: v L? |help |version"),
    "column": Row("t|table s|separator: o|output-separator: c|output-width: x|fillrows "
                  "n|table-name: N|table-columns: l|table-columns-limit: R|table-right: "
                  "T|table-truncate: W|table-wrap: H|table-hide: O|table-order: "
                  "E|table-noextreme d|table-noheadings m|table-maxout "
                  "e|table-header-repeat r|tree: i|tree-id: p|tree-parent: J|json "
                  "L|keep-empty-lines C|table-column: S|use-spaces: h|help V|version"),
    "look": Row("a|alternative b|binary d|alphanum f|ignore-case t|terminate: h|help "
                "V|version", operands="pattern_files"),
    "shuf": Row("e|echo i|input-range: n|head-count: o|output!: |random-source@ r|repeat "
                "z|zero-terminated |help |version"),
    "pr": Row("a|across c|show-control-chars d|double-space D|date-format: e|expand-tabs? "
              "F f|form-feed h|header: i|output-tabs? J|join-lines l|length: m|merge "
              "n|number-lines? N|first-line-number: o|indent: r|no-file-warnings "
              "s|separator? S|sep-string? t|omit-header T|omit-pagination "
              "v|show-nonprinting w|width: W|page-width: |columns: |pages: |help |version",
              digits=True),
    "tsort": Row("|help |version", max_operands=1),
    "zcat": Row("f|force l|list q|quiet r|recursive S|suffix: t|test v|verbose |help "
                "|version"),
    "bzcat": Row("s|small q|quiet v|verbose |help |version"),
    "xzcat": Row("F|format: T|threads: M|memlimit: |single-stream |no-sparse q|quiet "
                 "v|verbose Q|no-warn |help |version"),
}
