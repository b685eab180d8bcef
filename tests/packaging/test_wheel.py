"""The built wheel, not the checkout: it holds every file harness reads at run time, and an
unpacked copy of it runs from a folder far from the sources (and fails clearly when broken).

The wheel is built once per module, without build isolation (offline; setuptools and wheel
come with the dev extras), from a copy of the sources so the checkout gets no build/ folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from harness.config.shipped import SHIPPED_FILES

REPO = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(REPO / "harness", src / "harness", ignore=IGNORE)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"building the wheel failed:\n{proc.stdout}\n{proc.stderr}"
    (built,) = out.glob("harness-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    return site


def _run(site: Path, *args: str, cwd: Path, env_extra: dict[str, str] | None = None,
         code: str | None = None) -> subprocess.CompletedProcess:
    """Python with the unpacked wheel first on the path (ahead of the editable checkout's
    finder), started in `cwd`, far from the sources."""
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1", **(env_extra or {})}
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "harness", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_packaged_defaults_and_schema_are_the_config_folder_byte_for_byte():
    for name in ("defaults.toml", "schema.json"):
        source = (REPO / "config" / name).read_bytes()
        packaged = (REPO / "harness" / "config" / "data" / name).read_bytes()
        assert packaged == source, (
            f"harness/config/data/{name} differs from config/{name}: "
            "run `python -m harness.config.schema` to refresh the packaged copies"
        )


def test_wheel_holds_every_runtime_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for item in SHIPPED_FILES:
        assert item.label in names, f"{item.label} ({item.role}) is not in {wheel.name}"
    # Any other non-Python file under harness/ is read at run time too, or it would not be
    # there: the wheel must carry it (a new data file without a package-data line fails here).
    for path in (REPO / "harness").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            rel = path.relative_to(REPO).as_posix()
            assert rel in names, f"{rel} is in the sources but not in {wheel.name}"


def test_wheel_version_and_entry_point(wheel):
    from harness import __version__

    assert wheel.name.startswith(f"harness-{__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        (entry_points,) = [n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt")]
        assert "harness = harness.cli:entry" in zf.read(entry_points).decode()


def test_unpacked_wheel_reads_its_own_defaults_from_any_folder(unpacked, tmp_path):
    where = _run(unpacked, cwd=tmp_path, code="import harness; print(harness.__file__)")
    assert where.stdout.strip().startswith(str(unpacked)), where.stdout + where.stderr
    proc = _run(unpacked, "config", "show", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["prices.claude-sonnet-4-5.input"] == {"value": 3.0, "layer": "defaults"}
    assert shown["model.name"]["layer"] == "defaults"


def test_unpacked_wheel_runs_the_demo_headless_to_the_end(unpacked, tmp_path):
    proc = _run(unpacked, "--demo", "--output-format", "json", cwd=tmp_path,
                env_extra={"HARNESS_HOME": str(tmp_path / "home")})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "done" and result["num_turns"] >= 2, result


def test_a_missing_shipped_defaults_file_is_a_start_up_error_naming_it(unpacked, tmp_path):
    broken = tmp_path / "site"
    shutil.copytree(unpacked, broken)
    (broken / "harness" / "config" / "data" / "defaults.toml").unlink()
    proc = _run(broken, "config", "show", cwd=tmp_path)
    assert proc.returncode == 2
    assert "defaults.toml" in proc.stderr and "reinstall" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    run = _run(broken, "-p", "hello", cwd=tmp_path)  # never a run on empty settings
    assert run.returncode == 2 and "defaults.toml" in run.stderr, run.stderr
    doctor = _run(broken, "doctor", "--json", cwd=tmp_path)
    assert doctor.returncode == 1
    checks = {c["check"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["shipped files"]["status"] == "fail"
    assert "defaults.toml" in checks["shipped files"]["detail"]
    assert "reinstall" in checks["shipped files"]["fix"]


def test_a_missing_tui_stylesheet_is_a_start_up_error_naming_it(unpacked, tmp_path):
    broken = tmp_path / "site"
    shutil.copytree(unpacked, broken)
    (broken / "harness" / "ui" / "tui" / "styles.tcss").unlink()
    code = ("import argparse, sys; from harness.ui.tui.run import run_tui; "
            "sys.exit(run_tui(argparse.Namespace(cwd=None)))")
    proc = _run(broken, cwd=tmp_path, code=code)
    assert proc.returncode == 2, proc.stderr
    assert "styles.tcss" in proc.stderr and "reinstall" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_unreadable_shipped_defaults_file_is_a_start_up_error_too(unpacked, tmp_path):
    broken = tmp_path / "site"
    shutil.copytree(unpacked, broken)
    defaults = broken / "harness" / "config" / "data" / "defaults.toml"
    defaults.unlink()
    defaults.mkdir()  # readable by nobody as a file, root included
    proc = _run(broken, "config", "show", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "defaults.toml" in proc.stderr and "unreadable" in proc.stderr, proc.stderr
