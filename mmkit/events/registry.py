"""Which handlers listen to which event types, and the stable names of both.

An event type is named `<app label>.<ClassName>` (or its `__event_name__`), a handler
`<app label>.<function name>`: the names stored in the outbox, so they survive refactorings
that move code within a module. Labels are looked up lazily, once Django's apps are loaded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mmkit.events.errors import EventError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Handler:
    """A function listening to one event type, given as a class or by its stable name."""

    function: Callable[[Any], None]
    event: type | str

    @property
    def id(self) -> str:
        return f"{_label_of(self.function.__module__)}.{self.function.__name__}"

    @property
    def event_name(self) -> str:
        return self.event if isinstance(self.event, str) else event_name(self.event)

    @property
    def where(self) -> str:
        """`module.function`, for messages that must point at the code."""
        return f"{self.function.__module__}.{self.function.__qualname__}"


_handlers: list[Handler] = []
_types: dict[str, type] = {}
# by_id() of the handlers registered so far, once app labels are known.
_by_id: dict[tuple[int, int], dict[str, Handler]] = {}


def _label_of(dotted: str) -> str:
    """The label of the installed app containing `dotted`, else the module name itself."""
    from django.apps import apps

    config = apps.get_containing_app_config(dotted) if apps.apps_ready else None
    return config.label if config is not None else dotted


def is_event_class(value: object) -> bool:
    """A frozen dataclass: the only kind of class publish accepts."""
    if not (isinstance(value, type) and dataclasses.is_dataclass(value)):
        return False
    return bool(value.__dataclass_params__.frozen)  # type: ignore[attr-defined]


def event_name(event_type: type) -> str:
    """The stable name of an event type: its `__event_name__`, else `<app label>.<ClassName>`."""
    explicit = getattr(event_type, "__event_name__", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    return f"{_label_of(event_type.__module__)}.{event_type.__name__}"


def remember(event_type: type) -> str:
    """Record an event type under its name, so publications of it can be read back."""
    from django.apps import apps

    name = _names.get(event_type)
    if name is None:
        name = event_name(event_type)
        _types.setdefault(name, event_type)
        if apps.ready:
            _names[event_type] = name
    return name


_names: dict[type, str] = {}


def event_type(name: str) -> type | None:
    """The class registered under a stable name (by events.py discovery, handles or publish)."""
    return _types.get(name)


def known_event_names() -> list[str]:
    return sorted(_types)


def handles(event: type | str) -> Callable[[F], F]:
    """Register the decorated function as a handler of `event` (a class, or its stable name).

    Subscribe by name (`"books.BookAdded"`) where importing the class would make the two
    modules import each other; the function still receives the event's class.
    """
    if isinstance(event, type):
        if not is_event_class(event):
            raise EventError(f"@handles({event.__qualname__}): an event must be a frozen dataclass")
    elif not (isinstance(event, str) and "." in event):
        raise EventError(
            f"@handles({event!r}): give an event class or its stable name ('label.ClassName')"
        )

    def register(function: F) -> F:
        _handlers.append(Handler(function=function, event=event))
        return function

    return register


def all_handlers() -> list[Handler]:
    """Every registered handler, in registration order."""
    for handler in _handlers:
        if isinstance(handler.event, type):
            remember(handler.event)
    return list(_handlers)


def by_id() -> dict[str, Handler]:
    """Handlers by id; the first wins when two share one (the checks report the second).

    Kept until another handler registers: every publish and delivery asks for it.
    """
    from django.apps import apps

    key = (id(_handlers), len(_handlers))
    if key in _by_id:
        return _by_id[key]
    found: dict[str, Handler] = {}
    for handler in all_handlers():
        found.setdefault(handler.id, handler)
    if apps.ready:
        _by_id.clear()
        _by_id[key] = found
    return found


def for_event(name: str) -> list[str]:
    """The ids of the handlers of one event type, each once (asked on every publish, so kept)."""
    table = by_id()
    cached = _for_event.get(name)
    if cached is not None and cached[0] is table:
        return cached[1]
    found = [handler_id for handler_id, handler in table.items() if handler.event_name == name]
    _for_event[name] = (table, found)
    return found


_for_event: dict[str, tuple[dict[str, Handler], list[str]]] = {}
