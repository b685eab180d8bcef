"""Glob and Grep leave out what the permission rules would not let Read show (likely secrets
no rule allows, denied paths), with real rg over real files, and say what they skipped."""

from __future__ import annotations

import pytest

from harness.config.rules import parse_rule
from harness.permissions.engine import search_filter
from harness.permissions.types import PermissionContext
from harness.tools.glob import Glob
from harness.tools.grep import Grep

SECRET = "AKIA-SECRET-VALUE"


async def call(tool, ctx, **kw):
    return await tool.run(tool.parse(kw), ctx)


@pytest.fixture
def tree(project):
    (project / "config").mkdir()
    (project / "keys").mkdir()
    (project / "src").mkdir()
    (project / ".env").write_text(f"TOKEN={SECRET}\n")
    (project / "config" / ".env.production").write_text(f"TOKEN={SECRET}\n")
    (project / "keys" / "deploy.pem").write_text(f"{SECRET}\n")
    (project / "src" / "app.py").write_text("TOKEN = read_env()  # AKIA-SECRET-VALUE docs\n")
    (project / "src" / "we[i]rd*.env.py").write_text("nothing\n")
    return project


def _with_rules(ctx, **rules):
    pctx = PermissionContext(project_root=ctx.project_root, **{
        k: tuple(parse_rule(r) for r in v) for k, v in rules.items()})
    ctx.search_filter = lambda tool: search_filter(pctx, tool)
    return ctx


@pytest.mark.parametrize("mode", ["content", "files_with_matches", "count"])
async def test_grep_never_prints_secret_files_and_names_what_it_skipped(mode, tree, ctx):
    out = await call(Grep(), ctx, pattern="AKIA", output_mode=mode)
    body, _, note = out.content.partition("\n\n[skipped ")
    assert "src/app.py" in body
    assert ".env" not in body and "deploy.pem" not in body
    assert note.startswith("3 files") and ".env" in note and "config/.env.production" in note
    assert "keys/deploy.pem" in note
    assert out.metadata["skipped"] == 3


async def test_grep_glob_filter_aimed_at_secrets_finds_nothing_and_says_why(tree, ctx):
    out = await call(Grep(), ctx, pattern="TOKEN", glob=".env*", output_mode="content")
    assert SECRET not in out.content.split("[skipped")[0]
    assert "No matches" in out.content and "skipped 2 files" in out.content


async def test_grep_in_a_subfolder_skips_its_secrets(tree, ctx):
    out = await call(Grep(), ctx, pattern="TOKEN", path="config", output_mode="content")
    assert SECRET not in out.content.split("[skipped")[0]
    assert "config/.env.production" in out.content


async def test_a_rule_that_allows_a_secret_lets_the_search_show_it(tree, ctx):
    _with_rules(ctx, allow=["Read(.env)"])
    out = await call(Grep(), ctx, pattern="AKIA", output_mode="files_with_matches")
    lines = out.content.split("\n\n[skipped")[0].splitlines()
    assert ".env" in lines and "config/.env.production" not in lines


async def test_a_deny_rule_keeps_its_files_out_of_searches(tree, ctx):
    _with_rules(ctx, deny=["Read(src/**)"])
    out = await call(Grep(), ctx, pattern="AKIA", output_mode="files_with_matches")
    assert "src/app.py" not in out.content.split("\n\n[skipped")[0]
    assert "src/app.py" in out.content  # named as skipped


async def test_a_file_named_outright_is_searched(tree, ctx):
    # The engine asked before this call ran (a secret path named outright); once approved
    # the file is searched.
    out = await call(Grep(), ctx, pattern="TOKEN", path=".env", output_mode="content")
    assert SECRET in out.content


async def test_grep_outside_the_project_keeps_full_paths_and_skips_secrets(tree, ctx,
                                                                          tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("AKIA here\n")
    (other / ".env").write_text(f"X={SECRET}\n")
    out = await call(Grep(), ctx, pattern="AKIA", path=str(other), output_mode="content")
    assert f"{other}/notes.txt:1:AKIA here" in out.content
    assert SECRET not in out.content.split("[skipped")[0] and f"{other}/.env" in out.content


async def test_glob_leaves_secrets_out_of_the_listing_and_names_them(tree, ctx):
    out = await call(Glob(), ctx, pattern="**/*")
    listed = out.content.split("\n\n[skipped")[0].splitlines()
    assert "src/app.py" in listed and "src/we[i]rd*.env.py" in listed
    assert not any(name.endswith((".env", ".pem", ".production")) for name in listed)
    assert "skipped 3 files" in out.content and out.metadata["count"] == 2


async def test_glob_with_nothing_secret_says_nothing_about_skipping(tree, ctx):
    out = await call(Glob(), ctx, pattern="src/*.py")
    assert "skipped" not in out.content and out.metadata["skipped"] == 0
