"""Entry point: parse flags, pick a front-end or subcommand, map outcomes to exit codes.

Start-up is a hot path: nothing heavy (pydantic, anthropic, textual, git) is imported at
module level here; each subcommand imports its own handler lazily.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from harness import __version__
from harness.exitcodes import USAGE

OUTPUT_FORMATS = ("text", "json", "stream-json")
# `-p` given without a task (`cat task | harness -p`): told apart from `-p ""`, which is refused.
PRINT_WITHOUT_TASK = "\0-p without a task"

EPILOG = """\
a task:
  harness "TASK" [flags]      run TASK headless, like -p TASK (piped stdin is added to it)
  harness -c [-p TASK]        continue the most recent thread of this project

subcommands:
  harness resume THREAD [--approve [--scope once|session|project] | --reject FEEDBACK
                        | --edit JSON | --answer TEXT] [--call CALL_ID]
                        [--output-format ...] [--on-ask ...]
                        (the run's own rules, mode, model and limits are kept unless given)
  harness sessions list|show THREAD [--tree]|fork THREAD@SEQ|gc [--json]
  harness permissions check (--tool NAME --input JSON | --batch) [--mode M] [--cwd DIR] [--json]
  harness permissions replay THREAD [--mode M] [--json]   each past call decided again now
  harness permissions grants [--revoke ID] [--json]   session grants and config rules
  harness config show|validate [--json]
  harness rewind THREAD@SEQ [--yes]
  harness doctor [--json] [--store URL]   check the environment; exit 1 on a problem

exit codes: 0 done · 1 runtime failure (or a refused call, with --fail-on-denial) · 2 bad
usage or config · 3 awaiting a human decision · 4 a limit was reached · 130 cancelled
(state saved)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a usage hint, never a traceback
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"harness: error: {message}\n")


def _add_run_flags(p: argparse.ArgumentParser, *, with_prompt: bool) -> None:
    from harness.protocol.kinds import MODES  # lazily: `--version` stays import-free

    if with_prompt:
        p.add_argument(
            "-p",
            "--print",
            dest="prompt",
            metavar="TASK",
            nargs="?",
            const=PRINT_WITHOUT_TASK,
            help="run TASK headless and print the result (no TUI); `harness TASK` does the "
            "same; piped stdin is added to TASK (or is the task without one)",
        )
        p.add_argument(
            "-c",
            "--continue",
            dest="continue_last",
            action="store_true",
            help="continue the most recent thread of this project (like --resume)",
        )
        p.add_argument(
            "--json-schema",
            metavar="SCHEMA",
            help="headless: the final answer must be JSON valid against SCHEMA (a file or "
            "inline JSON); returned as structured_output, one retry on a mismatch",
        )
        p.add_argument(
            "--ci",
            action="store_true",
            help="headless: never show a prompt (implied when stdin is not a TTY)",
        )
        p.add_argument(
            "--inline",
            action="store_true",
            help="use the inline prompt in the normal scrollback instead of the TUI",
        )
        p.add_argument("--vi", action="store_true", help="vi key bindings in the inline prompt")
        p.add_argument(
            "--resume",
            nargs="?",
            const="",
            metavar="THREAD",
            help="continue THREAD (default: the last thread of this project)",
        )
        p.add_argument(
            "--fork",
            metavar="THREAD[@SEQ]",
            help="start a new thread from THREAD at SEQ (default: its last step)",
        )
        p.add_argument(
            "--demo",
            action="store_true",
            help="offline demo with a built-in scripted model (no API key needed)",
        )
        p.add_argument(
            "--allowed-tools",
            nargs="+",
            default=[],
            metavar="RULE",
            help="extra allow rules, e.g. 'Bash(npm test:*)' 'Edit(src/**)'",
        )
        p.add_argument(
            "--disallowed-tools", nargs="+", default=[], metavar="RULE", help="extra deny rules"
        )
        p.add_argument(
            "--max-turns", type=int, metavar="N", help="stop after N model turns (exit 4)"
        )
        p.add_argument("--max-budget-usd", type=float, metavar="USD", help="cost budget (exit 4)")
        p.add_argument("--model", metavar="NAME", help="model id, e.g. claude-sonnet-4-5")
        p.add_argument(
            "--permission-mode",
            choices=MODES,
            metavar="MODE",
            help=f"permission mode: {', '.join(MODES)}",
        )
        p.add_argument(
            "--allow-bypass",
            action="store_true",
            help="offer bypassPermissions when cycling modes interactively",
        )
    p.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="headless output: text (default), json (final result), stream-json",
    )
    p.add_argument(
        "--on-ask",
        choices=("deny", "interrupt"),
        default=None,  # None: deny, or on resume the thread's own run's choice
        help="headless: deny an ask (default; on resume: the run's own choice) or save it "
        "and exit 3",
    )
    p.add_argument(
        "--include-partial-messages",
        action="store_true",
        help="stream-json: also a text_delta line for each piece of the reply as it streams",
    )
    p.add_argument(
        "--fail-on-denial",
        action="store_true",
        help="headless: exit 1 when the run finished but refused a tool call",
    )
    p.add_argument("--store", metavar="URL", help="session store: postgresql://… (default SQLite)")
    p.add_argument("--cwd", metavar="DIR", help="project folder (default: current folder)")


def build_parser() -> argparse.ArgumentParser:
    from harness.protocol.kinds import MODES  # lazily: `--version` stays import-free

    parser = _Parser(
        prog="harness",
        allow_abbrev=False,  # else `sessions list --all` is "ambiguous" with --allowed-tools
        description="A terminal coding agent: the model works in your repository through tools; "
        "writes, commands and pushes ask you first; every step is saved and resumable.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    _add_run_flags(parser, with_prompt=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    resume = sub.add_parser("resume", help="continue a thread, answering its pending request")
    resume.add_argument("thread", metavar="THREAD")
    answer = resume.add_mutually_exclusive_group()
    answer.add_argument("--approve", action="store_true", help="approve the pending request")
    answer.add_argument(
        "--reject", metavar="FEEDBACK", help="reject it; FEEDBACK goes to the model"
    )
    answer.add_argument("--edit", metavar="JSON", help="run it with this tool input instead")
    answer.add_argument("--answer", metavar="TEXT", help="answer a pending AskUser question")
    resume.add_argument(
        "--scope",
        choices=("once", "session", "project"),
        default="once",
        help="with --approve: once, for this session, or always in this project",
    )
    resume.add_argument(
        "--call",
        metavar="CALL_ID",
        help="the pending call this answer is for (as printed at exit 3); refused if another "
        "call is pending",
    )
    # Resume keeps the run's own options from the log; these override them explicitly.
    resume.add_argument("--max-turns", type=int, metavar="N")
    resume.add_argument("--permission-mode", choices=MODES, metavar="MODE")
    resume.add_argument("--allowed-tools", nargs="+", metavar="RULE")
    resume.add_argument("--disallowed-tools", nargs="+", metavar="RULE")
    resume.add_argument("--max-budget-usd", type=float, metavar="USD")
    resume.add_argument("--model", metavar="NAME")
    _add_run_flags(resume, with_prompt=False)

    sessions = sub.add_parser("sessions", help="list, show, fork and clean up threads")
    ssub = sessions.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    s_list = ssub.add_parser("list", help="threads of this project, newest first")
    s_list.add_argument("--all", action="store_true", help="threads of every project")
    s_show = ssub.add_parser("show", help="a thread's timeline, each event with its seq")
    s_show.add_argument("thread", metavar="THREAD")
    s_show.add_argument(
        "--tree",
        action="store_true",
        help="the whole tree of a run (subagents) with durations, tokens, cost",
    )
    s_fork = ssub.add_parser("fork", help="new thread from THREAD at SEQ (O(1), shares the prefix)")
    s_fork.add_argument("target", metavar="THREAD@SEQ")
    s_gc = ssub.add_parser("gc", help="mark threads awaiting approval too long as abandoned")
    s_gc.add_argument(
        "--delete-older-than",
        metavar="AGE",
        help="also delete abandoned/done threads older than AGE (e.g. 30d)",
    )
    for sp in (s_list, s_show, s_fork, s_gc):
        sp.add_argument("--json", action="store_true", help="machine-readable output")
        sp.add_argument("--store", metavar="URL", help="session store URL (default SQLite)")
        sp.add_argument("--cwd", metavar="DIR", help="project folder (default: current folder)")

    perms = sub.add_parser("permissions", help="ask the permission engine about a tool call")
    psub = perms.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    check = psub.add_parser("check", help="decision, category, reason and rule for a call")
    src = check.add_mutually_exclusive_group(required=True)
    src.add_argument("--tool", metavar="NAME", help="tool name, e.g. Bash, Edit, Read")
    src.add_argument(
        "--batch",
        action="store_true",
        help='read {"tool","input","mode"} per line on stdin, answer one per line',
    )
    check.add_argument("--input", metavar="JSON", help="the tool input as JSON (with --tool)")
    check.add_argument("--mode", choices=MODES, help="permission mode (default: from config)")
    check.add_argument("--cwd", metavar="DIR", help="project folder (default: current folder)")
    check.add_argument("--json", action="store_true", help="print the decision as JSON")
    replay = psub.add_parser(
        "replay", help="every tool call of THREAD decided again under the current config")
    replay.add_argument("thread", metavar="THREAD", help="thread id or a unique prefix")
    replay.add_argument("--mode", choices=MODES,
                        help="decide in this mode (default: the thread's mode at each call)")
    grants = psub.add_parser(
        "grants", help="session approvals and config rules of this project, each with an ID")
    grants.add_argument("--revoke", metavar="ID", help="revoke this grant or remove this rule")
    for pp in (replay, grants):
        pp.add_argument("--json", action="store_true", help="machine-readable output")
        pp.add_argument("--store", metavar="URL", help="session store URL (default SQLite)")
        pp.add_argument("--cwd", metavar="DIR", help="project folder (default: current folder)")

    config = sub.add_parser("config", help="show or validate the effective settings")
    csub = config.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    for name, text in (
        ("show", "effective settings and the layer each came from"),
        ("validate", "check every config file"),
    ):
        cp = csub.add_parser(name, help=text)
        cp.add_argument("--json", action="store_true", help="machine-readable output")
        cp.add_argument("--cwd", metavar="DIR", help="project folder (default: current folder)")

    doctor = sub.add_parser(
        "doctor", help="check this environment (key, store, sandbox, terminal…) and explain fixes"
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.add_argument("--store", metavar="URL", help="check this store instead of the configured")
    doctor.add_argument("--cwd", metavar="DIR", help="project folder (default: current folder)")

    rewind = sub.add_parser("rewind", help="restore files to how they were at THREAD@SEQ")
    rewind.add_argument("target", metavar="THREAD@SEQ")
    rewind.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rewind.add_argument("--cwd", metavar="DIR", help="project folder (default: current folder)")
    rewind.add_argument("--store", metavar="URL", help="session store URL (default SQLite)")
    return parser


def split_task(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[str | None, list[str]]:
    """`harness "TASK" …`: take the positional task out of `argv` (argparse cannot tell it
    from a subcommand). Options are skipped with the values they take, as argparse would;
    a first positional that names a subcommand leaves `argv` as it is. (argparse has no
    public view of its option table, hence `_actions` and `_option_string_actions`.)"""
    commands: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            rest = argv[i + 1:]
            return (rest[0], argv[:i] + rest[1:]) if rest else (None, argv)
        if token.startswith("-") and token != "-":
            action = parser._option_string_actions.get(token.split("=", 1)[0])
            i += 1
            if action is None or "=" in token or action.nargs == 0:
                continue
            if action.nargs is None:
                i += 1
            elif action.nargs == "?":
                i += 1 if i < len(argv) and not argv[i].startswith("-") else 0
            else:  # "+" / "*": every value up to the next option
                while i < len(argv) and not argv[i].startswith("-"):
                    i += 1
            continue
        if token in commands:
            return None, argv
        return token, argv[:i] + argv[i + 1:]
    return None, argv


def normalise_task(args: argparse.Namespace, task: str | None) -> str | None:
    """One task from `-p TASK` or the positional; `-c` as `--resume` of the last thread.
    Returns what is wrong, or None."""
    if args.prompt == PRINT_WITHOUT_TASK:
        args.prompt = None
        args.ci = True  # `-p` alone is still headless: the task comes on stdin
    if task is not None:
        if args.prompt is not None:
            return "the task is given twice (as -p TASK and as an argument); give it once"
        args.prompt = task
    if args.continue_last:
        if args.resume is not None or args.fork is not None:
            return "-c/--continue continues the last thread; do not combine it with --resume " \
                   "or --fork"
        args.resume = ""
    return None


def entry() -> None:
    """The console script: run, flush, and leave without tearing down every module.

    Unloading the SDK and friends at interpreter exit costs ~0.4 s, paid by every scripted
    `harness -p`; all state is already committed and closed when `main` returns.
    """
    import os

    from harness import startup_signals

    startup_signals.defer()  # signals are remembered until a safe point or a front-end
    try:
        code = main()
    except KeyboardInterrupt:  # a signal before the subcommand started: nothing was written
        print("harness: cancelled", file=sys.stderr)
        code = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # the fastest path: no parser, no imports
        print(f"harness {__version__}")
        return 0
    parser = build_parser()
    task, args_list = split_task(parser, args_list)
    args = parser.parse_args(args_list)
    command = args.command or "run"
    if command == "run":
        problem = normalise_task(args, task)
        if problem:
            parser.print_usage(sys.stderr)
            print(f"harness: error: {problem}", file=sys.stderr)
            return USAGE
    headless = command == "resume" or (
        command == "run" and (args.prompt is not None or args.ci or not sys.stdin.isatty())
    )
    if headless and not getattr(args, "demo", False):
        # The SDK takes ~1 s to import: start it now, before config, store and tools load.
        # (The TUI starts it after its first frame, so the import never delays a key press.)
        from harness.model.preload import start_background_import

        start_background_import()
    from importlib import import_module

    from harness import startup_signals

    handler = import_module(f"harness.commands.{command}")
    try:
        if command not in ("run", "resume"):  # these hand the signals to their front-end
            startup_signals.raise_from_now_on()
        return int(handler.main(args) or 0)
    except KeyboardInterrupt:
        from harness.exitcodes import CANCELLED

        print("harness: cancelled", file=sys.stderr)
        return CANCELLED
    except BrokenPipeError:  # `harness … | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0
