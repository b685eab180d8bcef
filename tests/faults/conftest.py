"""Fault-injection tests: real `python -m harness` processes signalled at seeded random
points. The `faults` marker holds the long run; it runs only when selected (`-m faults`)."""

from __future__ import annotations

import pytest

from tests.store.conftest import backend, pg_server  # noqa: F401 - the shared store backends


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "faults: the long fault-injection run (select with -m faults)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "faults" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="long fault-injection run: select it with -m faults")
    for item in items:
        if item.get_closest_marker("faults") is not None:
            item.add_marker(skip)
