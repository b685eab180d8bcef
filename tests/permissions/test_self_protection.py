"""Self-protection: writes that could run code or raise privileges are a firm ask in every
mode (plan denies them), whatever allow rules, grants or hooks say. Each row is a spelling a
prompt-injected model might try; the setup is built with real files, symlinks and git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness.config.loader import load_config
from harness.config.rules import parse_rule
from harness.hooks.runner import HookOutcome, combine
from harness.permissions.context import context_from_settings, hook_scripts
from harness.permissions.engine import decide
from harness.permissions.types import PermissionContext, ToolCall

MODES = ("default", "acceptEdits", "plan", "bypassPermissions")
EVERYTHING = tuple(parse_rule(r) for r in ("Edit", "Write", "MultiEdit", "Bash"))


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """A project with a real git repo, a bare-repo-looking folder under an innocent name,
    a nested repo, a symlinked `.harness`, links into `.git` and a hard link to .git/config."""
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "init", "-q", "--bare", str(root / "notgit")], check=True)
    subprocess.run(["git", "init", "-q", str(root / "vendor" / "sub")], check=True)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("x")
    os.symlink(".git", root / "git_link")
    os.symlink("notgit", root / "innocent")
    shared = tmp_path / "shared-harness"
    shared.mkdir()
    (shared / "config.toml").write_text("")
    (root / "sub").mkdir()
    os.symlink(shared, root / "sub" / ".harness")
    os.symlink("sub/.harness", root / "h_link")
    os.link(root / ".git" / "config", root / "cfg_hardlink")
    (root / "half").mkdir()
    (root / "half" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


PROTECTED_WRITES = [
    ".git/config",
    "./.git/../.git/config",
    ".git//hooks/pre-commit",
    ".GIT/config",
    ".Git/hooks/post-checkout",
    ".git/config/",
    "src/../.git/info/attributes",
    "git_link/hooks/pre-push",
    "{root}/.git/config",
    "vendor/sub/.git/config",
    ".git",  # the pointer file of a worktree
    "notgit/config",
    "notgit/hooks/post-update",
    "innocent/config",
    "NOTGIT/../notgit/HEAD",
    "half/config",  # HEAD is there already: with config it is a git dir
    "half/objects/pack/x",
    ".harness/config.toml",
    ".harness/config.local.toml",
    ".Harness/Config.toml",
    ".harness/agents/reviewer.md",
    ".harness/hooks/pre.sh",
    "sub/.harness/config.toml",
    "h_link/config.toml",
    ".claude/agents/reviewer.md",
    ".CLAUDE/Agents/x.md",
    "~/.config/harness/config.toml",
    "~/.config/harness/agents/evil.md",
    "~/.config/Harness/CONFIG.toml",
    "~/.config/harness/../harness/config.local.toml",
    "/proc/self/cwd/.git/config",
    ".harness",
    "cfg_hardlink",
]


@pytest.mark.parametrize("path", PROTECTED_WRITES)
@pytest.mark.parametrize("mode", MODES)
def test_protected_write_is_a_firm_ask_plan_denies(path, mode, world):
    ctx = PermissionContext(project_root=world, mode=mode, allow=EVERYTHING,
                            session_allow=EVERYTHING)
    raw = path.replace("{root}", str(world))
    d = decide(ToolCall("Write", {"file_path": raw, "content": "x"}), ctx)
    assert d.decision == ("deny" if mode == "plan" else "ask"), d.reason
    assert d.check.startswith("protected path"), d.check
    if mode != "plan":
        assert d.firm
        assert combine(d, HookOutcome(decision="allow", reason="hook says yes")) == d


@pytest.mark.parametrize("tool", ["Edit", "MultiEdit"])
def test_every_write_tool_is_protected(tool, world):
    ctx = PermissionContext(project_root=world, mode="acceptEdits", allow=EVERYTHING)
    d = decide(ToolCall(tool, {"file_path": ".git/config", "old_string": "a",
                               "new_string": "b", "edits": []}), ctx)
    assert (d.decision, d.check, d.firm) == ("ask", "protected path: .git/config", True)


ORDINARY_WRITES = [
    ".gitignore", ".gitattributes", ".gitmodules", ".github/workflows/ci.yml",
    "src/config.toml", "docs/HEAD", "assets/objects/cube.obj", "git/config", ".harnessrc",
    "my.harness/config.toml", ".claude/notes.md", "src/app.py", "half/README.md",
    ".git\\config", ".git-blame-ignore-revs", ".harness-backup/config.toml",
    ".config/harness/config.toml", "config.toml", "src/.gitkeep",
]


@pytest.mark.parametrize("path", ORDINARY_WRITES)
def test_ordinary_names_that_look_alike_are_allowed_in_accept_edits(path, world):
    ctx = PermissionContext(project_root=world, mode="acceptEdits")
    d = decide(ToolCall("Write", {"file_path": path, "content": "x"}), ctx)
    assert (d.decision, d.check) == ("allow", "mode acceptEdits: write in project"), d.reason


def test_the_real_folder_behind_a_symlinked_harness_is_protected(world, tmp_path):
    ctx = PermissionContext(project_root=world, mode="acceptEdits",
                            writable_extra=(tmp_path / "shared-harness",))
    # Through the link it is `.harness/`; by its own name it is still what the link names
    # only when the project's own `.harness` is the link.
    os.symlink(tmp_path / "shared-harness", world / ".harness")
    target = tmp_path / "shared-harness" / "config.toml"
    d = decide(ToolCall("Write", {"file_path": str(target)}), ctx)
    assert d.decision == "ask" and d.firm, d.reason


def test_user_config_under_xdg_and_through_a_symlinked_config_folder(world, tmp_path,
                                                                     monkeypatch):
    xdg = tmp_path / "xdg"
    (xdg / "harness").mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    os.symlink(xdg / "harness", world / "cfg_dir")
    ctx = PermissionContext(project_root=world, mode="bypassPermissions",
                            writable_extra=(xdg,))
    for raw in (str(xdg / "harness" / "config.toml"), "cfg_dir/config.toml",
                str(xdg / "harness" / "agents" / "a.md")):
        d = decide(ToolCall("Write", {"file_path": raw}), ctx)
        assert d.decision == "ask" and d.check.startswith("protected path"), raw


def test_tilde_user_spelling_of_the_own_home_is_protected(world):
    import pwd

    me = pwd.getpwuid(os.getuid())
    ctx = PermissionContext(project_root=world, mode="bypassPermissions")
    d = decide(ToolCall("Write", {"file_path": f"~{me.pw_name}/.config/harness/config.toml"}),
               ctx)
    assert d.decision == "ask" and d.check.startswith("protected path"), d.reason


def test_hook_scripts_named_by_configured_hooks_are_protected(world):
    (world / "scripts").mkdir()
    (world / "scripts" / "policy.sh").write_text("#!/bin/sh\n")
    (world / "check.py").write_text("")
    (world / ".harness").mkdir()
    (world / ".harness" / "config.toml").write_text(
        '[[hooks.pre_tool_use]]\ncommand = "./scripts/policy.sh --strict"\n'
        '[[hooks.stop]]\ncommand = "python3 check.py && cd scripts && sh ./later.sh"\n')
    settings = load_config(world).settings
    ctx = context_from_settings(settings, world, mode="acceptEdits")
    for raw in ("scripts/policy.sh", "check.py", "scripts/later.sh"):
        d = decide(ToolCall("Write", {"file_path": raw}), ctx)
        assert d.decision == "ask" and d.firm and "hook" in d.reason, raw
    assert decide(ToolCall("Write", {"file_path": "scripts/other.sh"}),
                  ctx).decision == "allow"


@pytest.mark.parametrize(("command", "expected"), [
    ("./scripts/a.sh", ["scripts/a.sh"]),
    ("bash -c 'python3 tools/h.py --x'", ["tools/h.py"]),
    ("$HOME/bin/hook", ["~/bin/hook"]),
    ("cd ops && ./run", ["ops/run"]),
    ("FOO=1 node hooks/x.js | tee /dev/null", ["hooks/x.js", "/dev/null"]),
    ("python3 -m ops.hook --x", ["ops/hook.py", "ops/hook/__init__.py", "ops/hook/__main__.py"]),
])
def test_hook_script_paths_are_found_in_hook_commands(command, expected, tmp_path):
    found = hook_scripts([command], tmp_path)
    want = [Path(os.path.expanduser(e)) if e.startswith(("~", "/")) else tmp_path / e
            for e in expected]
    assert list(found) == want


def test_shell_write_targets_reported_by_the_analysis_are_protected(world, monkeypatch):
    """The shell analysis reports the files a command writes (`write_paths`); the engine holds
    them to the same protection as the Write tool, so a bare `Bash` rule cannot lift it."""
    from harness.permissions import engine

    real_analyze = engine.analyze

    def with_writes(command, *args):
        a = real_analyze(command, *args)
        a.write_paths = [Path(".git/config")]  # what `echo x > .git/config` writes
        return a

    monkeypatch.setattr(engine, "analyze", with_writes)
    ctx = PermissionContext(project_root=world, mode="acceptEdits", allow=EVERYTHING)
    d = decide(ToolCall("Bash", {"command": "echo x > .git/config"}), ctx)
    assert (d.decision, d.check, d.firm) == ("ask", "protected path: .git/config", True)


def test_hard_linked_file_is_not_counted_as_inside_the_project(world, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    os.link(outside, world / "inner_name.txt")
    ctx = PermissionContext(project_root=world, mode="acceptEdits")
    d = decide(ToolCall("Write", {"file_path": "inner_name.txt"}), ctx)
    assert d.decision == "ask" and "hard link" in d.reason


def test_nul_byte_in_a_path_asks_and_does_not_crash(world):
    ctx = PermissionContext(project_root=world, mode="acceptEdits")
    assert decide(ToolCall("Write", {"file_path": "a\x00b"}), ctx).decision == "ask"
    assert decide(ToolCall("Read", {"file_path": "a\x00b"}), ctx).decision == "ask"


def test_the_folder_core_hooks_path_names_is_protected(world):
    subprocess.run(["git", "-C", str(world), "config", "core.hooksPath", ".husky/_"], check=True)
    (world / ".husky" / "_").mkdir(parents=True)
    from harness.config.schema import Settings

    ctx = context_from_settings(Settings(), world, mode="acceptEdits")
    d = decide(ToolCall("Write", {"file_path": ".husky/_/pre-commit"}), ctx)
    assert d.decision == "ask" and d.firm, d.reason
    assert decide(ToolCall("Write", {"file_path": ".husky/README.md"}), ctx).decision == "allow"


def test_a_worktree_git_dir_by_content_is_protected(world):
    (world / "wt").mkdir()
    (world / "wt" / "HEAD").write_text("ref: refs/heads/x\n")
    (world / "wt" / "commondir").write_text("../..\n")
    ctx = PermissionContext(project_root=world, mode="acceptEdits")
    d = decide(ToolCall("Write", {"file_path": "wt/config.worktree"}), ctx)
    assert d.decision == "ask" and d.check.startswith("protected path"), d.reason


@pytest.mark.parametrize("command", [
    "cp evil .git/config",
    "sudo cp evil .git/config",
    "mv x ./.git/../.git/hooks/pre-commit",
    "install -m 755 x .git/hooks/post-checkout",
    "tee .harness/config.local.toml < rules",
    "git config --file=.git/config core.fsmonitor x",
    "sed -i s/a/b/ .harness/config.toml",
    "ln -sf /tmp/x notgit/hooks/post-update",
    "rm -rf .claude/agents",
])
@pytest.mark.parametrize("mode", ["default", "acceptEdits", "bypassPermissions"])
def test_commands_that_name_a_protected_path_are_a_firm_ask(command, mode, world):
    ctx = PermissionContext(project_root=world, mode=mode, allow=EVERYTHING)
    d = decide(ToolCall("Bash", {"command": command}), ctx)
    assert (d.decision, d.firm) == ("ask", True), d.reason
    assert d.check.startswith("protected path"), d.check


@pytest.mark.parametrize("command", [
    "npm test", "rm -rf build", "git add .gitignore src/app.py",
    "git commit -m 'handle .git/config in tests'", "cp a.txt docs/", "git diff .git/config",
])
def test_other_commands_stay_under_the_rules(command, world):
    ctx = PermissionContext(project_root=world, allow=EVERYTHING)
    d = decide(ToolCall("Bash", {"command": command}), ctx)
    assert d.decision == "allow" and not d.firm, d.reason
