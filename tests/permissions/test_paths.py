"""Path policy: what a path really names (symlinks, `..`, `~`, `~user` resolved before any
containment check, like the kernel and the file tools do), and which reads are secrets."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from harness.permissions import paths as P
from harness.permissions.engine import decide
from harness.permissions.types import PermissionContext, ToolCall


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """proj/ with links that climb out, chain, loop and point deep; outside/ next to it."""
    root = tmp_path / "proj"
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "a" / "b" / "c" / "f.txt").write_text("x")
    (tmp_path / "outside" / "deep").mkdir(parents=True)
    (tmp_path / "outside" / "deep" / "s.txt").write_text("x")
    os.symlink("a/b/c", root / "to_c")  # to_c/.. is a/b, not the root
    os.symlink(tmp_path / "outside" / "deep", root / "out")
    os.symlink("to_c", root / "chain")
    os.symlink("../../..", root / "a" / "b" / "up3")  # a/b/up3 → the root's parent
    os.symlink("nope/missing", root / "dangling")
    return root


@pytest.mark.parametrize(("raw", "inside"), [
    ("a/b/c/f.txt", True),
    ("to_c/f.txt", True),
    ("to_c/../c/f.txt", True),  # `..` after a link goes up from the link's target
    ("to_c/../../../proj/a", True),
    ("to_c/../../../../outside/deep/s.txt", False),
    ("chain/../../b/c", True),
    ("out/s.txt", False),
    ("out/../../proj/a", True),
    ("a/b/up3/outside/deep/s.txt", False),
    ("a/b/up3/proj/a", True),
    ("./a/./b/../b/c", True),
    ("a//b///c", True),
])
def test_containment_is_judged_on_the_path_the_kernel_would_open(raw, inside, tree):
    rp = P.resolve(raw, tree, Path.home())
    assert rp.real == (tree / raw).resolve()  # what the file tools open (Path.resolve)
    assert P.inside(rp.real, [tree.resolve()]) is inside


def test_dangling_link_and_loops_are_problems(tree):
    assert P.resolve("dangling", tree, Path.home()).problem
    os.symlink("loop_b", tree / "loop_a")
    os.symlink("loop_a", tree / "loop_b")
    assert P.resolve("loop_a/x", tree, Path.home()).problem


def test_every_symlink_followed_is_reported(tree):
    rp = P.resolve("chain/f.txt", tree, Path.home())
    assert rp.links == (tree / "chain", tree / "to_c")


def test_tilde_user_resolves_like_os_path_expanduser(tmp_path):
    me = pwd.getpwuid(os.getuid())
    got = P.resolve(f"~{me.pw_name}/x", tmp_path, Path("/fake/home"))
    assert got.lexical == Path(me.pw_dir) / "x"
    assert P.expand("~no-such-user-zz/x", tmp_path, Path.home()) == tmp_path / "~no-such-user-zz/x"
    assert P.expand("~/x", tmp_path, Path("/fake/home")) == Path("/fake/home/x")
    assert P.expand("a/~/x", tmp_path, Path.home()) == tmp_path / "a/~/x"


@pytest.mark.parametrize("raw", [
    "/proc/self/environ", "/proc/1/environ", "/proc/self/cwd/README.md",
    "/proc/thread-self/environ", "/proc/self/mem", "/proc/self/fd/0", "/proc/12345/cmdline",
    "/proc//self/./environ", "/dev/fd/0",
])
def test_process_files_are_secret_reads(raw, tmp_path):
    rp = P.resolve(raw, tmp_path, Path.home())
    assert P.is_secret(rp), raw


@pytest.mark.parametrize("raw", ["/proc/cpuinfo", "/proc/version", "/process/self/x"])
def test_other_proc_files_are_not_secrets(raw):
    assert not P.is_secret_path(Path(raw))


@pytest.mark.parametrize(("raw", "check"), [
    ("/proc/self/environ", "secret path"),
    ("/proc/self/cwd/.env", "secret path"),
    ("~/.ssh/id_rsa", "secret path"),
    ("out/s.txt", "outside project"),
    ("a/b/up3/outside/deep/s.txt", "outside project"),
    ("dangling", "unresolvable path"),
])
def test_reads_that_ask_say_which_check_decided(raw, check, tree):
    ctx = PermissionContext(project_root=tree, extra_roots=(Path("/proc"),))
    d = decide(ToolCall("Read", {"file_path": raw}), ctx)
    assert (d.decision, d.check) == ("ask", check), d.reason
