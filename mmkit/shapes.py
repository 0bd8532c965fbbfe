"""The shape of JSON read back from the cache: each reader returns its value or raises.

A cache file a bug, a foreign tool or a disk error damaged may hold any JSON; whatever reads
it checks each value's type here, and one of ERRORS makes the entry count as missing.
"""

from __future__ import annotations

from typing import Any

ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)
"""What decoding a damaged entry can raise."""


def integer(value: object) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, not {type(value).__name__}")
    return value


def text(value: object) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def flag(value: object) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected true or false, not {type(value).__name__}")
    return value


def array(value: object, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise TypeError("expected a list" + (f" of {length}" if length is not None else ""))
    return value


def mapping(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise TypeError(f"expected an object, not {type(value).__name__}")
    return value
