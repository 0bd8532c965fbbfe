"""mmkit's runtime for tests: isolated runs of one module, stand-ins and fakes of the others,
and helpers for events (mmkit.testing.events).

Imports nothing of the analysis; `fake_module` and `ModuleNotLoaded` are what tests use.
"""

from __future__ import annotations

from mmkit.testing.errors import ModuleNotLoaded
from mmkit.testing.fakes import fake_module

__all__ = ["ModuleNotLoaded", "fake_module"]
