"""One decoupling from start to end: resolve the field, refuse what cannot be done safely,
compute every file's new text in memory, then write them all or nothing (or only show them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmkit.decouple import model_rewrite, on_delete, usages
from mmkit.decouple.django_project import DjangoProject
from mmkit.decouple.edits import FileEdit, Workspace, write_all
from mmkit.decouple.errors import DecoupleError
from mmkit.decouple.plan import Crossing, FieldNotFound, relation_findings, resolve
from mmkit.project import Project, load_project, require_modules

ID_FIELDS = {
    "AutoField": "IntegerField",
    "BigAutoField": "BigIntegerField",
    "SmallAutoField": "SmallIntegerField",
    "IntegerField": "IntegerField",
    "BigIntegerField": "BigIntegerField",
    "SmallIntegerField": "SmallIntegerField",
    "PositiveIntegerField": "IntegerField",
    "PositiveBigIntegerField": "BigIntegerField",
    "PositiveSmallIntegerField": "SmallIntegerField",
    "UUIDField": "UUIDField",
    "CharField": "CharField",
}


@dataclass(frozen=True)
class Outcome:
    """What a decoupling changed (or would change, with --dry-run), and what is left to do."""

    project: Project
    crossing: Crossing
    edits: tuple[FileEdit, ...]
    sites: tuple[usages.Site, ...]
    notes: tuple[str, ...]
    written: bool


def decouple(start: Path | str, name: str, dry_run: bool = False) -> Outcome:
    """Decouple the field `label.Model.field` of the project at or above `start`."""
    project = require_modules(load_project(start))
    try:
        crossing = resolve(project, name)
    except FieldNotFound as missing:
        raise _why_missing(project, missing) from None
    models = _models(crossing)
    django = DjangoProject.of(project)
    apps = sorted({label.partition(".")[0] for label in models})
    answer = django.ask("facts", fields=[[m, crossing.relation.field] for m in models], apps=apps)
    facts: list[dict[str, Any]] = answer["fields"]
    for found in facts:
        if "error" in found:
            raise DecoupleError(found["error"])
    _refuse_unsafe(crossing, facts)
    if answer["pending"]:
        pending = ", ".join(answer["pending"])
        raise DecoupleError(
            f"the models of {pending} have changes without a migration: run "
            f"`manage.py makemigrations {' '.join(answer['pending'])}` first, so the decoupling "
            "migration holds only the decoupling"
        )
    work = Workspace()
    first = facts[0]
    models_source = work.read(crossing.declared_in) or ""
    width = model_rewrite.line_length(project.base_dir)
    link = _link_model(crossing, first, width) if first["many_to_many"] else None
    id_field = None if link else _id_field(crossing, first)
    change = model_rewrite.Rewrite(
        class_name=crossing.declaring_class,
        field=crossing.relation.field or "",
        replacement=id_field,
        link_model=link[1] if link else None,
        width=width,
        target_name=_target_name(
            crossing.declared_in, crossing.declaring_class, crossing.relation.field or ""
        ),
    )
    _refuse_name_taken(models_source, crossing, id_field.name if id_field else link[0])
    rewritten = model_rewrite.rewrite(models_source, change)
    if rewritten == models_source:
        raise DecoupleError(
            f"cannot find the statement `{crossing.relation.field} = ...` in class "
            f"{crossing.declaring_class} of {project.relpath(crossing.declared_in)}"
        )
    what = (
        f"{crossing.relation.field} becomes the link model {link[0]}"
        if link
        else f"{crossing.relation.field} becomes {id_field.name if id_field else ''}"
    )
    work.write(crossing.declared_in, rewritten, what)
    dotted = _dotted(project, crossing.declared_in)
    migrations = django.ask(
        "migrations",
        overrides={dotted: (str(crossing.declared_in), rewritten)},
        apps=apps,
        migration_name=f"decouple_{first['model_name']}_{crossing.relation.field}",
        relations=[
            {
                "app": f["label"].partition(".")[0],
                "model_name": f["model_name"],
                "field": f["field"],
            }
            for f in facts
        ],
        link=_link_migration(first, link[0]) if link else None,
    )["migrations"]
    for app in apps:
        if app not in migrations:
            raise DecoupleError(f"Django sees no change in {app}: nothing was written")
        written = migrations[app]
        path = Path(written["path"])
        if path.exists():
            raise DecoupleError(f"{project.relpath(path)} exists already; nothing was changed")
        work.write(path, written["text"], "migration: keeps every row")
    first_party = {module.name.partition(".")[0] for module in project.modules}
    notes = on_delete.plan_handlers(
        work, _target(project, first), _cleanups(project, facts, link), first_party
    )
    if not _events_public(project, crossing.target_module):
        notes.append(
            f'the events of module {crossing.target_module} are not public: add "events" to '
            "its public interface in [tool.mmkit] so the handler may import them"
        )
    sites = _usage_sites(project, crossing, first, work, models)
    _shrink_baseline(project, {(f["label"], f["field"]) for f in facts}, work)
    edits = tuple(work.edits())
    if not dry_run:
        write_all(edits)
    return Outcome(project, crossing, edits, sites, tuple(notes), not dry_run)


def _models(crossing: Crossing) -> list[str]:
    if crossing.base is None:
        return [crossing.relation.model]
    if crossing.keeps_legitimately:
        kept = ", ".join(crossing.keeps_legitimately)
        raise DecoupleError(
            f"{crossing.name} is inherited from {crossing.base}, and {kept} keep it "
            "legitimately (no module boundary): override the field in the models that cross "
            "instead, then decouple each"
        )
    return sorted(s.model for s in crossing.shared_by)


def _why_missing(project: Project, missing: FieldNotFound) -> DecoupleError:
    """The static analysis has no such relation: Django tells whether it exists elsewhere."""
    try:
        django = DjangoProject.of(project)
        found = django.ask("facts", fields=[[missing.model, missing.field]])["fields"][0]
    except DecoupleError:
        return missing
    if "error" in found:
        return DecoupleError(found["error"])
    declared = Path(found["declared_in"])
    if not declared.is_relative_to(project.root):
        return DecoupleError(
            f"{missing.model}.{missing.field} is declared in code outside the project "
            f"({declared}): mmkit decouple only rewrites the project's own files"
        )
    return missing


def _refuse_unsafe(crossing: Crossing, facts: list[dict[str, Any]]) -> None:
    for found in facts:
        name = f"{found['label']}.{found['field']}"
        if found["many_to_many"]:
            if not found["through_auto"]:
                raise DecoupleError(
                    f"{name} has its own through model {found['through']}: decouple that "
                    "model's relation field instead"
                )
            _id_class(name, found["target_pk"])
            continue
        if found["primary_key"]:
            raise DecoupleError(f"{name} is the model's primary key: decouple it by hand")
        if not found["to_primary_key"]:
            raise DecoupleError(
                f"{name} points at a field other than the primary key (to_field): the deletion "
                "event carries the primary key, so decouple it by hand"
            )
        _id_class(name, found["target_pk"])
        on_delete.refuse_unsupported(name, found["on_delete"])


def _id_class(name: str, pk: dict[str, Any]) -> str:
    found = ID_FIELDS.get(pk["type"])
    if found is None:
        raise DecoupleError(
            f"{name}: the target's primary key type is unknown ({pk['type']}, {pk['class']}); "
            "mmkit decouple knows integer, UUID and character keys"
        )
    return found


def _id_field(crossing: Crossing, found: dict[str, Any]) -> model_rewrite.IdField:
    field_class = _id_class(crossing.name, found["target_pk"])
    options: list[tuple[str, str]] = []
    if field_class == "CharField":
        options.append(("max_length", str(found["target_pk"]["max_length"])))
    if found["db_index"] or found["one_to_one"]:
        options.append(("db_index", "True"))
    if found["one_to_one"]:
        options.append(("unique", "True"))
    if found["null"]:
        options.append(("null", "True"))
    if found["blank"]:
        options.append(("blank", "True"))
    if found["db_column"]:
        options.append(("db_column", f'"{found["db_column"]}"'))
    kind = "OneToOneField" if found["one_to_one"] else "ForeignKey"
    target = crossing.relation.target
    comment = (
        f"id of {on_delete.article(target)} {target}, owned by module {crossing.target_module} "
        f"(no {kind} across modules)"
    )
    return model_rewrite.IdField(found["attname"], field_class, tuple(options), comment)


def _link_model(crossing: Crossing, found: dict[str, Any], width: int) -> tuple[str, str]:
    """The link model that replaces a many-to-many field: its name and its source."""
    model = found["object_name"]
    target = found["target_object_name"]
    name = f"{model}{target}"
    source_field = found["through_source"]
    target_id = f"{on_delete.snake_case(target)}_id"
    field_class = _id_class(crossing.name, found["target_pk"])
    prefix = "models."
    related = f"{on_delete.snake_case(target)}_links"
    fk = model_rewrite.call_text(
        source_field,
        f"{prefix}ForeignKey",
        [("", model), ("on_delete", f"{prefix}CASCADE"), ("related_name", f'"{related}"')],
        4,
        width,
    )
    id_line = model_rewrite.call_text(
        target_id, f"{prefix}{field_class}", [("db_index", "True")], 4, width
    )
    constraint = (
        f'{prefix}UniqueConstraint(fields=["{source_field}", "{target_id}"], '
        f'name="{found["label"].partition(".")[0]}_{name.lower()}_unique")'
    )
    if len(constraint) + 12 + 1 > width:
        head, _, rest = constraint.partition("(")
        constraint = f"{head}(\n                {rest[:-1]}\n            )"
    doc = (
        f'"""A {model}\'s {crossing.relation.target} ids: the many-to-many field '
        f'`{crossing.relation.field}`, decoupled."""'
    )
    if len(doc) + 4 > width:
        doc = f'"""The {crossing.relation.target} ids of a {model} (many-to-many, decoupled)."""'
    target_label = crossing.relation.target
    comment = (
        f"# id of {on_delete.article(target_label)} {target_label}, owned by module "
        f"{crossing.target_module} (no relation across modules)"
    )
    source = (
        f"class {name}({prefix}Model):\n"
        f"    {doc}\n\n"
        f"    {_indent(fk)}\n"
        f"    {comment}\n"
        f"    {_indent(id_line)}\n\n"
        "    class Meta:\n"
        "        constraints = [\n"
        f"            {constraint},\n"
        "        ]\n"
    )
    return name, source


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def _link_migration(found: dict[str, Any], link_name: str) -> dict[str, Any]:
    """The two copy functions of a many-to-many's migration, as source text."""
    app = found["label"].partition(".")[0]
    model, field = found["object_name"], found["field"]
    source, target = found["through_source"], found["through_target"]
    target_id = f"{on_delete.snake_case(found['target_object_name'])}_id"
    functions = f'''def copy_rows_to_link_model(apps, schema_editor):
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
    return {"app": app, "field": field, "functions": functions}


def _target_name(path: Path, class_name: str, field: str) -> str | None:
    """The name the relation's target was written with (`Author`), when a plain name: its
    import goes once the field no longer uses it."""
    import ast

    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for statement in node.body:
                if not (
                    isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)
                ):
                    continue
                if not any(isinstance(t, ast.Name) and t.id == field for t in statement.targets):
                    continue
                call = statement.value
                written = next((k.value for k in call.keywords if k.arg == "to"), None)
                written = written or (call.args[0] if call.args else None)
                return written.id if isinstance(written, ast.Name) else None
    return None


def _refuse_name_taken(source: str, crossing: Crossing, name: str) -> None:
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            raise DecoupleError(f"{name} exists already in {crossing.declared_in.name}")
        if isinstance(node, ast.ClassDef) and node.name == crossing.declaring_class:
            for statement in node.body:
                targets = statement.targets if isinstance(statement, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    raise DecoupleError(
                        f"{crossing.declaring_class} has a {name} already: rename it first"
                    )


def _dotted(project: Project, path: Path) -> str:
    for file in project.files:
        if file.path == path:
            return file.dotted
    raise DecoupleError(f"{path} is not one of the project's files")


def _target(project: Project, found: dict[str, Any]) -> on_delete.Target:
    module = project.by_label[found["target"].partition(".")[0]]
    return on_delete.Target(
        module.path, module.name, found["target_object_name"], found["target_pk"]["type"]
    )


def _cleanups(
    project: Project, facts: list[dict[str, Any]], link: tuple[str, str] | None
) -> list[on_delete.Cleanup]:
    cleanups = []
    for found in facts:
        module = project.by_label[found["label"].partition(".")[0]]
        if link is not None:
            target_id = f"{on_delete.snake_case(found['target_object_name'])}_id"
            plural = f"{found['object_name'].lower()} links"
            cleanups.append(
                on_delete.Cleanup(module.path, module.name, link[0], plural, target_id, "CASCADE")
            )
            continue
        cleanups.append(
            on_delete.Cleanup(
                module.path,
                module.name,
                found["object_name"],
                found["plural"],
                found["attname"],
                found["on_delete"],
            )
        )
    return cleanups


def _events_public(project: Project, module_name: str) -> bool:
    module = project.module(module_name)
    return module.is_public(f"{module.name}.events")


def _usage_sites(
    project: Project, crossing: Crossing, found: dict[str, Any], work: Workspace, models: list[str]
) -> tuple[usages.Site, ...]:
    related = found["related_name"]
    if related and related.endswith("+"):
        accessor = None
    elif related:
        accessor = related
    else:
        accessor = found["model_name"] if found["one_to_one"] else f"{found['model_name']}_set"
    target_module = crossing.target_module
    relation = usages.Relation(
        field=found["field"],
        id_field=found.get("attname") or f"{found['field']}_ids",
        model=found["object_name"],
        target_model=found["target_object_name"],
        target_module=target_module,
        reverse_accessor=accessor,
        related_query_name=found["related_query_name"],
        batch=f"{target_module}.facade.get_{found['target_plural'].replace(' ', '_')}(ids)",
        many_to_many=found["many_to_many"],
    )
    labels = {label.partition(".")[0] for label in models}
    owning = [project.by_label[label].path for label in sorted(labels)]
    texts = {}
    for edit in work.edits():
        texts[edit.path] = edit.after
    found_sites = usages.find(project, relation, owning, texts=texts)
    sites: list[usages.Site] = []
    for path, result in sorted(found_sites.items()):
        sites.extend(result.sites)
        if result.new_text is not None:
            count = sum(1 for s in result.sites if s.rewritten)
            work.write(path, result.new_text, f"{count} usage sites rewritten")
    return tuple(sites)


def _shrink_baseline(project: Project, decoupled: set[tuple[str, str]], work: Workspace) -> None:
    """The baseline's E001 entries of the decoupled field go with it, so no stale entry blocks
    `manage.py migrate` (mmkit.E101); no other entry is touched."""
    from mmkit import baseline

    path = baseline.path_for(project)
    try:
        counts = baseline.load(path)
    except baseline.BaselineError:
        return
    if counts is None:
        return
    gone = {
        baseline.key(finding)
        for finding in relation_findings(project)
        if finding.rule == "mmkit.E001" and (finding.model, finding.field) in decoupled
    }
    if not gone & set(counts):
        return
    for entry in gone:
        counts.pop(entry, None)
    work.write(path, baseline.dumps(counts), "the decoupled field's entries removed")
