"""settings.MMKIT_EVENTS read into a frozen EventSettings, with one message per mistake."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from mmkit.events.errors import EventSettingsError

ON_COMMIT = "on_commit"
WORKER = "worker"
DELIVERIES = (ON_COMMIT, WORKER)


@dataclass(frozen=True)
class EventSettings:
    """How events are delivered; every key of MMKIT_EVENTS is optional."""

    delivery: str = ON_COMMIT
    lease: float = 60.0
    max_attempts: int = 10
    backoff: float = 1.0
    max_backoff: float = 3600.0
    batch_size: int = 100
    poll_interval: float = 1.0
    keep_completed: bool = True


_KEYS = {
    "DELIVERY": "delivery",
    "LEASE": "lease",
    "MAX_ATTEMPTS": "max_attempts",
    "BACKOFF": "backoff",
    "MAX_BACKOFF": "max_backoff",
    "BATCH_SIZE": "batch_size",
    "POLL_INTERVAL": "poll_interval",
    "KEEP_COMPLETED": "keep_completed",
}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _problem(key: str, value: Any) -> str | None:
    """What is wrong with one key's value, or None; the message says what it must be."""
    shown = f"MMKIT_EVENTS[{key!r}] is {value!r}"
    if key == "DELIVERY":
        if value not in DELIVERIES:
            return f"{shown}; it must be {' or '.join(map(repr, DELIVERIES))}"
    elif key in ("MAX_ATTEMPTS", "BATCH_SIZE"):
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            return f"{shown}; it must be a whole number of at least 1"
    elif key in ("LEASE", "POLL_INTERVAL"):
        if not (_number(value) and value > 0):
            return f"{shown}; it must be a number of seconds above 0"
    elif key in ("BACKOFF", "MAX_BACKOFF"):
        if not (_number(value) and value >= 0):
            return f"{shown}; it must be a number of seconds, 0 or more"
    elif key == "KEEP_COMPLETED" and not isinstance(value, bool):
        return f"{shown}; it must be True or False"
    return None


def problems(raw: Any) -> list[str]:
    """Every mistake in a MMKIT_EVENTS value, one line each; empty when it is fine."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        return [f"MMKIT_EVENTS is a {type(raw).__name__}; it must be a dict"]
    found = []
    for key, value in raw.items():
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), list(_KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            found.append(f"MMKIT_EVENTS has an unknown key {key!r}{hint}")
            continue
        problem = _problem(key, value)
        if problem is not None:
            found.append(problem)
    return found


def parse(raw: Any) -> EventSettings:
    """The settings from a MMKIT_EVENTS value; EventSettingsError with the first mistake."""
    found = problems(raw)
    if found:
        raise EventSettingsError(found[0])
    values = {_KEYS[key]: value for key, value in (raw or {}).items()}
    for name in ("lease", "backoff", "max_backoff", "poll_interval"):
        if name in values:
            values[name] = float(values[name])
    return EventSettings(**values)


# The last MMKIT_EVENTS value read, a copy of it, and what it parsed to.
_last: list[tuple[Any, Any, EventSettings]] = []


def current() -> EventSettings:
    """The settings of this process, from django.conf.settings; parsed again when it changes."""
    from django.conf import settings

    raw = getattr(settings, "MMKIT_EVENTS", None)
    if _last and _last[0][0] is raw and _last[0][1] == raw:
        return _last[0][2]
    parsed = parse(raw)
    _last[:] = [(raw, dict(raw) if isinstance(raw, dict) else raw, parsed)]
    return parsed
