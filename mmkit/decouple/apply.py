"""One decoupling from start to end: resolve the field, refuse what cannot be done safely,
compute every file's new text in memory, then write them all or nothing (or only show them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmkit.decouple import migration, model_rewrite, on_delete, replacement, usages
from mmkit.decouple.django_project import DjangoProject
from mmkit.decouple.edits import FileEdit, Workspace, write_all
from mmkit.decouple.errors import DecoupleError
from mmkit.decouple.facts import FieldFacts
from mmkit.decouple.plan import Crossing, FieldNotFound, resolve
from mmkit.findings import Finding
from mmkit.project import Project, load_project, require_modules


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
        crossing, reported = resolve(project, name)
    except FieldNotFound as missing:
        raise _why_missing(project, missing) from None
    models = _models(crossing)
    django = DjangoProject.of(project)
    facts = _facts(django, crossing, models)
    work = Workspace()
    first = facts[0]
    width = model_rewrite.line_length(project.base_dir)
    link = _rewrite_model(project, crossing, first, work, width)
    _write_migrations(project, django, crossing, facts, link, work)
    first_party = set(project.top_level_packages)
    notes = on_delete.plan_handlers(
        work,
        _target(project, first),
        _cleanups(project, facts, link),
        first_party,
        width,
    )
    if not _events_public(project, crossing.target_module):
        notes.append(
            f'the events of module {crossing.target_module} are not public: add "events" to '
            "its public interface in [tool.mmkit] so the handler may import them"
        )
    sites = _usage_sites(project, crossing, first, work, {f.app for f in facts})
    _shrink_baseline(project, {(f.label, f.field) for f in facts}, reported, work)
    edits = tuple(work.edits())
    for edit in edits:
        if not (
            edit.path.is_relative_to(project.root) or edit.path.is_relative_to(project.base_dir)
        ):
            raise DecoupleError(
                f"{edit.path} is outside the project ({edit.what}); nothing was changed"
            )
    if not dry_run:
        write_all(edits)
    return Outcome(project, crossing, edits, sites, tuple(notes), not dry_run)


def _models(crossing: Crossing) -> list[str]:
    """The concrete models whose field changes: one, or every heir of an abstract base."""
    if crossing.base is None:
        return [crossing.relation.model]
    if crossing.keeps_legitimately:
        kept = ", ".join(crossing.keeps_legitimately)
        verb = "keeps" if len(crossing.keeps_legitimately) == 1 else "keep"
        raise DecoupleError(
            f"{crossing.name} is inherited from {crossing.base}, and {kept} {verb} it "
            "legitimately (no module boundary): override the field in the models that cross "
            "instead, then decouple each"
        )
    return sorted(s.model for s in crossing.shared_by)


def _facts(django: DjangoProject, crossing: Crossing, models: list[str]) -> list[FieldFacts]:
    """Django's view of each field, after every refusal that needs it."""
    apps = sorted({label.partition(".")[0] for label in models})
    answer = django.ask("facts", fields=[[m, crossing.relation.field] for m in models], apps=apps)
    for found in answer["fields"]:
        if "error" in found:
            raise DecoupleError(found["error"])
    facts = [FieldFacts.from_json(found) for found in answer["fields"]]
    for found in facts:
        _refuse_unsafe(found)
    if answer["pending"]:
        raise DecoupleError(
            f"the models of {', '.join(answer['pending'])} have changes without a migration: "
            f"run `manage.py makemigrations {' '.join(answer['pending'])}` first, so the "
            "decoupling migration holds only the decoupling"
        )
    return facts


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


def _refuse_unsafe(found: FieldFacts) -> None:
    if found.many_to_many:
        if not found.through_auto:
            raise DecoupleError(
                f"{found.name} has its own through model {found.through}: decouple that "
                "model's relation field instead"
            )
        replacement.id_class(found.name, found.target_key)
        return
    if found.primary_key:
        raise DecoupleError(f"{found.name} is the model's primary key: decouple it by hand")
    if not found.target_key.primary_key:
        raise DecoupleError(
            f"{found.name} points at a field other than the primary key (to_field): the "
            "deletion event carries the primary key, so decouple it by hand"
        )
    replacement.id_class(found.name, found.target_key)
    on_delete.refuse_unsupported(found.name, found.on_delete)


def _rewrite_model(
    project: Project, crossing: Crossing, first: FieldFacts, work: Workspace, width: int
) -> replacement.LinkModel | None:
    """The field becomes an id field, or the link model of a many-to-many field."""
    field = crossing.relation.field or ""
    source = work.read(crossing.declared_in) or ""
    link = (
        replacement.link_model(first, crossing.target_module, width) if first.many_to_many else None
    )
    new_field = None if link else replacement.id_field(first, crossing.target_module)
    new_name = link.name if link else new_field.name if new_field else field
    replacement.refuse_name_taken(
        source, crossing.declaring_class, new_name, project.relpath(crossing.declared_in)
    )
    change = model_rewrite.Rewrite(
        class_name=crossing.declaring_class,
        field=field,
        replacement=new_field,
        link_model=link.source if link else None,
        target_name=replacement.target_name(source, crossing.declaring_class, field),
        width=width,
    )
    rewritten = model_rewrite.rewrite(source, change)
    if rewritten == source:
        raise DecoupleError(
            f"cannot find the statement `{field} = ...` in class {crossing.declaring_class} of "
            f"{project.relpath(crossing.declared_in)}"
        )
    what = f"the link model {new_name}" if link else new_name
    work.write(crossing.declared_in, rewritten, f"{field} becomes {what}")
    return link


def _write_migrations(
    project: Project,
    django: DjangoProject,
    crossing: Crossing,
    facts: list[FieldFacts],
    link: replacement.LinkModel | None,
    work: Workspace,
) -> None:
    """One migration per affected app, from Django's migration state and the new models."""
    first = facts[0]
    apps = sorted({found.app for found in facts})
    copy = None
    if link is not None:
        functions = migration.copy_functions(first, link.name, link.target_id)
        copy = {"app": first.app, "field": first.field, "functions": functions}
    written = django.ask(
        "migrations",
        overrides={
            _dotted(project, crossing.declared_in): (
                str(crossing.declared_in),
                work.read(crossing.declared_in) or "",
            )
        },
        apps=apps,
        migration_name=f"decouple_{first.model_name}_{first.field}",
        relations=[{"app": f.app, "model_name": f.model_name, "field": f.field} for f in facts],
        link=copy,
    )["migrations"]
    for app in apps:
        if app not in written:
            raise DecoupleError(f"Django sees no change in {app}: nothing was written")
        path = Path(written[app]["path"])
        if path.exists():
            raise DecoupleError(f"{project.relpath(path)} exists already; nothing was changed")
        work.write(path, written[app]["text"], "migration: keeps every row")


def _dotted(project: Project, path: Path) -> str:
    for file in project.files:
        if file.path == path:
            return file.dotted
    raise DecoupleError(f"{path} is not one of the project's files")


def _target(project: Project, found: FieldFacts) -> on_delete.Target:
    module = project.by_label[found.target.partition(".")[0]]
    return on_delete.Target(
        module.path, module.name, found.target_object_name, found.target_key.type
    )


def _cleanups(
    project: Project, facts: list[FieldFacts], link: replacement.LinkModel | None
) -> list[on_delete.Cleanup]:
    """What each owning module does on the target's deletion event: what on_delete did."""
    cleanups = []
    for found in facts:
        module = project.by_label[found.app]
        if link is not None:
            plural = f"{found.object_name.lower()} links"
            cleanups.append(
                on_delete.Cleanup(
                    module.path, module.name, link.name, plural, link.target_id, "CASCADE"
                )
            )
        else:
            cleanups.append(
                on_delete.Cleanup(
                    module.path,
                    module.name,
                    found.object_name,
                    found.plural,
                    found.attname or "",
                    found.on_delete or "",
                )
            )
    return cleanups


def _events_public(project: Project, module_name: str) -> bool:
    module = project.module(module_name)
    return module.is_public(f"{module.name}.events")


def _usage_sites(
    project: Project, crossing: Crossing, found: FieldFacts, work: Workspace, apps: set[str]
) -> tuple[usages.Site, ...]:
    """Every site in the project, with the safe ones rewritten in the owning modules."""
    target_module = crossing.target_module
    batch = found.target_plural.replace(" ", "_")
    relation = usages.Relation(
        field=found.field,
        id_field=found.attname or _link_lookup(found),
        model=found.object_name,
        target_model=found.target_object_name,
        target_module=target_module,
        reverse_accessor=found.reverse_accessor,
        related_query_name=found.related_query_name,
        batch=f"{target_module}.facade.get_{batch}(ids)",
        many_to_many=found.many_to_many,
    )
    owning = [project.by_label[app].path for app in sorted(apps)]
    texts = {edit.path: edit.after for edit in work.edits()}
    sites: list[usages.Site] = []
    for path, result in sorted(usages.find(project, relation, owning, texts=texts).items()):
        sites.extend(result.sites)
        if result.new_text is not None:
            count = sum(1 for site in result.sites if site.rewritten)
            work.write(path, result.new_text, f"{count} usage sites rewritten")
    return tuple(sites)


def _link_lookup(found: FieldFacts) -> str:
    """How a many-to-many's ids are reached once it is a link model: `author_links__author_id`."""
    target = on_delete.snake_case(found.target_object_name)
    return f"{target}_links__{target}_id"


def _shrink_baseline(
    project: Project,
    decoupled: set[tuple[str, str]],
    reported: list[Finding],
    work: Workspace,
) -> None:
    """The baseline's E001 entries of the decoupled field (among `reported`, the relation
    findings) go with it, so no stale entry blocks `manage.py migrate` (mmkit.E101); no other
    entry is touched."""
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
        for finding in reported
        if finding.rule == "mmkit.E001" and (finding.model, finding.field) in decoupled
    }
    if not gone & set(counts):
        return
    for entry in gone:
        counts.pop(entry, None)
    work.write(path, baseline.dumps(counts), "the decoupled field's entries removed")
