"""Fakes of other modules' facades: what a test gives instead of a module it leaves out.

`fake_module("authors", author_exists=lambda author_id: True)` replaces those functions of
`authors.facade` while it is active, on the real facade and on a stand-in alike, and is
undone on exit. A name the facade does not export is refused, so a typo cannot pass.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

_active: dict[tuple[str, str], list[Callable[..., Any]]] = {}
_ABSENT = object()


def active(interface: str, name: str) -> Callable[..., Any] | None:
    """The fake a test gave for `interface.name` and still holds, if any."""
    stack = _active.get((interface, name))
    return stack[-1] if stack else None


@contextmanager
def fake_module(
    module: str, /, interface: str = "facade", **functions: Callable[..., Any]
) -> Iterator[ModuleType]:
    """Replace functions of MODULE's public interface (its facade) for the `with` block.

    Works whether the module is loaded for real or left out of an isolated run; yields the
    interface module. Nested fakes of the same name undo in order.
    """
    dotted = f"{module}.{interface}"
    target = importlib.import_module(dotted)
    exported = _exported(target)
    for name in functions:
        if name not in exported:
            close = difflib.get_close_matches(name, exported, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise AttributeError(f"{dotted} exports no '{name}'{hint}")
    saved = {name: target.__dict__.get(name, _ABSENT) for name in functions}
    for name, fake in functions.items():
        _active.setdefault((dotted, name), []).append(fake)
        setattr(target, name, fake)
    try:
        yield target
    finally:
        for name, previous in saved.items():
            _active[(dotted, name)].pop()
            if previous is _ABSENT:
                delattr(target, name)
            else:
                setattr(target, name, previous)


def _exported(target: ModuleType) -> list[str]:
    listed = getattr(target, "__all__", None)
    if listed is not None:
        return list(listed)
    return [name for name in vars(target) if not name.startswith("_")]
