"""Removing one rule from a config file keeps the rest of the file, in both spellings the
grant writer produces, and refuses (with what to do) when it cannot edit safely."""

from __future__ import annotations

import tomllib

import pytest

from harness.permissions.grants import GrantError, remove_project_rule


def test_a_rule_is_removed_from_a_multi_line_array_and_the_rest_is_kept(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[model]\nname = "x"  # keep me\n\n[permissions]\nallow = [\n'
                    '  "Bash(make:*)",  # build\n  "Read(docs/**)",\n]\nmode = "plan"\n\n'
                    '[sandbox]\nnetwork = false\n')
    remove_project_rule(path, "allow", "Bash(make:*)")
    text = path.read_text()
    assert "# keep me" in text and 'mode = "plan"' in text
    data = tomllib.loads(text)
    assert data["permissions"] == {"allow": ["Read(docs/**)"], "mode": "plan"}
    assert data["sandbox"] == {"network": False} and data["model"] == {"name": "x"}


def test_the_dotted_top_level_spelling_is_edited_too(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('permissions.deny = ["Bash(rm:*)", "Bash(curl:*)"]\n')
    remove_project_rule(path, "deny", "Bash(rm:*)")
    assert tomllib.loads(path.read_text())["permissions"]["deny"] == ["Bash(curl:*)"]


def test_a_rule_not_in_the_file_or_an_inline_table_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('permissions = { allow = ["Bash(make:*)"] }\n')
    with pytest.raises(GrantError, match="by hand"):
        remove_project_rule(path, "allow", "Bash(make:*)")
    with pytest.raises(GrantError, match=r"is not in permissions\.allow"):
        remove_project_rule(path, "allow", "Bash(ls:*)")
    assert path.read_text() == 'permissions = { allow = ["Bash(make:*)"] }\n'
