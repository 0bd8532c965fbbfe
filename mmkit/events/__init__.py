"""Domain events between modules, delivered through a transactional outbox.

`publish(event)` writes one outbox row per handler in the caller's transaction; handlers
(`@handles(EventClass)` in a module's handlers.py) receive the event after commit. Importing
this package loads no models, so handlers.py and events.py may import it at any time.
"""

from __future__ import annotations

from mmkit.events.errors import EventError, EventSettingsError, Permanent
from mmkit.events.publishing import publish
from mmkit.events.registry import event_name, handles

__all__ = ["EventError", "EventSettingsError", "Permanent", "event_name", "handles", "publish"]
