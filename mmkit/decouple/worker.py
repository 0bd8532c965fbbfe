"""The Django side of `mmkit decouple`, run in a child process with the project's settings.

Only Django knows a field's real options and the migration state, and setting Django up (with
models rewritten in memory, not on disk) cannot be undone in-process: hence a child process that
reads one JSON request on stdin and writes one JSON answer on stdout.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import inspect
import json
import os
import sys
from pathlib import Path
from typing import Any

from mmkit.decouple import migration
from mmkit.decouple.facts import MARKER


class _Overrides(importlib.abc.MetaPathFinder):
    """Serves the rewritten source of some modules instead of their files, so the migration
    is computed from the new models before anything is written."""

    def __init__(self, sources: dict[str, tuple[str, str]]) -> None:
        self.sources = sources

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in self.sources:
            return None
        filename, source = self.sources[name]
        loader = _SourceLoader(filename, source)
        package = Path(filename).name == "__init__.py"
        return importlib.util.spec_from_file_location(
            name,
            filename,
            loader=loader,
            submodule_search_locations=[str(Path(filename).parent)] if package else None,
        )


class _SourceLoader(importlib.abc.SourceLoader):
    def __init__(self, filename: str, source: str) -> None:
        self.filename = filename
        self.source = source

    def get_filename(self, fullname: str) -> str:
        return self.filename

    def get_data(self, path: str) -> bytes:
        if path == self.filename:
            return self.source.encode("utf-8")
        return Path(path).read_bytes()


def _setup(request: dict[str, Any]) -> None:
    for entry in reversed(request["sys_path"]):
        sys.path.insert(0, entry)
    if request.get("overrides"):
        overrides = {k: (v[0], v[1]) for k, v in request["overrides"].items()}
        sys.meta_path.insert(0, _Overrides(overrides))
    os.environ["DJANGO_SETTINGS_MODULE"] = request["settings"]
    import django

    django.setup()


def _declared_in(model: Any, name: str) -> str:
    """The file of the class that declares the field: the model or an abstract base."""
    declared = model
    for cls in model.__mro__:
        meta = getattr(cls, "_meta", None)
        if meta is None:
            continue
        own = [f.name for f in (*meta.local_fields, *meta.local_many_to_many)]
        if name in own and (cls is model or meta.abstract):
            declared = cls
    return inspect.getsourcefile(declared) or ""


def _field_facts(label: str, name: str) -> dict[str, Any]:
    """FieldFacts (facts.py) of the field as JSON, or {"error": why} when there is none."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        model = apps.get_model(label)
    except LookupError:
        return {"error": f"there is no model {label}"}
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return {"error": f"{label} has no field {name!r}"}
    if not field.is_relation or field.auto_created or not field.concrete:
        return {"error": f"{label}.{name} is not a relation field declared on the model"}
    remote = field.remote_field
    target = remote.model
    facts: dict[str, Any] = {
        "label": model._meta.label,
        "model_name": model._meta.model_name,
        "object_name": model._meta.object_name,
        "plural": str(model._meta.verbose_name_plural),
        "field": field.name,
        "declared_in": _declared_in(model, name),
        "target": target._meta.label,
        "target_object_name": target._meta.object_name,
        "target_plural": str(target._meta.verbose_name_plural),
        "db_index": field.db_index,
        "related_name": remote.related_name,
        "related_query_name": field.related_query_name(),
        "null": field.null,
        "blank": field.blank,
        "many_to_many": field.many_to_many,
        "one_to_one": field.one_to_one,
        "primary_key": field.primary_key,
    }
    if field.many_to_many:
        through = remote.through
        facts.update(
            through_auto=bool(through._meta.auto_created),
            through=through._meta.label,
            through_source=field.m2m_field_name(),
            through_target=field.m2m_reverse_field_name(),
            target_key=_key_facts(target._meta.pk),
        )
        return facts
    on_delete = remote.on_delete
    facts.update(
        on_delete=getattr(on_delete, "__name__", repr(on_delete)),
        attname=field.attname,
        column=field.column,
        db_column=field.db_column,
        target_key=_key_facts(field.target_field),
    )
    return facts


def _key_facts(field: Any) -> dict[str, Any]:
    """What the id field needs to know of the target's key: its type, size and length."""
    return {
        "type": field.get_internal_type(),
        "class_path": f"{type(field).__module__}.{type(field).__qualname__}",
        "max_length": getattr(field, "max_length", None),
        "primary_key": field.primary_key,
    }


def main() -> None:
    request = json.loads(sys.stdin.read())
    try:
        _setup(request)
        action = request["action"]
        if action == "facts":
            answer: dict[str, Any] = {
                "fields": [_field_facts(label, name) for label, name in request["fields"]],
                "pending": migration.pending(request["apps"]) if request.get("apps") else [],
            }
        else:
            answer = {"migrations": migration.write(request)}
    except Exception as error:  # the parent turns this into one line
        answer = {"failure": f"{type(error).__name__}: {error}"}
    sys.stdout.write(f"\n{MARKER}{json.dumps(answer)}\n")


if __name__ == "__main__":
    main()
