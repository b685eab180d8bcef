"""git's read-only subcommands and every option each takes (git 2.39 `-h` output and
Documentation/*-options.txt). git's parse-options takes unique prefixes and `--no-` forms,
so dangerous options are listed too (`!`), and `--out` resolves to `--output` and asks."""

from __future__ import annotations

# Options that come before the subcommand; git matches these exactly (git.c).
GLOBAL_SAFE = frozenset({
    "--no-pager", "-P", "--no-optional-locks", "--literal-pathspecs", "--glob-pathspecs",
    "--noglob-pathspecs", "--icase-pathspecs", "--no-replace-objects", "--no-advice",
    "--html-path", "--man-path", "--info-path", "--version", "--help",
})
GLOBAL_WITH_VALUE = frozenset({"-C", "-c", "--config-env", "--git-dir", "--work-tree",
                               "--namespace", "--super-prefix", "--list-cmds", "--exec-path"})

DIFF = (
    "p|patch u s|no-patch U|unified: |output!: |output-indicator-new: "
    "|output-indicator-old: |output-indicator-context: |raw |patch-with-raw "
    "|indent-heuristic |no-indent-heuristic |minimal |patience |histogram |anchored: "
    "|diff-algorithm: |stat? |stat-width: |stat-name-width: |stat-graph-width: "
    "|stat-count: |compact-summary |numstat |shortstat X|dirstat? |cumulative "
    "|dirstat-by-file? |summary |patch-with-stat z |name-only |name-status |submodule? "
    "|color? |no-color |color-moved? |no-color-moved |color-moved-ws: "
    "|no-color-moved-ws |word-diff? |word-diff-regex: |color-words? |no-renames "
    "|rename-empty |no-rename-empty |check |ws-error-highlight: |full-index |binary "
    "|abbrev? B|break-rewrites? M|find-renames? C|find-copies? |find-copies-harder "
    "D|irreversible-delete l: |diff-filter: S: G: |find-object: |pickaxe-all "
    "|pickaxe-regex O@ |skip-to: |rotate-to: R |relative? |no-relative a|text "
    "|ignore-cr-at-eol |ignore-space-at-eol b|ignore-space-change w|ignore-all-space "
    "|ignore-blank-lines I|ignore-matching-lines: |inter-hunk-context: "
    "W|function-context |exit-code |quiet |ext-diff! |no-ext-diff |textconv "
    "|no-textconv |ignore-submodules? |src-prefix: |dst-prefix: |no-prefix "
    "|default-prefix |line-prefix: |ita-invisible-in-index |ita-visible-in-index "
    "|no-index! |cached |staged |merge-base 1|base 2|ours 3|theirs 0 c |cc |dd m "
    "|diff-merges: |no-diff-merges |combined-all-paths |remerge-diff t |full-diff "
    "|no-stat |relative-date"
)
REVS = (
    "n|max-count: |skip: |since|after: |until|before: |since-as-filter: |author: "
    "|committer: |grep-reflog: |grep: |all-match |invert-grep i|regexp-ignore-case "
    "|basic-regexp E|extended-regexp F|fixed-strings P|perl-regexp |remove-empty "
    "|merges |no-merges |min-parents: |max-parents: |no-min-parents |no-max-parents "
    "|first-parent |exclude-first-parent-only |not |all |branches? |tags? |remotes? "
    "|glob: |exclude: |exclude-hidden: |reflog |alternate-refs |single-worktree "
    "|ignore-missing |bisect |stdin! |cherry-mark |cherry-pick |left-only |right-only "
    "|cherry g|walk-reflogs |merge |boundary |simplify-by-decoration |show-pulls "
    "|full-history |dense |sparse |simplify-merges |ancestry-path? |date-order "
    "|author-date-order |topo-order |reverse |no-walk? |do-walk |pretty? |format: "
    "|abbrev-commit |no-abbrev-commit |oneline |encoding: |expand-tabs? "
    "|no-expand-tabs |notes? |no-notes |show-notes? |standard-notes |no-standard-notes "
    "|show-signature |date: |parents |children |left-right |graph |no-graph "
    "|show-linear-break? |follow |no-follow |decorate? |no-decorate |decorate-refs: "
    "|decorate-refs-exclude: |clear-decorations |source |mailmap|use-mailmap "
    "|no-mailmap|no-use-mailmap |log-size L: q |early-output? |count |objects "
    "|objects-edge |unpacked |header |timestamp |in-commit-order |no-object-names "
    "|object-names |filter: |missing: |disk-usage? |max-age: |min-age: |show-origin "
    "|end-of-options"
)

# subcommand -> option spec. Operands are revisions and paths, checked in gitcmd.py.
SUBCOMMANDS: dict[str, str] = {
    "log": DIFF + " " + REVS,
    "whatchanged": DIFF + " " + REVS,
    "show": DIFF + " " + REVS,
    "diff": DIFF,
    "diff-tree": DIFF + " " + REVS + " r |root |no-commit-id v |stdin! |no-stdin",
    "diff-files": DIFF + " q r",
    "diff-index": DIFF + " r",
    "range-diff": DIFF + " " + REVS + " |creation-factor: |no-dual-color |dual-color",
    "rev-list": REVS + " " + DIFF,
    "shortlog": REVS + " n|numbered s|summary e|email w? c|committer |group: ",
    "status": "s|short b|branch |porcelain? |long v|verbose u|untracked-files? "
              "|ignored? |ignore-submodules? z |column? |no-column |ahead-behind "
              "|no-ahead-behind |renames |no-renames |find-renames? |show-stash",
    "blame": "|contents@ S@ |ignore-revs-file@ |ignore-rev: L: l t s e|show-email w "
             "M? C? f|show-name n|show-number p|porcelain |line-porcelain |incremental b "
             "|root |show-stats |score-debug |progress |no-progress |abbrev? c |date: "
             "|encoding: |minimal |reverse: |first-parent |color-lines |color-by-age "
             "|since: |end-of-options",
    "annotate": "|contents@ S@ |ignore-revs-file@ |ignore-rev: L: l t s e|show-email w "
                "M? C? f|show-name n|show-number p|porcelain |incremental b |root "
                "|abbrev? c |date: |encoding: |minimal |reverse: |first-parent",
    "grep": "a|text |textconv |no-textconv i|ignore-case I |max-depth: r|recursive "
            "w|word-regexp v|invert-match h H |full-name E|extended-regexp "
            "G|basic-regexp F|fixed-strings P|perl-regexp n|line-number |column "
            "l|files-with-matches|name-only L|files-without-match "
            "O|open-files-in-pager!? z|null o|only-matching c|count |color? |no-color "
            "|break |heading p|show-function C|context: A|after-context: "
            "B|before-context: W|function-context |threads: f@ e: |and |or |not ( ) "
            "q|quiet |all-match |cached |untracked |no-index! |exclude-standard "
            "|no-exclude-standard |recurse-submodules m|max-count: |end-of-options",
    "ls-files": "c|cached d|deleted m|modified o|others i|ignored s|stage u|unmerged "
                "k|killed z t v f |directory |no-empty-directory |empty-directory |eol "
                "x|exclude: X|exclude-from@ |exclude-per-directory: |exclude-standard "
                "|error-unmatch |with-tree: |full-name |recurse-submodules |abbrev? "
                "|debug |deduplicate |sparse |format: |resolve-undo",
    "ls-tree": "d r t l|long z |name-only|name-status |object-only |full-name "
               "|full-tree |abbrev? |format: ",
    "rev-parse": "|short? |verify q|quiet |abbrev-ref? |symbolic |symbolic-full-name "
                 "|all |branches? |tags? |remotes? |glob: |exclude: |disambiguate: "
                 "|show-toplevel |show-cdup |show-prefix |git-dir |git-common-dir "
                 "|absolute-git-dir |is-inside-git-dir |is-inside-work-tree "
                 "|is-bare-repository |is-shallow-repository |git-path: "
                 "|show-superproject-working-tree |shared-index-path |show-object-format? "
                 "|show-ref-format |local-env-vars |since|after: |until|before: "
                 "|default: |prefix: |revs-only |no-revs |flags |no-flags |sq "
                 "|not |path-format: |end-of-options",
    "cat-file": "t s e p |textconv |filters |path: |batch!? |batch-check? "
                "|batch-command!? |batch-all-objects |buffer |follow-symlinks |unordered "
                "|allow-unknown-type Z z |use-mailmap|mailmap |no-use-mailmap",
    "describe": "|all |tags |contains |abbrev: |candidates: |exact-match |debug |long "
                "|match: |exclude: |always |first-parent |dirty? |broken?",
    "count-objects": "v|verbose H|human-readable",
    "merge-base": "a|all |octopus |independent |is-ancestor |fork-point",
    "name-rev": "|tags |refs: |exclude: |all |annotate-stdin |stdin |name-only "
                "|no-undefined |always",
    "show-ref": "|head |tags |heads |branches d|dereference s|hash? |verify |abbrev? "
                "q|quiet |exclude-existing? |exists",
    "for-each-ref": "|count: |shell |perl |python |tcl |sort: |format: |color? "
                    "|points-at: |merged? |no-merged? |contains? |no-contains? "
                    "|ignore-case |omit-empty |exclude: |include-root-refs",
    "check-ignore": "q|quiet v|verbose |stdin z n|non-matching |no-index",
    "check-attr": "a|all |cached |stdin z |source: ",
    "version": "|build-options",
    "var": "l",
    "cherry": "v |abbrev?",
    "merge-tree": "|write-tree! |name-only |messages |no-messages |trivial-merge",
    "help": "a|all g|guides i|info! m|man! w|web!",
}

# Listing forms: these subcommands are read-only only with these options (and create or
# delete with others, listed as `!` so prefixes of them ask).
BRANCH = ("a|all r|remotes l|list v|verbose |show-current |contains? |no-contains? "
          "|merged? |no-merged? |points-at: |sort: |format: |color? |no-color |column? "
          "|no-column i|ignore-case |omit-empty |abbrev? |no-abbrev q|quiet d|delete! D! "
          "m|move! M! c|copy! C! u|set-upstream-to!: |unset-upstream! |edit-description! "
          "f|force! t|track!? |no-track! |create-reflog! |recurse-submodules!")
TAG = ("l|list n? |contains? |no-contains? |merged? |no-merged? |points-at: |sort: "
       "|format: |color? |column? |no-column i|ignore-case |omit-empty a|annotate! "
       "s|sign! u|local-user!: f|force! d|delete! v|verify! m|message!: F|file!: e|edit! "
       "|cleanup!: |create-reflog! |no-sign")
STASH_SHOW = DIFF + " u|include-untracked |only-untracked"
WORKTREE_LIST = "|porcelain v|verbose |expire: z"
CONFIG = ("|get |get-all |get-regexp |get-urlmatch l|list |show-origin |show-scope "
          "|global |system |local |worktree f|file@ |blob: |type: |bool |int "
          "|bool-or-int |path |expiry-date z|null |name-only |includes |no-includes "
          "|default: |add! |replace-all! |unset! |unset-all! |rename-section! "
          "|remove-section! e|edit! |fixed-value")
