"""mmkit's pytest plugin (entry point `pytest11: mmkit`): fixtures for mmkit's runtime.

Loaded before Django is set up, so it imports nothing of Django at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


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
