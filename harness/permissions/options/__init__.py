"""The read-only command tables, as data: for each command, every option it takes (so GNU
prefix resolution sees the dangerous ones too) and what its operands are. A command with no
row is not read-only. Option spelling is explained in `harness.permissions.getopt.table`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# files: each operand is a path that gets read; text: operands are not paths; none: the
# command takes no operands; pattern_files: the first operand is a pattern unless -e/-f gave
# one, the rest are paths; custom: commands.py has a function for the command.
Operands = Literal["files", "text", "none", "pattern_files", "custom"]


@dataclass(frozen=True, slots=True)
class Row:
    spec: str
    operands: Operands = "files"
    digits: bool = False  # `head -5`, `grep -3`: a digit cluster is a count
    permute: bool = True  # False for wrappers: options stop at the first operand
    max_operands: int | None = None  # `uniq in out` writes `out`: more operands ask
    prints_content: bool = True  # False: prints facts about files (sizes, sums), never contents


def all_rows() -> dict[str, Row]:
    from harness.permissions.options import coreutils, search, system

    rows: dict[str, Row] = {}
    for module in (coreutils, search, system):
        rows.update(module.ROWS)
    return rows
