"""The Django door: system checks that run mmkit's rules on what Django's app registry sees.

Relations (E001, E002) come from the models Django loaded, so swappable models, fields of
abstract bases and fields added by third-party code are seen exactly as Django sees them;
everything else runs the same library as `mmkit check`. Findings become Django's Error and
Warning messages, so SILENCED_SYSTEM_CHECKS, --tag and --fail-level work as for any check.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core import checks

from mmkit.cache import DIRNAME, Cache
from mmkit.checks import IMPORT_RULES, RELATION_RULES, no_modules
from mmkit.checks.relations import Relation
from mmkit.config import (
    PYPROJECT,
    UNREADABLE_HINT,
    ConfigError,
    NoConfigError,
    has_mmkit_table,
)
from mmkit.findings import RULES, Finding, Severity
from mmkit.project import Module, Project, SourceFile, load_project

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.db import models

IMPORT_CHECKS_SETTING = "MMKIT_IMPORT_CHECKS"
CACHE_DIR_SETTING = "MMKIT_CACHE_DIR"
CONFIG_SETTING = "MMKIT_CONFIG"
STALE_HINT = RULES["mmkit.E101"].fix

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

_UNSET = object()


# The check functions Django calls (registered in mmkit.apps) ----------------------------


def check_configuration(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """mmkit.E100 when the configuration or the baseline cannot be used, or the project cannot
    be analysed; mmkit.E101 per stale baseline entry, which fails the check as in `mmkit check`."""
    outcome = _outcome()
    if outcome.error is not None:
        return [checks.Error(outcome.error, hint=outcome.hint, id="mmkit.E100")]
    if outcome.project is not None and not outcome.project.modules:
        # One warning whatever the tag, like E100: the same W005 `mmkit check` reports.
        return [to_message(finding) for finding in outcome.findings]
    return [
        checks.Error(f"stale baseline entry: {entry}", hint=STALE_HINT, id="mmkit.E101")
        for entry in outcome.stale
    ]


def check_relations(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """E001 and E002: model relations that cross module boundaries, from the app registry."""
    return _messages(app_configs, relation_rules=True)


def check_imports(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every other rule (imports, cycles, dependencies, public interfaces, suppressions)."""
    return _messages(app_configs, relation_rules=False)


@dataclass(frozen=True)
class _Outcome:
    """One analysis of the project, shared by the check functions of one `check` run."""

    project: Project | None = None
    findings: tuple[Finding, ...] = ()
    stale: tuple[str, ...] = ()
    objects: Mapping[tuple[str, str | None], object] = field(default_factory=dict)
    error: str | None = None
    hint: str = RULES["mmkit.E100"].fix


def _failed(error: Exception, message: str | None = None) -> _Outcome:
    """mmkit.E100's message and the hint for its cause: configuration, settings, baseline, files."""
    if isinstance(error, ConfigError):
        hint = error.hint
    elif isinstance(error, OSError):
        hint = UNREADABLE_HINT
    else:
        hint = RULES["mmkit.E100"].fix
    return _Outcome(error=message or str(error), hint=hint)


def _outcome() -> _Outcome:
    from mmkit import baseline

    try:
        project = load_project(find_config())
    except (ConfigError, OSError) as error:
        return _failed(error)
    if not project.modules:
        return _Outcome(project, (no_modules(project),))
    try:
        relations, objects = _registry(project)
        rules = _rules()
        outcome = baseline.filter_for_project(project, analyse(project, relations, rules), rules)
    except ConfigError as error:  # the baseline's and the settings' problems too
        return _failed(error)
    except Exception as error:
        if not _expected(error):
            raise
        return _failed(error, f"mmkit could not check the project at {project.base_dir}: {error}")
    return _Outcome(project, outcome.open, outcome.stale, objects)


def _rules() -> frozenset[str] | None:
    """Every rule, or all but the import rules when settings.MMKIT_IMPORT_CHECKS is False.

    Without the import rules no import graph is built: for projects that leave them to
    `mmkit check` in pre-commit and CI and want the cheapest possible `runserver` reload.
    """
    from django.conf import settings

    value = getattr(settings, IMPORT_CHECKS_SETTING, True)
    if not isinstance(value, bool):
        # "no" or "False" would count as true: a setting of the wrong type is a mistake.
        raise ConfigError(
            f"settings.{IMPORT_CHECKS_SETTING} must be True or False, not {type(value).__name__}"
        )
    if value:
        return None
    return frozenset(RULES) - IMPORT_RULES


def _expected(error: Exception) -> bool:
    """Errors that come from the project being checked, not from a bug in mmkit."""
    if isinstance(error, ConfigError | OSError | SyntaxError | ValueError):
        return True
    return type(error).__module__.startswith("grimp")


def _messages(
    app_configs: Sequence[AppConfig] | None, *, relation_rules: bool
) -> list[checks.CheckMessage]:
    outcome = _outcome()
    if outcome.project is None or not outcome.project.modules:
        return []
    files = {source.relpath: source for source in outcome.project.files}
    wanted = [f for f in outcome.findings if (f.rule in RELATION_RULES) == relation_rules]
    selected = _of_apps(outcome.project, files, wanted, app_configs)
    return [to_message(f, _object_of(outcome.objects, files, f)) for f in selected]


def to_message(finding: Finding, obj: object = None) -> checks.CheckMessage:
    """A finding as Django shows it; the message starts with `path:line:col:` for editors."""
    level = checks.Error if finding.severity is Severity.ERROR else checks.Warning
    return level(
        f"{finding.path}:{finding.line}:{finding.column}: {finding.message}",
        hint=finding.hint or None,
        obj=obj,
        id=finding.rule,
    )


def _object_of(
    objects: Mapping[tuple[str, str | None], object],
    files: Mapping[str, SourceFile],
    finding: Finding,
) -> object:
    """The model or field a relation finding is about, else the offending Python module's name."""
    if finding.model is not None:
        obj = objects.get((finding.model, finding.field)) or objects.get((finding.model, None))
        if obj is not None:
            return obj
    source = files.get(finding.path)
    return source.dotted if source is not None else finding.module


def _of_apps(
    project: Project,
    files: Mapping[str, SourceFile],
    findings: list[Finding],
    app_configs: Sequence[AppConfig] | None,
) -> list[Finding]:
    """Only the findings in the given apps' modules, when Django checks a subset of apps."""
    if app_configs is None:
        return findings
    wanted = {m.name for m in (module_of_app(project, app) for app in app_configs) if m}
    kept = []
    for finding in findings:
        source = files.get(finding.path)
        owner = source.module.name if source is not None and source.module else finding.module
        if owner in wanted:
            kept.append(finding)
    return kept


# Finding the configuration ---------------------------------------------------------------


def find_config() -> Path:
    """The pyproject.toml of this Django project: settings.MMKIT_CONFIG, else the nearest one
    with [tool.mmkit] beside or above BASE_DIR, manage.py or the settings module."""
    from django.conf import settings

    explicit = getattr(settings, CONFIG_SETTING, None)
    if explicit:
        path = Path(_path_setting(CONFIG_SETTING, explicit))
        if path.is_dir():
            path = path / PYPROJECT
        if not path.is_file():
            raise NoConfigError(
                f"settings.{CONFIG_SETTING} = {str(explicit)!r}: {path} does not exist"
            )
        return path.resolve()
    starts = _start_dirs(settings)
    for start in starts:
        found = _nearest_mmkit_pyproject(start)
        if found is not None:
            return found
    if not starts:
        raise NoConfigError(
            f"cannot tell where the project's {PYPROJECT} is: set BASE_DIR, or set "
            f"{CONFIG_SETTING} in the settings to its path"
        )
    places = ", ".join(str(start) for start in starts)
    raise NoConfigError(
        f"no [tool.mmkit] table in a {PYPROJECT} at or above {places}; add one, or set "
        f"{CONFIG_SETTING} in the settings to its path"
    )


def _start_dirs(settings: Any) -> list[Path]:
    """Where a project's pyproject.toml usually is: BASE_DIR, manage.py, the settings module."""
    starts: list[Path] = []
    base_dir = getattr(settings, "BASE_DIR", None)
    if isinstance(base_dir, str | os.PathLike):
        starts.append(Path(os.fspath(base_dir)))
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "manage.py":
        starts.append(script.parent)
    settings_module = sys.modules.get(getattr(settings, "SETTINGS_MODULE", None) or "")
    settings_file = getattr(settings_module, "__file__", None)
    if settings_file:
        starts.append(Path(settings_file).parent)
    unique: list[Path] = []
    for start in starts:
        resolved = start.resolve()
        if resolved not in unique:
            unique.append(resolved)
    return unique


def _nearest_mmkit_pyproject(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file() and _declares_mmkit(candidate):
            return candidate
    return None


def _declares_mmkit(path: Path) -> bool:
    """Whether the file has [tool.mmkit]; unreadable files count, so loading says why."""
    try:
        return has_mmkit_table(path)
    except ConfigError:
        return True


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
    return _registry(project)[0]


def _registry(
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


# The analysis, behind mmkit's cache ------------------------------------------------------

_MEMO: dict[Path, tuple[str, list[Finding]]] = {}


def analyse(
    project: Project, relations: Iterable[Relation], rules: frozenset[str] | None = None
) -> list[Finding]:
    """mmkit.checks.run, its result kept by mmkit.cache as `mmkit check`'s is.

    `runserver` starts a new process on every reload, so the result is kept on disk
    (`.mmkit_cache/` beside pyproject.toml): a reload that changed no file reads one small JSON
    file instead of building the import graph again. It is keyed on the relations and rules
    too (the cache's variant). The memo answers the other check functions of the same `check`,
    which would otherwise analyse the project again when the disk cache is off.
    """
    from mmkit.checks import run

    relations = list(relations)
    directory = _cache_directory(project)
    # With the disk cache off the Cache only computes the key: it reads and writes nothing.
    cache = Cache.open(project.config, directory)
    variant = _variant(relations, rules)
    key = cache.result_key(variant)
    memo = _MEMO.get(project.config.path)
    if key is not None and memo is not None and memo[0] == key:
        return list(memo[1])
    stored = cache.lookup(variant) if directory is not None else None
    if stored is not None:
        findings = list(stored.findings)
    else:
        used = cache if directory is not None else None
        findings = run(project, relations=relations, cache=used, rules=rules)
        if used is not None:
            used.save(project, findings, variant)
    if key is not None:
        _MEMO[project.config.path] = (key, list(findings))
    return findings


def _variant(relations: list[Relation], rules: frozenset[str] | None) -> str:
    """A digest of what the findings depend on besides the files: the registry's relations and
    the rules checked (settings.MMKIT_IMPORT_CHECKS)."""
    parts = (sorted(repr(relation) for relation in relations), sorted(rules or ()), rules is None)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _cache_directory(project: Project) -> Path | None:
    """settings.MMKIT_CACHE_DIR, else $MMKIT_CACHE_DIR, else .mmkit_cache/; a falsy setting
    turns the disk cache off. Relative paths are relative to pyproject.toml's directory."""
    from django.conf import settings

    value = getattr(settings, CACHE_DIR_SETTING, _UNSET)
    if value is _UNSET:
        value = os.environ.get(CACHE_DIR_SETTING, DIRNAME)
    if not value:
        return None
    return project.base_dir / _path_setting(CACHE_DIR_SETTING, value)


def _path_setting(name: str, value: object) -> str:
    """A setting that names a path, or a ConfigError (mmkit.E100) saying it does not."""
    if not isinstance(value, str | os.PathLike):
        raise ConfigError(
            f"settings.{name} must be a path, not {type(value).__name__}",
            hint=f"Set {name} in the settings to a path (a str or a pathlib.Path).",
        )
    path = os.fspath(value)
    if "\0" in str(path):
        raise ConfigError(
            f"settings.{name} contains a NUL character",
            hint=f"Set {name} in the settings to a path without NUL characters.",
        )
    return path
