"""The exceptions of the events runtime: what callers and handlers may raise or catch."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


class EventError(TypeError):
    """An event that cannot be published: not a frozen dataclass, or a value JSON cannot hold."""


class EventSettingsError(ImproperlyConfigured):
    """settings.MMKIT_EVENTS is malformed; the message names the key and what it must be."""


class Permanent(Exception):
    """Raised by a handler that will never succeed on this event: dead at once, no retries."""
