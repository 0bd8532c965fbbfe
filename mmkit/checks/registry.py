"""Model relations read from Django's app registry: what the Django door checks instead of
the source scan.

Relations (E001, E002) come from the models Django loaded, so swappable models, fields of
abstract bases and fields added by third-party code are seen exactly as Django sees them. Each
relation is placed at its field's assignment in the model's source, read with `ast`, so a
finding points where `mmkit check` would. Importing this module imports Django: only the Django
door uses it.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmkit.checks.relations import Relation
from mmkit.project import Module, Project

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.db import models

# The relation field classes a Relation's kind names, most specific first: a custom field
# is reported as the nearest of these it subclasses, as the source door does.
FIELD_KINDS = (
    ("django.contrib.contenttypes.fields.GenericRelation", "GenericRelation"),
    ("django.db.models.fields.related.OneToOneField", "OneToOneField"),
    ("django.db.models.fields.related.ForeignKey", "ForeignKey"),
    ("django.db.models.fields.related.ManyToManyField", "ManyToManyField"),
    ("django.db.models.fields.related.ForeignObject", "ForeignObject"),
    ("taggit.managers.TaggableManager", "TaggableManager"),
)


def module_of_app(project: Project, app_config: AppConfig) -> Module | None:
    """The project's module an installed app is, by its package name or its directory."""
    for module in project.modules:
        if module.name == app_config.name:
            return module
    app_path = Path(app_config.path).resolve()
    for module in project.modules:
        if module.path.resolve() == app_path:
            return module
    return None


# Relations from the app registry ---------------------------------------------------------


def relations_from_registry(project: Project) -> list[Relation]:
    """Every relation of the models Django loaded for the project's modules."""
    return relations_and_objects(project)[0]


def relations_and_objects(
    project: Project,
) -> tuple[list[Relation], dict[tuple[str, str | None], object]]:
    """The relations, and the model or field each one belongs to (the `obj` of a message)."""
    from django.apps import apps

    labels: dict[str, str] = {}
    for app_config in apps.get_app_configs():
        module = module_of_app(project, app_config)
        if module is not None:
            labels[app_config.label] = module.label

    def label(model: type[models.Model]) -> str:
        meta = model._meta
        return f"{labels.get(meta.app_label, meta.app_label)}.{meta.object_name}"

    relations: list[Relation] = []
    objects: dict[tuple[str, str | None], object] = {}
    for model in apps.get_models():
        if model._meta.app_label not in labels:
            continue
        name = label(model)
        objects[(name, None)] = model
        where = _class_location(model)
        for relation_field, kind, target in _field_relations(model):
            objects[(name, relation_field.name)] = relation_field
            path, line, column, inherited_from = _field_location(model, relation_field, where)
            relations.append(
                Relation(
                    kind=kind,
                    model=name,
                    field=relation_field.name,
                    target=label(target),
                    path=path,
                    line=line,
                    column=column,
                    inherited_from=inherited_from,
                )
            )
        for kind, target in _inheritance(model):
            relations.append(
                Relation(kind, name, None, label(target), where.path, where.line, where.column)
            )
    return relations, objects


def _field_relations(
    model: type[models.Model],
) -> Iterator[tuple[Any, str, type[models.Model]]]:
    """(field, kind, target model) for each forward relation the model itself has.

    Every field Django sees counts, whatever its class: package fields (taggit's
    TaggableManager, modelcluster's ParentalKey) and fields added by code in
    contribute_to_class. A many-to-many field's explicit through model is a relation too.
    Fields of abstract bases are the model's own (Django copies them); fields of concrete
    parents belong to the parent, also the private ones (GenericRelation) Django copies into
    each child; the link to a concrete parent is reported as inheritance.
    """
    meta = model._meta
    for relation_field in (*meta.local_fields, *meta.local_many_to_many, *meta.private_fields):
        target = getattr(relation_field, "related_model", None)
        if not relation_field.is_relation or not isinstance(target, type):
            continue
        if getattr(relation_field, "auto_created", False):
            continue
        remote = relation_field.remote_field
        if relation_field.one_to_one and getattr(remote, "parent_link", False):
            continue
        if getattr(relation_field, "mti_inherited", False):
            continue
        kind = _kind(relation_field)
        yield relation_field, kind, target
        through = getattr(remote, "through", None)
        explicit_through = isinstance(through, type) and not through._meta.auto_created
        if relation_field.many_to_many and explicit_through:
            yield relation_field, "through", through


def _kind(relation_field: object) -> str:
    names = {f"{c.__module__}.{c.__qualname__}" for c in type(relation_field).__mro__}
    for dotted, kind in FIELD_KINDS:
        if dotted in names:
            return kind
    return type(relation_field).__name__


def _inheritance(model: type[models.Model]) -> Iterator[tuple[str, type[models.Model]]]:
    meta = model._meta
    if meta.proxy:
        yield "proxy", meta.proxy_for_model
        return
    for parent in meta.parents:
        yield "parent", parent


# Where a model and its fields are written ------------------------------------------------


@dataclass(frozen=True)
class _ClassSource:
    """A class statement as written: its line, column and the names its body assigns."""

    line: int
    column: int
    assigned: Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class _Location:
    """Where a model is written: its file, class line and column, and its parsed body."""

    path: Path
    line: int
    column: int
    source: _ClassSource | None


_CLASSES_BY_FILE: dict[str, tuple[tuple[int, int], dict[str, _ClassSource]]] = {}


def _classes_in(path: Path) -> dict[str, _ClassSource]:
    """The classes of a file by qualified name, parsed once per version of the file."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _CLASSES_BY_FILE.get(str(path))
    if cached is not None and cached[0] == version:
        return cached[1]
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        classes: dict[str, _ClassSource] = {}
    else:
        classes = dict(_walk_classes(tree.body, ""))
    _CLASSES_BY_FILE[str(path)] = (version, classes)
    return classes


def _walk_classes(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, _ClassSource]]:
    for node in body:
        if isinstance(node, ast.ClassDef):
            qualname = prefix + node.name
            yield qualname, _ClassSource(node.lineno, node.col_offset + 1, _assigned(node))
            yield from _walk_classes(node.body, qualname + ".")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _walk_classes(node.body, f"{prefix}{node.name}.<locals>.")
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for branch in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])):
                yield from _walk_classes(branch, prefix)


def _assigned(node: ast.ClassDef) -> dict[str, tuple[int, int]]:
    assigned: dict[str, tuple[int, int]] = {}
    for statement in _body_statements(node.body):
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                assigned[target.id] = (statement.lineno, statement.col_offset + 1)
    return assigned


def _body_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A class body's statements, also those under if/try/with: wagtail declares fields under
    `if swapper.is_swapped(...)`, and the source door reads them there too."""
    for statement in body:
        if isinstance(statement, ast.If | ast.Try | ast.With):
            handlers = [handler.body for handler in getattr(statement, "handlers", [])]
            for branch in (
                statement.body,
                *handlers,
                getattr(statement, "orelse", []),
                getattr(statement, "finalbody", []),
            ):
                yield from _body_statements(branch)
        else:
            yield statement


def _source_of(cls: type) -> tuple[Path | None, _ClassSource | None]:
    try:
        filename = inspect.getsourcefile(cls)
    except TypeError:
        return None, None
    if filename is None:
        return None, None
    path = Path(filename).resolve()
    return path, _classes_in(path).get(cls.__qualname__)


def _class_location(model: type[models.Model]) -> _Location:
    """The model's class line; line 1 of its file when the class cannot be found there."""
    path, source = _source_of(model)
    if path is None:
        path = Path(*model.__module__.split(".")).with_suffix(".py")
    if source is None:
        return _Location(path, 1, 1, None)
    return _Location(path, source.line, source.column, source)


def _field_location(
    model: type[models.Model], relation_field: Any, where: _Location
) -> tuple[Path, int, int, str | None]:
    """The field's assignment in the model's body, else the class line and the abstract base
    that declares it (None when no class declares it: the field was added by code)."""
    if where.source is not None and relation_field.name in where.source.assigned:
        line, column = where.source.assigned[relation_field.name]
        return where.path, line, column, None
    base = _declaring_base(model, relation_field.name)
    inherited_from = f"{base.__module__}.{base.__qualname__}" if base is not None else None
    return where.path, where.line, where.column, inherited_from


def _declaring_base(model: type[models.Model], name: str) -> type | None:
    """The abstract base model whose class body declares the field `name`.

    Django copies an abstract base's fields into every subclass, abstract or not, so the
    declaring class is the first in the MRO whose source assigns the name; when no source is
    available, the most basic abstract model that has the field.
    """
    fallback = None
    for cls in model.__mro__[1:]:
        meta = getattr(cls, "_meta", None)
        if meta is None or not getattr(meta, "abstract", False):
            continue
        _, source = _source_of(cls)
        if source is not None and name in source.assigned:
            return cls
        local = (*meta.local_fields, *meta.local_many_to_many, *meta.private_fields)
        if any(f.name == name for f in local):
            fallback = cls
    return fallback
