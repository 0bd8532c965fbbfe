"""The Django door: system checks that run mmkit's rules on what Django's app registry sees.

Relations (E001, E002) come from the app registry (mmkit.checks.registry); everything else
runs the same library as `mmkit check`. Findings become Django's Error and Warning messages, so
SILENCED_SYSTEM_CHECKS, --tag and --fail-level work as for any check. The settings it reads:
MMKIT_CONFIG, MMKIT_CACHE_DIR, MMKIT_IMPORT_CHECKS.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core import checks

from mmkit.cache import DIRNAME, Cache
from mmkit.checks import IMPORT_RULES, RELATION_RULES, no_modules
from mmkit.checks.registry import module_of_app, relations_and_objects
from mmkit.checks.relations import Relation
from mmkit.config import (
    PYPROJECT,
    UNREADABLE_HINT,
    ConfigError,
    NoConfigError,
    has_mmkit_table,
)
from mmkit.findings import RULES, Finding, Severity
from mmkit.project import Project, SourceFile, load_project

if TYPE_CHECKING:
    from django.apps import AppConfig

IMPORT_CHECKS_SETTING = "MMKIT_IMPORT_CHECKS"
CACHE_DIR_SETTING = "MMKIT_CACHE_DIR"
CONFIG_SETTING = "MMKIT_CONFIG"
STALE_HINT = RULES["mmkit.E101"].fix

_UNSET = object()


# The check functions Django calls (registered in mmkit.django.apps) -----------------------


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
        relations, objects = relations_and_objects(project)
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
    from mmkit.checks.facts import Facts

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
        findings = run(project, relations=relations, facts=Facts.of(project, used), rules=rules)
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
