"""The data files harness reads at run time, shipped inside the package and found through
`importlib.resources` (never a path into a checkout), and the typed error when one is missing.

The top-level `config/` folder is the editable source of the defaults and the schema;
`harness/config/data/` holds the packaged copies (a test proves they are identical).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from harness.config.errors import ConfigError

REINSTALL_HINT = (
    "this harness installation is incomplete; reinstall it (pip install --force-reinstall harness)"
)


@dataclass(frozen=True, slots=True)
class ShippedFile:
    """One runtime data file: the package that holds it and its path inside that package."""

    package: str
    name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.package.replace('.', '/')}/{self.name}"


DEFAULTS = ShippedFile("harness.config", "data/defaults.toml", "shipped defaults and prices")
SCHEMA = ShippedFile("harness.config", "data/schema.json", "JSON Schema of the config")
# Named as data only (no import of the front-end from here): the TUI reads it itself.
TUI_STYLES = ShippedFile("harness.ui.tui", "styles.tcss", "TUI stylesheet")
SHIPPED_FILES: tuple[ShippedFile, ...] = (DEFAULTS, SCHEMA, TUI_STYLES)


class ShippedFileError(ConfigError):
    """A file that ships with harness is missing or unreadable: a broken install, never a
    reason to carry on with empty settings."""


def shipped_resource(item: ShippedFile) -> Traversable:
    return resources.files(item.package).joinpath(*item.name.split("/"))


def read_shipped(item: ShippedFile) -> str:
    """The file's text, or ShippedFileError naming it and how to repair the install."""
    resource = shipped_resource(item)
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = "missing from the installed package"
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc.reason})"
    except OSError as exc:
        problem = f"unreadable ({exc.strerror or exc})"
    raise ShippedFileError(str(resource), f"the {item.role} file is {problem}; {REINSTALL_HINT}")
