"""Layered settings: defaults → user → project → local → environment → flags, later wins.

Each layer is validated on its own first, so an error names the file (or variable, or
flag) it came from; rule lists merge across layers, so a deny anywhere stays a deny.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.config.errors import ConfigError
from harness.config.home import find_project_root, user_config_path
from harness.config.schema import MERGED_LISTS, Settings
from harness.config.shipped import DEFAULTS, read_shipped, shipped_resource

LAYERS: tuple[str, ...] = ("defaults", "user", "project", "local", "env", "flags")

# Friendly environment names; anything else is HARNESS_<SECTION>__<KEY>.
ENV_ALIASES: dict[str, str] = {
    "HARNESS_MODEL": "model.name",
    "HARNESS_PERMISSION_MODE": "permissions.mode",
    "HARNESS_STORE": "sessions.store",
}
# Environment variables that are not settings.
_ENV_NOT_SETTINGS = frozenset({"HARNESS_HOME", "HARNESS_NO_BACKGROUND_IMPORT"})


@dataclass(frozen=True, slots=True)
class Layer:
    name: str  # one of LAYERS
    source: str  # file path, "environment" or "command line"
    data: dict[str, Any]


@dataclass
class LoadedConfig:
    settings: Settings
    origins: dict[str, str] = field(default_factory=dict)  # dotted key → layer name
    layers: list[Layer] = field(default_factory=list)
    project_root: Path = field(default_factory=Path.cwd)

    def origin(self, dotted: str) -> str:
        return self.origins.get(dotted, "defaults")

    def source_of(self, dotted: str) -> str:
        """Where the winning value of `dotted` came from: a file path, "environment (…)" or
        "command line" (for error messages that name the place to change)."""
        name = self.origin(dotted).split("+")[-1]
        return next((layer.source for layer in self.layers if layer.name == name), name)


def project_config_path(root: Path) -> Path:
    return root / ".harness" / "config.toml"


def local_config_path(root: Path) -> Path:
    return root / ".harness" / "config.local.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    return _parse_toml(text, str(path))


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, f"invalid TOML: {exc}") from None


def _validate_layer(layer: Layer, project_root: Path | None = None) -> None:
    try:
        Settings.model_validate(layer.data, context={"project_root": project_root})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key; allowed here: {_allowed_keys(err['loc'][:-1])}"
        elif err["type"] == "literal_error":
            msg = f"{msg} (got {err.get('input')!r})"
        elif "input" in err and err["type"] != "missing":
            msg = f"{msg} (got {err['input']!r})"
        raise ConfigError(layer.source, msg, key) from None


def _allowed_keys(loc: tuple) -> str:
    model: Any = Settings
    for part in loc:
        field_info = getattr(model, "model_fields", {}).get(part)
        if field_info is None:
            return "(see `harness config show` for every key)"
        model = field_info.annotation
        args = getattr(model, "__args__", None)
        if args:  # list[Hook], dict[str, Price]
            model = args[-1]
    return ", ".join(getattr(model, "model_fields", {})) or "(none)"


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[leaf] = value


def env_layer(environ: dict[str, str] | None = None) -> Layer:
    environ = dict(os.environ if environ is None else environ)
    data: dict[str, Any] = {}
    for name, raw in sorted(environ.items()):
        if not name.startswith("HARNESS_") or name in _ENV_NOT_SETTINGS:
            continue
        if name in ENV_ALIASES:
            _set_dotted(data, ENV_ALIASES[name], raw)
        elif "__" in name:
            section, _, key = name[len("HARNESS_") :].lower().partition("__")
            _set_dotted(data, f"{section}.{key}", _parse_env_value(raw))
    return Layer("env", "environment (HARNESS_*)", data)


def flags_layer(overrides: dict[str, Any] | None) -> Layer:
    data: dict[str, Any] = {}
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, dotted, value)
    return Layer("flags", "command line", data)


def _merge(
    target: dict[str, Any], layer: dict[str, Any], origins: dict[str, str], name: str, prefix=""
) -> None:
    for key, value in layer.items():
        dotted = f"{prefix}{key}"
        path = tuple(dotted.split("."))
        if isinstance(value, dict) and isinstance(target.get(key), dict) and path[0] != "hooks":
            _merge(target[key], value, origins, name, dotted + ".")
            continue
        if path in MERGED_LISTS and isinstance(value, list):
            merged = list(target.get(key, []))
            had = bool(merged) and dotted in origins
            merged += [v for v in value if v not in merged]
            target[key] = merged
            origins[dotted] = f"{origins[dotted]}+{name}" if had else name
            continue
        if isinstance(value, dict) and path[0] == "hooks":
            target.setdefault(key, {})
            _merge(target[key], value, origins, name, dotted + ".")
            continue
        target[key] = value
        if isinstance(value, dict):
            for sub in _leaves(value, dotted + "."):
                origins[sub] = name
        else:
            origins[dotted] = name


def _leaves(data: dict[str, Any], prefix: str) -> list[str]:
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


def defaults_layer() -> Layer:
    """The shipped defaults (prices included), read from inside the package. Missing or
    broken, it is a start-up error: carrying on with empty settings would price every
    model at $0 and let every budget pass."""
    source = str(shipped_resource(DEFAULTS))
    return Layer("defaults", source, _parse_toml(read_shipped(DEFAULTS), source))


def file_layers(project_root: Path) -> list[Layer]:
    """The file layers that exist, in order; a broken file raises ConfigError."""
    paths = [
        ("user", user_config_path()),
        ("project", project_config_path(project_root)),
        ("local", local_config_path(project_root)),
    ]
    return [defaults_layer()] + [
        Layer(name, str(p), _read_toml(p)) for name, p in paths if p.is_file()
    ]


def load_config(
    project_root: Path | None = None,
    *,
    flags: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> LoadedConfig:
    """Read and validate every layer, merge them, and record which layer set each key."""
    root = project_root or find_project_root()
    layers = [*file_layers(root), env_layer(environ), flags_layer(flags)]
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in layers:
        _validate_layer(layer, Path(root).resolve())
        # A copy: merging must not write other layers' rules into this layer's own data.
        _merge(merged, copy.deepcopy(layer.data), origins, layer.name)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:  # only reachable through a cross-layer combination
        err = exc.errors()[0]
        raise ConfigError("merged config", err["msg"], ".".join(map(str, err["loc"]))) from None
    return LoadedConfig(settings=settings, origins=origins, layers=layers, project_root=root)


def flatten(settings: Settings) -> dict[str, Any]:
    """Dotted key → value, for `harness config show`."""
    out: dict[str, Any] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict) and value and prefix.split(".")[0] not in ("hooks",):
            for k, v in value.items():
                walk(v, f"{prefix}.{k}" if prefix else k)
        else:
            out[prefix] = value

    walk(settings.model_dump(mode="json"), "")
    return out
