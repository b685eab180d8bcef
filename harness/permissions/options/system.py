"""Commands that report on the system or wrap another command: option tables from each
program's `--help` (coreutils 9.1, procps-ng, util-linux). `!` marks options that ask."""

from __future__ import annotations

from harness.permissions.options import Row

_ANY = Row("", operands="text", permute=False)  # builtins that read no option we fear

ROWS: dict[str, Row] = {
    "echo": Row("", operands="text", permute=False),
    "pwd": Row("L P |help", operands="none"),
    "true": _ANY, "false": _ANY, ":": _ANY, "sleep": Row("|help |version", operands="text"),
    "whoami": Row("|help |version", operands="none"),
    "groups": Row("|help |version", operands="text"),
    "id": Row("a Z|context g|group G|groups n|name r|real u|user z|zero |help |version",
              operands="text"),
    "uname": Row("a|all s|kernel-name n|nodename r|kernel-release v|kernel-version "
                 "m|machine p|processor i|hardware-platform o|operating-system |help "
                 "|version", operands="none"),
    "arch": Row("|help |version", operands="none"),
    "nproc": Row("|all |ignore: |help |version", operands="none"),
    "tty": Row("s|silent|quiet |help |version", operands="none"),
    "uptime": Row("p|pretty s|since h|help V|version", operands="none"),
    "free": Row("b|bytes k|kibi m|mebi g|gibi |tebi |pebi |kilo |mega |giga |tera |peta "
                "h|human |si l|lohi t|total s|seconds: c|count: w|wide v|committed "
                "|help V|version", operands="none"),
    "df": Row("a|all B|block-size: h|human-readable H|si i|inodes k l|local |no-sync "
              "|output? P|portability |sync |total t|type: T|print-type x|exclude-type: v "
              "|help |version", operands="text"),
    "locale": Row("a|all-locales m|charmaps c|category-name k|keyword-name v|verbose "
                  "|help V|version", operands="text"),
    "which": Row("a s", operands="text"),
    "whereis": Row("b m s u B: M: S: f l h|help V|version", operands="text"),
    "type": Row("a f p t P", operands="text"),
    "getconf": Row("a v:", operands="text"),
    "who": Row("a|all b|boot d|dead H|heading l|login |lookup m p|process q|count "
               "r|runlevel s|short t|time T|w|mesg u|users |help |version", operands="text"),
    "cal": Row("1 3 j|julian y|year Y|twelve m|monday s|sunday n|months: S|span "
               "w|week? |color? v|vertical h|help V|version", operands="text"),
    "expr": Row("|help |version", operands="text", permute=False),
    # date with an operand other than +FORMAT sets the clock; judged in commands.py.
    "date": Row("d|date: |debug f|file@ I|iso-8601? |resolution R|rfc-email |rfc-3339: "
                "r|reference@ s|set!: u|utc|universal |help |version", operands="custom"),
    # hostname with an operand sets the name (operands="none").
    "hostname": Row("a|alias A|all-fqdns b|boot! d|domain f|fqdn|long F|file!: "
                    "i|ip-address I|all-ip-addresses s|short y|yp|nis V|version h|help",
                    operands="none"),
    "printenv": Row("0|null |help |version", operands="custom"),
    "base64": Row("d|decode i|ignore-garbage w|wrap: |help |version", max_operands=1),
    # Wrappers: options stop at the command they run (getopt "+").
    "env": Row("i|ignore-environment 0|null u|unset: C|chdir!: S|split-string: "
               "|block-signal? |default-signal? |ignore-signal? |list-signal-handling "
               "v|debug |help |version", operands="custom", permute=False),
    "timeout": Row("f|foreground k|kill-after: p|preserve-status s|signal: v|verbose "
                   "|help |version", operands="custom", permute=False),
    "nice": Row("n|adjustment: |help |version", operands="custom", permute=False,
                digits=True),
    "stdbuf": Row("i|input: o|output: e|error: |help |version", operands="custom",
                  permute=False),
    "nohup": Row("|help |version", operands="custom", permute=False),
    "xargs": Row("0|null a|arg-file@ d|delimiter: E: e|eof? I: i|replace? L: "
                 "l|max-lines? n|max-args: o|open-tty p|interactive P|max-procs: "
                 "|process-slot-var!: r|no-run-if-empty s|max-chars: |show-limits "
                 "t|verbose x|exit |help |version", operands="custom", permute=False),
}
