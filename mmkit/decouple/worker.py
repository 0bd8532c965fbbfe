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

PLACEHOLDER = "mmkit_decouple_functions"
MARKER = "mmkit-decouple-answer:"


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
            through_auto=through._meta.auto_created is not None
            and bool(through._meta.auto_created),
            through=through._meta.label,
            through_source=field.m2m_field_name(),
            through_target=field.m2m_reverse_field_name(),
            target_pk=_pk_facts(target._meta.pk),
        )
        return facts
    on_delete = remote.on_delete
    facts.update(
        on_delete=getattr(on_delete, "__name__", repr(on_delete)),
        column=field.column,
        to_primary_key=field.target_field.primary_key,
        db_column=field.db_column,
        attname=field.attname,
        target_pk=_pk_facts(field.target_field),
    )
    return facts


def _pk_facts(field: Any) -> dict[str, Any]:
    """What the id field needs to know of the target's key: its type, size and length."""
    return {
        "type": field.get_internal_type(),
        "class": f"{type(field).__module__}.{type(field).__qualname__}",
        "max_length": getattr(field, "max_length", None),
    }


def _autodetect(apps_wanted: list[str], migration_name: str | None) -> dict[str, Any]:
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.questioner import MigrationQuestioner
    from django.db.migrations.state import ProjectState

    class Quiet(MigrationQuestioner):
        """The state side never fills rows: a placeholder default, removed again below."""

        def ask_not_null_addition(self, field_name: str, model_name: str) -> Any:
            return 0

        def ask_not_null_alteration(self, field_name: str, model_name: str) -> Any:
            return 0

    loader = MigrationLoader(None, ignore_no_migrations=True)
    before = loader.project_state()
    detector = MigrationAutodetector(
        before, ProjectState.from_apps(apps), questioner=Quiet(defaults={"ask_merge": False})
    )
    changes = detector.changes(
        graph=loader.graph, trim_to_apps=set(apps_wanted), migration_name=migration_name
    )
    return {"loader": loader, "before": before, "changes": changes}


def _pending(request: dict[str, Any]) -> list[str]:
    """The apps among those wanted whose models differ from their migrations already."""
    found = _autodetect(request["apps"], None)["changes"]
    return sorted(app for app in request["apps"] if found.get(app))


def _clean_added(operation: Any) -> Any:
    """An AddField without the questioner's placeholder default: state only, rows untouched."""
    from django.db import migrations
    from django.db.models.fields import NOT_PROVIDED

    if isinstance(operation, migrations.AddField) and not operation.preserve_default:
        field = operation.field.clone()
        field.default = NOT_PROVIDED
        return migrations.AddField(operation.model_name, operation.name, field)
    return operation


def _unconstrained(before: Any, app: str, model_name: str, name: str) -> Any:
    """AlterField to the same relation as the migrations know it, with db_constraint=False:
    the only change the database sees (the foreign-key constraint is dropped)."""
    from django.db import migrations
    from django.utils.module_loading import import_string

    field = before.models[(app, model_name)].fields[name]
    _, path, args, kwargs = field.deconstruct()
    kwargs["db_constraint"] = False
    return migrations.AlterField(model_name, name, import_string(path)(*args, **kwargs))


def _migrations(request: dict[str, Any]) -> dict[str, Any]:
    """One migration per app: the state of the new models, the database kept as it is."""
    from django.db import migrations
    from django.db.migrations.writer import MigrationWriter

    detected = _autodetect(request["apps"], request["migration_name"])
    before, changes = detected["before"], detected["changes"]
    written: dict[str, Any] = {}
    for app in request["apps"]:
        found = changes.get(app, [])
        if not found:
            continue
        state_ops = [_clean_added(op) for migration in found for op in migration.operations]
        migration = found[0]
        dependencies = {dep for m in found for dep in m.dependencies if dep[0] != app}
        dependencies |= {dep for dep in migration.dependencies if dep[0] == app}
        migration.dependencies = sorted(dependencies)
        relations = [r for r in request["relations"] if r["app"] == app]
        link = request.get("link")
        if link is not None and link["app"] == app:
            migration.operations = _link_operations(state_ops, link)
        else:
            database_ops = [
                _unconstrained(before, app, r["model_name"], r["field"]) for r in relations
            ]
            migration.operations = [
                migrations.SeparateDatabaseAndState(
                    database_operations=database_ops, state_operations=state_ops
                )
            ]
        writer = MigrationWriter(migration, include_header=True)
        text = writer.as_string()
        if link is not None and link["app"] == app:
            text = _with_functions(text, link)
        written[app] = {"path": writer.path, "text": text, "name": migration.name}
    return {"migrations": written}


def _link_operations(state_ops: list[Any], link: dict[str, Any]) -> list[Any]:
    """Create the link model, copy the join table's rows into it, then remove the old field."""
    from django.db import migrations

    def copy_rows_to_link_model() -> None: ...

    def copy_rows_back() -> None: ...

    for function in (copy_rows_to_link_model, copy_rows_back):
        function.__module__ = PLACEHOLDER
        function.__qualname__ = function.__name__

    def removes_field(op: Any) -> bool:
        return isinstance(op, migrations.RemoveField) and op.name == link["field"]

    first = [op for op in state_ops if not removes_field(op)]
    last = [op for op in state_ops if removes_field(op)]
    copy = migrations.RunPython(copy_rows_to_link_model, copy_rows_back)
    return [*first, copy, *last]


def _with_functions(text: str, link: dict[str, Any]) -> str:
    """Put the two copy functions into the migration in place of their placeholder import."""
    text = text.replace(f"import {PLACEHOLDER}\n", "").replace(f"{PLACEHOLDER}.", "")
    return text.replace("\n\nclass Migration", "\n\n" + link["functions"] + "\n\nclass Migration")


def main() -> None:
    request = json.loads(sys.stdin.read())
    try:
        _setup(request)
        action = request["action"]
        if action == "facts":
            answer: dict[str, Any] = {
                "fields": [_field_facts(label, name) for label, name in request["fields"]],
                "pending": _pending(request) if request.get("apps") else [],
            }
        else:
            answer = _migrations(request)
    except Exception as error:  # the parent turns this into one line
        answer = {"failure": f"{type(error).__name__}: {error}"}
    sys.stdout.write(f"\n{MARKER}{json.dumps(answer)}\n")


if __name__ == "__main__":
    main()
