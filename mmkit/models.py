"""The `mmkit` app's models: the events outbox (defined in mmkit.events.models)."""

from __future__ import annotations

from mmkit.events.models import Publication

__all__ = ["Publication"]
