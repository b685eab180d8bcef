"""Grants stay as narrow as what was approved: one row per command, the rule a "this session"
or "always" approval becomes, and what that rule must not cover."""

from __future__ import annotations

import pytest

from harness.config.rules import parse_rule
from harness.permissions.arity import ARITY, EXACT_ONLY, grant_prefix
from harness.permissions.engine import decide
from harness.permissions.grants import suggest_rule
from harness.permissions.types import PermissionContext, ToolCall

# approved command → the grant it becomes
GRANTS = [
    ("git commit -m 'fix'", "Bash(git commit:*)"),
    ("git commit --amend --no-edit", "Bash(git commit:*)"),
    ("git stash pop", "Bash(git stash pop:*)"),
    ("git remote add origin x", "Bash(git remote add:*)"),
    ("npm run dev", "Bash(npm run dev:*)"),
    ("npm run test:unit -- --watch", "Bash(npm run test:unit:*)"),
    ("npm install", "Bash(npm install:*)"),
    ("npm test", "Bash(npm test:*)"),
    ("pnpm run build", "Bash(pnpm run build:*)"),
    ("yarn add react", "Bash(yarn add:*)"),
    ("docker compose up -d", "Bash(docker compose up:*)"),
    ("docker build -t app .", "Bash(docker build:*)"),
    ("cargo test --release", "Bash(cargo test:*)"),
    ("cargo build", "Bash(cargo build:*)"),
    ("go test ./...", "Bash(go test:*)"),
    ("go mod tidy", "Bash(go mod tidy:*)"),
    ("kubectl get pods -A", "Bash(kubectl get:*)"),
    ("kubectl rollout restart deploy/api", "Bash(kubectl rollout restart:*)"),
    ("terraform plan", "Bash(terraform plan:*)"),
    ("make build", "Bash(make build:*)"),
    ("pytest tests/unit -x", "Bash(pytest:*)"),
    ("touch a.txt", "Bash(touch:*)"),
    ("mkdir -p build/out", "Bash(mkdir:*)"),
    ("aws s3 ls", "Bash(aws s3 ls:*)"),
    # fewer words than the row needs, an option where the subcommand goes, no row: exact
    ("git", "Bash(git)"),
    ("make", "Bash(make)"),
    ("npm run", "Bash(npm run)"),
    ("git -C other commit -m x", "Bash(git -C other commit -m x)"),
    ("make -j4", "Bash(make -j4)"),
    ("./build.sh --fast", "Bash(./build.sh --fast)"),
    ("frobnicate --all", "Bash(frobnicate --all)"),
    # exec-capable programs: never a prefix
    ("sort -o out.txt in.txt", "Bash(sort -o out.txt in.txt)"),
    ("awk -f prog.awk data", "Bash(awk -f prog.awk data)"),
    ("sed -i s/a/b/ f.txt", "Bash(sed -i s/a/b/ f.txt)"),
    ("tar -xf a.tar", "Bash(tar -xf a.tar)"),
    ("find . -name x -delete", "Bash(find . -name x -delete)"),
    ("env FOO=1 make", "Bash(FOO=1 make)"),  # env is seen through: the wrapped command
    ("python3 scripts/migrate.py", "Bash(python3 scripts/migrate.py)"),
    ("rm -rf build", "Bash(rm -rf build)"),
    # subcommands that run whatever follows them
    ("docker run --rm alpine sh", "Bash(docker run --rm alpine sh)"),
    ("docker compose exec app bash", "Bash(docker compose exec app bash)"),
    ("kubectl exec -it pod -- sh", "Bash(kubectl exec -it pod -- sh)"),
    ("npm exec vite", "Bash(npm exec vite)"),
    ("uv run python x.py", "Bash(uv run python x.py)"),
    ("git submodule foreach git pull", "Bash(git submodule foreach git pull)"),
    ("git rebase -x 'make test' main", "Bash(git rebase -x 'make test' main)"),
]


@pytest.mark.parametrize(("command", "rule"), GRANTS, ids=[g[0] for g in GRANTS])
def test_grant_for_an_approved_command(command, rule, repo):
    got = suggest_rule(ToolCall("Bash", {"command": command}), PermissionContext(
        project_root=repo))
    assert str(got) == rule


@pytest.mark.parametrize(("approved", "other"), [
    ("git commit -m x", "git push origin main"),
    ("git commit -m x", "git reset --hard"),
    ("npm run dev", "npm run deploy"),
    ("npm run dev", "npm publish"),
    ("docker compose up", "docker compose down -v"),
    ("cargo test", "cargo publish"),
    ("kubectl get pods", "kubectl delete pods --all"),
    ("make build", "make deploy"),
])
def test_a_grant_never_covers_a_sibling_subcommand(approved, other, repo):
    ctx = PermissionContext(project_root=repo)
    rule = suggest_rule(ToolCall("Bash", {"command": approved}), ctx)
    granted = PermissionContext(project_root=repo, session_allow=(rule,), allow=(rule,))
    assert decide(ToolCall("Bash", {"command": approved}), granted).decision == "allow"
    assert decide(ToolCall("Bash", {"command": other}), granted).decision != "allow"


@pytest.mark.parametrize("command", ["xargs rm", "find . -name '*.o' | xargs rm -f",
                                     "env -S 'rm -rf x'", "nice -n 5 make deploy"])
def test_wrapped_commands_get_no_prefix_grant(command, repo):
    rule = suggest_rule(ToolCall("Bash", {"command": command}),
                        PermissionContext(project_root=repo))
    assert rule is None or not str(rule).endswith(":*)") or str(rule) == "Bash(make deploy:*)"


@pytest.mark.parametrize("program", ["git", "sort", "awk", "sed", "tar", "find", "xargs",
                                     "env", "bash", "python3"])
def test_no_grant_is_ever_a_bare_program_prefix(program, repo):
    for command in (f"{program} --version", f"{program} x y", f"{program}"):
        rule = suggest_rule(ToolCall("Bash", {"command": command}),
                            PermissionContext(project_root=repo))
        assert rule is None or rule.specifier != f"{program}:*", command


def test_the_table_is_data_without_contradictions():
    assert not set(ARITY) & EXACT_ONLY
    for prefix, arity in ARITY.items():
        assert arity >= 1 and prefix.split()[0] not in EXACT_ONLY
        assert grant_prefix(prefix.split() + ["x"] * 3) is None or len(
            grant_prefix(prefix.split() + ["x"] * 3)) == arity


def test_search_grants_name_the_folder_not_the_tool(repo, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    ctx = PermissionContext(project_root=repo)
    call = ToolCall("Grep", {"pattern": "x", "path": str(outside)})
    assert decide(call, ctx).decision == "ask"
    rule = suggest_rule(call, ctx)
    assert rule is not None and rule.specifier and rule.specifier.startswith("//")
    granted = PermissionContext(project_root=repo, session_allow=(rule,))
    assert decide(call, granted).decision == "allow"
    other = ToolCall("Grep", {"pattern": "x", "path": "/etc"})
    assert decide(other, granted).decision == "ask"
    assert parse_rule(str(rule)) == rule
