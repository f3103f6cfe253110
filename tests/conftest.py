"""Test-wide settings."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

LONGEST_FIRST = ("tests/unit/test_conformance.py",)
"""Test files that take minutes on one worker: started first, so that the other
workers share the rest meanwhile instead of waiting for them at the end."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in LONGEST_FIRST)


@pytest.fixture(autouse=True, scope="session")
def empty_cost_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Start from an empty cost cache, so that tests predict with the checked-in static
    costs whatever calibrations or profiles this machine has cached; tests that need a
    cache set `RAMIEL_CACHE` themselves."""
    previous = os.environ.get("RAMIEL_CACHE")
    os.environ["RAMIEL_CACHE"] = str(tmp_path_factory.mktemp("cost-cache"))
    yield
    if previous is None:
        del os.environ["RAMIEL_CACHE"]
    else:
        os.environ["RAMIEL_CACHE"] = previous


@pytest.fixture(autouse=True, scope="session")
def interrupts_raise() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt in every test, as in an interactive shell, also when
    the suite was started with SIGINT ignored (by `nohup`, or as a background job of a
    script), which children inherit: the tests of interrupted calls rely on it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
