"""The command line contract: help lists every subcommand and flag; errors exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.cli import build_parser, main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=60
    )


def test_version_is_printed():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("harness ")


def test_version_imports_nothing_heavy():
    code = (
        "import sys; from harness.cli import main; main(['--version']); "
        "bad = [m for m in ('anthropic', 'textual', 'git', 'pydantic', 'prompt_toolkit') "
        "if m in sys.modules]; print(bad)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "flag",
    [
        "--inline",
        "--resume",
        "--fork",
        "--permission-mode",
        "-p",
        "--output-format",
        "--allowed-tools",
        "--disallowed-tools",
        "--max-turns",
        "--on-ask",
        "--model",
        "--ci",
        "--demo",
        "--continue",
        "--json-schema",
        "--include-partial-messages",
        "--fail-on-denial",
        "resume",
        "sessions",
        "permissions",
        "config",
        "rewind",
    ],
)
def test_help_lists_every_contract_flag_and_subcommand(flag):
    assert flag in run("--help").stdout


@pytest.mark.parametrize(
    ("sub", "flags"),
    [
        (["resume"], ["--approve", "--scope", "--reject", "--edit", "--answer", "--on-ask"]),
        (["sessions", "list"], ["--json"]),
        (["permissions", "check"], ["--tool", "--input", "--batch", "--mode", "--cwd", "--json"]),
    ],
)
def test_subcommand_help_lists_its_flags(sub, flags):
    out = run(*sub, "--help").stdout
    for flag in flags:
        assert flag in out


def test_bad_usage_exits_2_without_traceback():
    proc = run("--permission-mode", "yolo")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr and "Traceback" not in proc.stderr


def test_parser_accepts_the_headless_contract():
    args = build_parser().parse_args(
        [
            "-p",
            "fix it",
            "--output-format",
            "stream-json",
            "--permission-mode",
            "plan",
            "--allowed-tools",
            "Bash(ls:*)",
            "Read",
            "--max-turns",
            "3",
            "--on-ask",
            "interrupt",
            "--fork",
            "abc@4",
        ]
    )
    assert (args.prompt, args.output_format, args.max_turns) == ("fix it", "stream-json", 3)
    assert args.allowed_tools == ["Bash(ls:*)", "Read"]
    assert args.fork == "abc@4"


def test_main_returns_usage_code_for_bad_flags(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--max-turns", "many"])
    assert info.value.code == 2
