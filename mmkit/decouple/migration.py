"""The migration writer: Django's own autodetector and MigrationWriter, run in the child process
(worker.py) with the rewritten models, wrapped so that the database keeps every row.

For a ForeignKey or OneToOneField: one SeparateDatabaseAndState whose database side only drops
the foreign-key constraint and whose state side is what the autodetector says the new models
are. For a ManyToManyField: the link model is created, the join table's rows copied into it,
then the old field removed. Django is imported inside the functions: the parent process imports
this file only for `copy_functions`.
"""

from __future__ import annotations

from typing import Any

from mmkit.decouple.facts import FieldFacts

PLACEHOLDER = "mmkit_decouple_functions"


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


def pending(apps: list[str]) -> list[str]:
    """The apps among those wanted whose models differ from their migrations already."""
    found = _autodetect(apps, None)["changes"]
    return sorted(app for app in apps if found.get(app))


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


def write(request: dict[str, Any]) -> dict[str, Any]:
    """One migration per app: the state of the new models, the database kept as it is (or, for
    a many-to-many field, the link model created and filled before the old field goes)."""
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
        models = "_".join(sorted({r["model_name"] for r in relations}))
        field = relations[0]["field"] if relations else "field"
        migration.name = f"{migration.name.partition('_')[0]}_decouple_{models}_{field}"
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
    return written


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


def copy_functions(found: FieldFacts, link_name: str, target_id: str) -> str:
    """The two RunPython functions of a many-to-many's migration, as source text."""
    app, model, field = found.app, found.object_name, found.field
    source, target = found.through_source, found.through_target
    return f'''def copy_rows_to_link_model(apps, schema_editor):
    """Copy every row of {model}.{field}'s join table into {link_name}."""
    {model} = apps.get_model("{app}", "{model}")
    {link_name} = apps.get_model("{app}", "{link_name}")
    database = schema_editor.connection.alias
    rows = {model}.{field}.through.objects.using(database)
    {link_name}.objects.using(database).bulk_create(
        (
            {link_name}({source}_id=row.{source}_id, {target_id}=row.{target}_id)
            for row in rows.iterator()
        ),
        batch_size=1000,
    )


def copy_rows_back(apps, schema_editor):
    """Migrating back: the join table gets the rows of {link_name} again."""
    {model} = apps.get_model("{app}", "{model}")
    {link_name} = apps.get_model("{app}", "{link_name}")
    database = schema_editor.connection.alias
    through = {model}.{field}.through
    links = {link_name}.objects.using(database)
    through.objects.using(database).bulk_create(
        (
            through({source}_id=link.{source}_id, {target}_id=link.{target_id})
            for link in links.iterator()
        ),
        batch_size=1000,
    )
'''
