"""Search and inspection tools (grep, ripgrep, fd, file, tree, sed, awk, jq, xxd, tar):
their option tables from each program's manual or `--help`. `!` asks: it writes or runs."""

from __future__ import annotations

from harness.permissions.options import Row

_GREP = Row(
    "A|after-context: B|before-context: C|context: D|devices: E|extended-regexp "
    "F|fixed-strings G|basic-regexp H|with-filename I L|files-without-match P|perl-regexp "
    "R|dereference-recursive T|initial-tab U|binary V|version Z|null a|text b|byte-offset "
    "c|count d|directories: e|regexp: f|file@ h|no-filename i|ignore-case |no-ignore-case "
    "l|files-with-matches m|max-count: n|line-number o|only-matching q|quiet|silent "
    "r|recursive s|no-messages u v|invert-match w|word-regexp x|line-regexp y "
    "z|null-data |binary-files: |color? |colour? |exclude: |exclude-from@ |exclude-dir: "
    "|include: |label: |line-buffered |group-separator: |no-group-separator |help",
    operands="pattern_files", digits=True)

# ripgrep 14: every flag with its `--no-` twin; `--pre` and `-z` run other programs.
_RG = Row(
    "A|after-context: B|before-context: C|context: |context-separator: "
    "|no-context-separator b|byte-offset |no-byte-offset c|count |count-matches "
    "|color: |colors: |column |no-column |crlf |no-crlf |debug |trace "
    "|dfa-size-limit: E|encoding: |no-encoding |engine: e|regexp: f|file@ |files "
    "l|files-with-matches |files-without-match |field-context-separator: "
    "|field-match-separator: F|fixed-strings |no-fixed-strings L|follow |no-follow "
    "g|glob: |glob-case-insensitive |no-glob-case-insensitive |heading |no-heading "
    "|hidden |no-hidden . |hostname-bin!: |hyperlink-format: |iglob: i|ignore-case "
    "|ignore-file@ |ignore-file-case-insensitive |no-ignore-file-case-insensitive "
    "|include-zero |no-include-zero v|invert-match |no-invert-match |json |no-json "
    "|line-buffered |no-line-buffered n|line-number N|no-line-number x|line-regexp "
    "M|max-columns: |max-columns-preview |no-max-columns-preview m|max-count: "
    "d|max-depth|maxdepth: |max-filesize: |mmap |no-mmap U|multiline |no-multiline "
    "|multiline-dotall |no-multiline-dotall |no-config |no-ignore |ignore "
    "|no-ignore-dot |ignore-dot |no-ignore-exclude |ignore-exclude |no-ignore-files "
    "|ignore-files |no-ignore-global |ignore-global |no-ignore-messages "
    "|ignore-messages |no-ignore-parent |ignore-parent |no-ignore-vcs |ignore-vcs "
    "|no-messages |messages |no-pcre2-unicode |pcre2-unicode |no-require-git "
    "|require-git |no-unicode |unicode 0|null |null-data |one-file-system "
    "|no-one-file-system o|only-matching |path-separator: |passthru|passthrough "
    "P|pcre2 |no-pcre2 |pcre2-version |pre!: |no-pre |pre-glob: p|pretty q|quiet "
    "|regex-size-limit: r|replace: z|search-zip! |no-search-zip S|smart-case "
    "s|case-sensitive |sort: |sortr: |stats |no-stats |stop-on-nonmatch a|text "
    "|no-text j|threads: |trim |no-trim t|type: T|type-not: |type-add: |type-clear: "
    "|type-list u|unrestricted V|version |vimgrep w|word-regexp H|with-filename "
    "I|no-filename |auto-hybrid-regex |no-auto-hybrid-regex |binary |no-binary "
    "|block-buffered |no-block-buffered |line-buffered h|help |generate:",
    operands="pattern_files")

_FD = Row(
    "H|hidden |no-hidden I|no-ignore |ignore |no-ignore-vcs |ignore-vcs "
    "|no-require-git |require-git |no-ignore-parent u|unrestricted s|case-sensitive "
    "i|ignore-case g|glob |regex F|fixed-strings |and: a|absolute-path |relative-path "
    "l|list-details L|follow |no-follow p|full-path 0|print0 d|max-depth: |min-depth: "
    "|exact-depth: |prune t|type: e|extension: S|size: |changed-within|change-newer-than"
    "|newer: |changed-before|change-older-than|older: o|owner: |format: "
    "x|exec! X|exec-batch! |batch-size: E|exclude: |ignore-file@ c|color: "
    "|hyperlink? j|threads: |max-results: 1 q|quiet |show-errors |base-directory: "
    "|path-separator: |search-path: |strip-cwd-prefix? |one-file-system "
    "|no-global-ignore-file h|help V|version", operands="pattern_files")

ROWS: dict[str, Row] = {
    "grep": _GREP, "egrep": _GREP, "fgrep": _GREP,
    "zgrep": _GREP,
    "rg": _RG,
    "fd": _FD, "fdfind": _FD,
    "file": Row("b|brief c|checking-printout C|compile! d|debug e|exclude: "
                "|exclude-quiet: E |extension f|files-from@ F|separator: h|no-dereference "
                "i|mime |mime-type |mime-encoding k|keep-going l|list L|dereference "
                "m|magic-file@ n|no-buffer N|no-pad 0|print0 p|preserve-date! "
                "P|parameter: r|raw s|special-files S|no-sandbox v|version z|uncompress "
                "Z|uncompress-noreport |apple |help", prints_content=False),
    "tree": Row("a d l f x L: R! P: I: |gitignore |gitfile@ |ignore-case |matchdirs "
                "|metafirst |prune |info |infofile@ |noreport |charset: |filelimit: "
                "|timefmt: o! q N Q p u g s h |si |du D F |inodes |device v t c U r "
                "|dirsfirst |filesfirst |sort: i A S n C X J H: T: |nolinks |hintro@ "
                "|houtro@ |fromfile |fflinks |help |version", prints_content=False),
    # sed's script and files are judged in commands_text.py; these are its options.
    "sed": Row("n|quiet|silent |debug e|expression: f|file!: |follow-symlinks "
               "i|in-place!? l|line-length: |posix E|r|regexp-extended s|separate "
               "|sandbox u|unbuffered z|null-data |help |version", operands="custom"),
    # gawk and mawk differ beyond these: anything else (-f, -e, -i, -l, -W) asks.
    "awk": Row("F: v: |help |version", operands="custom", permute=False),
    "jq": Row("r|raw-output |raw-output0 j|join-output a|ascii-output n|null-input "
              "e|exit-status s|slurp c|compact-output C|color-output M|monochrome-output "
              "S|sort-keys |tab |indent: |seq |stream |stream-errors R|raw-input "
              "|args |jsonargs f|from-file! L! "
              "h|help V|version |build-configuration", operands="custom"),
    "tar": Row(
        "t|list c|create! x|extract|get! r|append! u|update! A|catenate|concatenate! "
        "d|diff|compare! |delete! |test-label f|file: z|gzip|gunzip|ungzip j|bzip2 "
        "J|xz Z|compress|uncompress |zstd |lzip |lzma |lzop a|auto-compress "
        "|no-auto-compress I|use-compress-program!: O|to-stdout C|directory: "
        "T|files-from@ X|exclude-from@ |exclude: |exclude-vcs |exclude-vcs-ignores "
        "|exclude-caches |exclude-caches-all |exclude-caches-under |exclude-backups "
        "|wildcards |no-wildcards |wildcards-match-slash |no-wildcards-match-slash "
        "|anchored |no-anchored |ignore-case |no-ignore-case |strip-components: "
        "|show-transformed-names |show-stored-names |transform|xform: |occurrence? "
        "|numeric-owner |full-time |utc |quoting-style: |quote-chars: |no-quote-chars: "
        "R|block-number b|blocking-factor: B|read-full-records i|ignore-zeros |null "
        "|no-null K|starting-file: N|newer|after-date: |newer-mtime: l|check-links "
        "h|dereference |checkpoint? |checkpoint-action!: |to-command!: "
        "F|info-script|new-volume-script!: M|multi-volume |rmt-command!: "
        "|rsh-command!: |index-file!: |volno-file!: |warning: H|format: |force-local "
        "v|verbose w|interactive|confirmation |totals? S|sparse P|absolute-names "
        "|one-file-system W|verify |no-recursion |recursion |unquote |no-unquote "
        "g|listed-incremental!: G|incremental |remove-files! U|unlink-first! "
        "k|keep-old-files |keep-newer-files |skip-old-files |overwrite! "
        "|overwrite-dir! |recursive-unlink! m|touch! p|preserve-permissions|"
        "same-permissions o|no-same-owner |same-owner |no-same-permissions "
        "V|label: L|tape-length: s|preserve-order|same-order |sort: |atime-preserve? "
        "|ignore-failed-read |ignore-command-error |no-ignore-command-error "
        "|posix |old-archive |show-defaults |show-omitted-dirs |usage |help |version "
        "|restrict |record-size: |hole-detection: |sparse-version: |level: "
        "|one-top-level? |seek n |no-seek |verbatim-files-from |no-verbatim-files-from "
        "|acls |no-acls |selinux |no-selinux |xattrs |no-xattrs |xattrs-exclude: "
        "|xattrs-include: |clamp-mtime |mtime: |mode: |owner: |group: |owner-map@ "
        "|group-map@ |pax-option: |add-file@ |exclude-tag: |exclude-tag-under: "
        "|exclude-tag-all: |exclude-ignore: |exclude-ignore-recursive: |suffix: "
        "|backup? |check-device |no-check-device |delay-directory-restore "
        "|no-delay-directory-restore |keep-directory-symlink |no-overwrite-dir "
        "|hard-dereference |interactive |dereference", operands="custom"),
}
