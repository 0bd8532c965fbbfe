"""mmkit's pytest plugin (entry point `pytest11`): fixtures for tests of a module.

`fake_module` gives fakes of other modules' facades for one test, undone after it; it works
in a full run and in an isolated `mmkit test` run alike. `captured_events` and
`deliver_events` are the events helpers of mmkit.testing.events. Nothing of Django is imported
when the plugin loads (before Django is set up).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from types import ModuleType
from typing import Any

import pytest

from mmkit.testing import fakes


@pytest.fixture(name="fake_module")
def fake_module_fixture() -> Iterator[Callable[..., ModuleType]]:
    """`fake_module("authors", author_exists=lambda author_id: True)`, for this test only."""
    with ExitStack() as stack:

        def fake(module: str, /, **functions: Callable[..., Any]) -> ModuleType:
            return stack.enter_context(fakes.fake_module(module, **functions))

        yield fake


@pytest.fixture
def captured_events() -> Iterator[Any]:
    """Every event the test publishes (mmkit.testing.events.CapturedEvents)."""
    from mmkit.testing.events import capture_events

    with capture_events() as events:
        yield events


@pytest.fixture
def deliver_events() -> Callable[..., int]:
    """`deliver_events()` delivers due publications now (mmkit.testing.events.deliver_now)."""
    from mmkit.testing.events import deliver_now

    return deliver_now


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "uses_module(*names): the test needs these modules loaded for real; an isolated "
        "`mmkit test` run that leaves one out skips it",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test marked uses_module(...) when a module it names is a stand-in in this run."""
    for marker in item.iter_markers("uses_module"):
        for name in marker.args:
            if getattr(importlib.import_module(name), "__mmkit_stand_in__", False):
                pytest.skip(f"module '{name}' is left out of this isolated run")
