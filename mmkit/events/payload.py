"""Events to JSON and back: plain values stay plain, others carry a small type tag.

Refusing everything else at publish time (a model instance, a QuerySet) keeps the outbox
readable by any later version of the code and keeps ORM objects from crossing modules.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import importlib
import math
import uuid
from typing import Any

from mmkit.events.errors import EventError
from mmkit.events.registry import is_event_class

TAG = "__mmkit__"


def _path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _load(path: str) -> Any:
    module, _, qualname = path.partition(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _describe(value: Any) -> str:
    kind = type(value)
    if any(base.__module__ == "django.db.models.base" for base in kind.__mro__):
        return f"a {kind.__name__} (a Django model instance); publish its id instead"
    if any(base.__name__ == "QuerySet" for base in kind.__mro__):
        return "a QuerySet; publish a tuple of ids instead"
    return f"a {kind.__module__}.{kind.__qualname__}, which an event cannot carry"


def encode_value(value: Any, where: str) -> Any:
    """One value as JSON data; EventError naming the field for anything unsupported."""
    if isinstance(value, float) and not math.isfinite(value):
        raise EventError(f"{where} is {value!r}, which JSON cannot hold")
    if isinstance(value, enum.Enum):
        return {TAG: "enum", "type": _path(type(value)), "value": value.value}
    if value is None or isinstance(value, bool | str | int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return {TAG: "decimal", "value": str(value)}
    if isinstance(value, datetime.datetime):
        return {TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, datetime.date):
        return {TAG: "date", "value": value.isoformat()}
    if isinstance(value, datetime.time):
        return {TAG: "time", "value": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {TAG: "uuid", "value": str(value)}
    if isinstance(value, tuple):
        return {
            TAG: "tuple",
            "value": [encode_value(v, f"{where}[{i}]") for i, v in enumerate(value)],
        }
    if isinstance(value, list):
        return [encode_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        items = [
            [encode_value(k, f"{where} key"), encode_value(v, f"{where}[{k!r}]")]
            for k, v in value.items()
        ]
        return {TAG: "dict", "value": items}
    if is_event_class(type(value)):
        return {TAG: "dataclass", "type": _path(type(value)), "value": encode_fields(value, where)}
    raise EventError(f"{where} is {_describe(value)}")


def encode_fields(event: Any, where: str) -> dict[str, Any]:
    return {
        field.name: encode_value(getattr(event, field.name), f"{where}.{field.name}")
        for field in dataclasses.fields(event)
    }


def encode(event: Any) -> dict[str, Any]:
    """The event's fields as JSON data; EventError when it is not a frozen dataclass instance."""
    kind = type(event)
    if not is_event_class(kind):
        raise EventError(f"cannot publish {_describe(event)}: an event must be a frozen dataclass")
    return encode_fields(event, kind.__name__)


def decode_value(data: Any) -> Any:
    if isinstance(data, list):
        return [decode_value(item) for item in data]
    if not isinstance(data, dict):
        return data
    tag, value = data.get(TAG), data.get("value")
    if tag == "enum":
        return _load(data["type"])(value)
    if tag == "decimal":
        return decimal.Decimal(value)
    if tag == "datetime":
        return datetime.datetime.fromisoformat(value)
    if tag == "date":
        return datetime.date.fromisoformat(value)
    if tag == "time":
        return datetime.time.fromisoformat(value)
    if tag == "uuid":
        return uuid.UUID(value)
    if tag == "tuple":
        return tuple(decode_value(item) for item in value)
    if tag == "dict":
        return {_hashable(decode_value(k)): decode_value(v) for k, v in value}
    if tag == "dataclass":
        return decode(_load(data["type"]), value)
    raise ValueError(f"unreadable payload value {data!r}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def decode(event_type: type, data: dict[str, Any]) -> Any:
    """An instance of event_type from its stored fields."""
    return event_type(**{name: decode_value(value) for name, value in data.items()})
