"""Layered config: order, merging, origins and a clear error for every kind of mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.config.loader import ConfigError, load_config
from harness.config.schema import json_schema


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".harness").mkdir()
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def user_config(tmp_path_factory_home: Path) -> Path:
    return tmp_path_factory_home


def test_defaults_load_without_any_file(project):
    loaded = load_config(project, environ={})
    assert loaded.settings.permissions.mode == "default"
    assert loaded.origin("model.name") == "defaults"
    assert "claude-sonnet-4-5" in loaded.settings.prices


def test_later_layers_win_in_documented_order(project, monkeypatch, tmp_path):
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    write(xdg / "harness" / "config.toml", '[model]\nname = "user-model"\nmax_tokens = 100\n')
    write(project / ".harness/config.toml", '[model]\nname = "project-model"\n')
    write(project / ".harness/config.local.toml", "[agent]\nmax_turns = 7\n")
    loaded = load_config(
        project, environ={"HARNESS_AGENT__MAX_TURNS": "9"}, flags={"model.name": "flag-model"}
    )
    s = loaded.settings
    assert (s.model.name, s.model.max_tokens, s.agent.max_turns) == ("flag-model", 100, 9)
    assert loaded.origin("model.name") == "flags"
    assert loaded.origin("model.max_tokens") == "user"
    assert loaded.origin("agent.max_turns") == "env"


def test_rule_lists_merge_across_layers_so_a_deny_stays(project, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    write(tmp_path / "xdg/harness/config.toml", '[permissions]\ndeny = ["Bash(rm:*)"]\n')
    write(project / ".harness/config.toml", '[permissions]\ndeny = ["Read(.env)"]\n')
    write(project / ".harness/config.local.toml", '[permissions]\nallow = ["Bash(ls:*)"]\n')
    loaded = load_config(project, environ={}, flags={"permissions.deny": ["GitPush"]})
    assert loaded.settings.permissions.deny == ["Bash(rm:*)", "Read(.env)", "GitPush"]
    assert loaded.settings.permissions.allow == ["Bash(ls:*)"]
    assert loaded.origin("permissions.deny") == "user+project+flags"


def test_env_aliases(project):
    loaded = load_config(
        project,
        environ={
            "HARNESS_MODEL": "m1",
            "HARNESS_PERMISSION_MODE": "plan",
            "HARNESS_HOME": "/ignored",
        },
    )
    assert loaded.settings.model.name == "m1"
    assert loaded.settings.permissions.mode == "plan"


@pytest.mark.parametrize(
    ("text", "key", "needle"),
    [
        ("[model\n", None, "invalid TOML"),
        ("[permisions]\nallow = []\n", "permisions", "unknown key; allowed here: model"),
        ('[model]\nnmae = "x"\n', "model.nmae", "allowed here: name, max_tokens"),
        ('[model]\nmax_tokens = "lots"\n', "model.max_tokens", "valid integer"),
        ('[permissions]\nmode = "yolo"\n', "permissions.mode", "'default', 'acceptEdits'"),
        ('[permissions]\nallow = ["Bash("]\n', "permissions.allow", "unclosed '('"),
        ('[permissions]\ndeny = ["Bsh(ls)"]\n', "permissions.deny", "unknown tool 'Bsh'"),
        ('[permissions]\nask = ["Bash()"]\n', "permissions.ask", "empty specifier"),
        ('[sessions]\nabandon_after = "soon"\n', "sessions.abandon_after", "not a duration"),
        ('[[hooks.pre_tool_use]]\nmatcher = "Bash"\n', "hooks.pre_tool_use.0.command", "required"),
    ],
)
def test_each_kind_of_mistake_names_file_key_and_what_is_allowed(project, text, key, needle):
    path = write(project / ".harness/config.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(project, environ={})
    err = info.value
    assert err.source == str(path)
    assert err.key == key
    assert needle in str(err)


def test_bad_environment_value_names_the_environment(project):
    with pytest.raises(ConfigError) as info:
        load_config(project, environ={"HARNESS_PERMISSION_MODE": "yolo"})
    assert "environment" in info.value.source
    assert info.value.key == "permissions.mode"


def test_non_utf8_file_is_a_clear_error(project):
    (project / ".harness/config.toml").write_bytes(b'[model]\nname = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(project, environ={})


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_config_validate_cli_exits_2_with_the_file_and_key(project):
    write(project / ".harness/config.local.toml", '[permissions]\nallow = ["Bash("]\n')
    proc = _cli("config", "validate", cwd=project)
    assert proc.returncode == 2
    assert "config.local.toml" in proc.stderr and "permissions.allow" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_config_show_json_reports_value_and_layer(project):
    write(project / ".harness/config.toml", '[model]\nname = "claude-opus-4-5"\n')
    proc = _cli("config", "show", "--json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["model.name"] == {"value": "claude-opus-4-5", "layer": "project"}
    assert data["model.max_tokens"]["layer"] == "defaults"


def test_generated_schema_file_is_current():
    shipped = json.loads((Path(__file__).parents[2] / "config" / "schema.json").read_text())
    assert shipped == json.loads(json.dumps(json_schema())), (
        "config/schema.json is stale: run `python -m harness.config.schema`"
    )
