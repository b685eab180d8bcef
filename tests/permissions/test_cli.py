"""`harness permissions check`: one call (text and --json), --batch over a whole corpus in one
process, project rules from config, and clear errors (exit 2) for bad input or config."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.permissions.conftest import load_corpus


def _check(repo, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", "permissions", "check", *args],
                          cwd=repo, input=stdin, capture_output=True, text=True, timeout=60)


def test_json_output_has_decision_category_reason_rule_grade_and_sandbox(repo):
    r = _check(repo, "--tool", "Bash", "--input", '{"command": "git push"}', "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["decision"] == "ask" and out["category"] == "git_push"
    assert out["grade"] == "irreversible" and out["rule"] is None and out["reason"]
    sandbox = out["sandbox"]
    assert set(sandbox) == {"available", "mechanism", "detail", "confined", "not_confined",
                            "layers"}
    # What is not confined is always said: at least that reads are not restricted.
    assert any(item.startswith("reads") for item in sandbox["not_confined"]) or \
        sandbox["not_confined"] == ["everything"]


def test_text_output_explains_the_decision(repo):
    r = _check(repo, "--tool", "Read", "--input", '{"file_path": ".env"}')
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(":", 1) for line in r.stdout.splitlines())
    assert lines["decision"].strip() == "ask"
    assert lines["category"].strip() == "read"
    assert "secret" in lines["reason"]
    assert lines["grade"].strip().startswith("reversible")
    assert "sandbox" in lines


def test_mode_flag_and_cwd_flag(repo, tmp_path):
    r = _check(tmp_path, "--tool", "Edit", "--input", '{"file_path": "a.py"}', "--mode",
               "acceptEdits", "--cwd", str(repo), "--json")
    assert json.loads(r.stdout)["decision"] == "allow"
    r = _check(repo, "--tool", "Edit", "--input", '{"file_path": "a.py"}', "--mode", "plan",
               "--json")
    assert json.loads(r.stdout)["decision"] == "deny"


def test_project_rules_from_config_apply(repo):
    (repo / ".harness").mkdir()
    (repo / ".harness" / "config.toml").write_text(
        '[permissions]\nallow = ["Bash(npm test:*)"]\ndeny = ["Read(secrets/**)"]\n')
    r = _check(repo, "--tool", "Bash", "--input", '{"command": "npm test -- -u"}', "--json")
    out = json.loads(r.stdout)
    assert (out["decision"], out["rule"]) == ("allow", "Bash(npm test:*)")
    r = _check(repo, "--tool", "Read", "--input", '{"file_path": "secrets/a"}', "--json")
    assert json.loads(r.stdout)["decision"] == "deny"


def test_batch_answers_the_whole_shell_corpus_in_one_process(repo):
    corpus = load_corpus("shell_commands.jsonl")
    stdin = "".join(json.dumps({"tool": "Bash", "input": {"command": c["command"]},
                                "mode": "default"}) + "\n" for c in corpus)
    r = _check(repo, "--batch", stdin=stdin)
    assert r.returncode == 0, r.stderr
    answers = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(answers) == len(corpus)
    for case, answer in zip(corpus, answers, strict=True):
        assert set(answer) == {"decision", "category", "reason", "rule", "grade", "check"}
        assert answer["check"], case["id"]
        if case["expect"] == "ask":
            assert answer["decision"] != "allow", case["id"]
    allowed = sum(a["decision"] == "allow" for c, a in zip(corpus, answers, strict=True)
                  if c["expect"] == "allow")
    assert allowed / sum(c["expect"] == "allow" for c in corpus) >= 0.9


def test_batch_reports_bad_lines_in_place_and_exits_2(repo):
    stdin = ('{"tool": "Read", "input": {"file_path": "a"}}\nnot json\n'
             '{"tool": "Read", "input": {}, "mode": "yolo"}\n')
    r = _check(repo, "--batch", stdin=stdin)
    assert r.returncode == 2
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert lines[0]["decision"] == "allow"
    assert "line 2" in lines[1]["error"] and "unknown mode" in lines[2]["error"]


def test_invalid_input_json_is_a_usage_error_without_traceback(repo):
    r = _check(repo, "--tool", "Bash", "--input", "{nope")
    assert r.returncode == 2 and "not valid JSON" in r.stderr and "Traceback" not in r.stderr


def test_broken_config_is_a_usage_error_naming_the_file(repo):
    (repo / ".harness").mkdir()
    (repo / ".harness" / "config.toml").write_text('[permissions]\nallow = ["Bash("]\n')
    r = _check(repo, "--tool", "Bash", "--input", '{"command": "ls"}')
    assert r.returncode == 2 and "config.toml" in r.stderr and "Traceback" not in r.stderr
