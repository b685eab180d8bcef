"""The layer rules of ARCHITECTURE.md, checked on the source: which package may import which
(lazy imports inside functions included), who may import textual or prompt_toolkit, and who
may open the store."""

from __future__ import annotations

import ast
from pathlib import Path

import harness

ROOT = Path(harness.__file__).parent

# Lower number = lower floor. A module may import its own layer and the floors below it.
RANK = {
    "protocol": 0, "config": 1, "store": 2, "permissions": 3, "tools": 4, "model": 5,
    "hooks": 6, "agent": 7, "ui": 8, "entry": 9,
}
# stdlib-only modules anyone may import: exit codes, start-up signal deferral, package marker
SHARED = {"exitcodes", "startup_signals", "__init__"}
FRONT_ENDS = ("tui", "inline", "headless", "web")  # under ui/: never import each other
TERMINAL_LIBS = ("textual", "prompt_toolkit")


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "harness":
        return None
    if len(parts) == 1 or parts[1] in SHARED:
        return "shared"
    if parts[1] in ("cli", "__main__", "commands"):
        return "entry"
    return parts[1]


def front_end_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "ui" and parts[2] in FRONT_ENDS:
        return parts[2]
    return None


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """Every imported module name, at any depth (lazy imports in functions included)."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from harness import x` / `from harness.ui import tui`: the submodule counts
            base_dir = ROOT.parent.joinpath(*name.split("."))
            found += [(node.lineno, f"{name}.{a.name}") for a in node.names
                      if name.startswith("harness") and ((base_dir / a.name).is_dir()
                                                         or (base_dir / f"{a.name}.py").exists())]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def sources() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def test_every_package_has_a_layer():
    for path in sources():
        layer = layer_of(module_name(path))
        assert layer == "shared" or layer in RANK, f"{path}: no layer for {layer!r}"


def test_imports_point_downward_only():
    broken = []
    for path in sources():
        me = module_name(path)
        mine = layer_of(me)
        for line, name in imports(path):
            theirs = layer_of(name)
            if theirs is None or theirs == "shared" or mine == "shared" or theirs == mine:
                continue
            if RANK[theirs] > RANK[mine]:
                broken.append(f"{path.relative_to(ROOT)}:{line} ({mine}) imports {name} ({theirs})")
    assert broken == []


def test_front_ends_do_not_import_each_other():
    broken = []
    for path in sources():
        mine = front_end_of(module_name(path))
        for line, name in imports(path):
            theirs = front_end_of(name)
            if theirs and mine and theirs != mine:
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
            if theirs and layer_of(module_name(path)) == "ui" and mine is None:
                broken.append(f"{path.relative_to(ROOT)}:{line}: the shared kit imports {name}")
    assert broken == []


def test_only_the_ui_imports_terminal_libraries():
    broken = []
    for path in sources():
        if layer_of(module_name(path)) in ("ui", "entry"):
            continue
        for line, name in imports(path):
            if name.split(".")[0] in TERMINAL_LIBS:
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert broken == []


def test_the_entry_point_loads_terminal_libraries_only_lazily():
    for path in [ROOT / "cli.py", ROOT / "__main__.py", *sorted((ROOT / "commands").glob("*.py"))]:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level only: inside functions is the lazy launch
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not [n for n in names if n.split(".")[0] in TERMINAL_LIBS], path


# The one store module a front-end may use: the secret redaction (a pure function over text,
# applied to what headless prints as the store applies it to what it writes).
STORE_MODULES_FOR_FRONT_ENDS = {"harness.store.secrets"}


def test_front_ends_do_not_touch_the_store():
    """Nothing but the agent opens the store; front-ends reach threads through the session."""
    broken = []
    for path in sources():
        if layer_of(module_name(path)) != "ui":
            continue
        for line, name in imports(path):
            if layer_of(name) == "store" and name not in STORE_MODULES_FOR_FRONT_ENDS:
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert broken == []


def test_only_the_agent_and_the_entry_commands_open_the_store():
    broken = []
    for path in sources():
        if layer_of(module_name(path)) in ("agent", "entry", "store"):
            continue
        text = path.read_text()
        if "open_store" in text:
            broken.append(str(path.relative_to(ROOT)))
    assert broken == []
