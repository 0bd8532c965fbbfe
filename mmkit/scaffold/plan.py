"""Plan a new module: validate the request, render every file, compute the registration.

Everything that can refuse happens here, before a single byte is written, so a refusal or
`--dry-run` leaves the project exactly as it was.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mmkit.config import Config, ConfigError, did_you_mean
from mmkit.installed_apps import installed_apps as read_installed_apps
from mmkit.project import Project, glob_to_regex, load_project
from mmkit.scaffold.bindings import check_bindings
from mmkit.scaffold.context import ModelNames, Reference, build_context
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.fields import FieldSpec, parse_fields
from mmkit.scaffold.names import (
    check_model_name,
    check_module_name,
    check_not_importable,
    interface_name,
)
from mmkit.scaffold.references import resolve_references
from mmkit.scaffold.register import (
    Registration,
    app_label,
    installed_apps,
    plan_registration,
    read_text,
    settings_path,
)
from mmkit.scaffold.render import render_module

CONTRIB_LABELS = frozenset(
    {
        "admin", "admindocs", "auth", "contenttypes", "flatpages", "gis", "humanize",
        "messages", "postgres", "redirects", "sessions", "sitemaps", "sites", "staticfiles",
        "syndication",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Request:
    """What the user asked for on the command line."""

    name: str
    model: str | None = None
    fields: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    force: bool = False
    register: bool = True


@dataclass(frozen=True)
class Plan:
    """Every file of the module and every registration edit, ready to write."""

    name: str
    root: Path
    base_dir: Path
    target: Path
    files: tuple[tuple[str, str], ...]
    registration: Registration
    overwrite: bool
    kept: tuple[str, ...] = ()

    def shown(self, path: Path) -> str:
        """A path as the user reads it: relative to the directory of pyproject.toml."""
        try:
            return path.relative_to(self.base_dir).as_posix()
        except ValueError:
            return path.as_posix()


def make_plan(request: Request, start: Path | str = ".") -> Plan:
    """Validate `request` against the project at or above `start` and render the module."""
    name = request.name
    check_module_name(name)
    if request.model is None and request.fields:
        raise ScaffoldError("--field needs --model: fields belong to a model")
    if request.model is not None:
        check_model_name(request.model)
    fields = parse_fields(request.fields)
    try:
        project = load_project(start)
    except ConfigError as error:
        raise ScaffoldError(str(error)) from None
    config = project.config
    target = config.root.joinpath(*name.split("."))
    label = _label(project, name)
    _check_free(project, request, target, label)
    _check_not_excluded(project, name, target)
    if "." in name:
        _check_parent_package(project, target)
    else:
        check_not_importable(name, config.root)
    depends_on = _depends_on(project, request, fields)
    references = resolve_references(project, fields)
    interface = interface_name(config.public)
    context = build_context(name, request.model, fields, references, depends_on, label, interface)
    _check_class_names(context["model"], context["errors"])
    files = _with_interface(render_module(context, config.templates), interface)
    check_bindings(files, _chosen_names(context["model"], context["refs"]))
    _check_paths(project, target, files)
    if request.register:
        registration = plan_registration(config, name, depends_on)
    else:
        registration = Registration(
            notes=(
                f'not registered (--no-register): add "{name}" to INSTALLED_APPS yourself, '
                "and to [tool.mmkit] modules if it lists them",
            )
        )
    kept = _kept_files(target, files) if target.is_dir() else ()
    return Plan(
        name=name,
        root=config.root,
        base_dir=config.base_dir,
        target=target,
        files=tuple(sorted(files.items())),
        registration=registration,
        overwrite=target.is_dir(),
        kept=kept,
    )


def describe(plan: Plan, dry_run: bool) -> str:
    """What was done (or, with --dry-run, would be done), for the terminal."""
    would = "would " if dry_run else ""
    verb = "write over" if plan.overwrite else "create"
    if not dry_run:
        verb = "wrote over" if plan.overwrite else "created"
    lines = [f"{would}{verb} {plan.shown(plan.target)}/ ({len(plan.files)} files)"]
    if dry_run:
        lines.extend(_tree(plan.shown(plan.target), [path for path, _ in plan.files]))
    if plan.kept:
        kept = "would keep" if dry_run else "kept"
        lines.append(f"{kept} {', '.join(plan.kept)} (not written by the templates)")
    for edit in plan.registration.edits:
        shown = plan.shown(edit.path)
        lines.append(f"{'would edit' if dry_run else 'edited'} {shown} to {edit.summary}")
        if dry_run:
            diff = difflib.unified_diff(
                edit.old.splitlines(keepends=True),
                edit.new.splitlines(keepends=True),
                fromfile=f"a/{shown}",
                tofile=f"b/{shown}",
            )
            lines.extend(line.rstrip("\r\n") for line in diff)
    lines.extend(f"to do by hand: {line}" for line in plan.registration.manual)
    lines.extend(f"note: {line}" for line in plan.registration.notes)
    if not dry_run:
        migrate = any(p.startswith("migrations/0") for p, _ in plan.files)
        first = "python manage.py migrate, then " if migrate else ""
        lines.append(f"next: {first}pytest {plan.shown(plan.target)}")
    return "\n".join(lines)


def _with_interface(files: dict[str, str], interface: str) -> dict[str, str]:
    """The rendered files with facade.py written as the project's public interface file."""
    if interface == "facade" or "facade.py" not in files:
        return files
    path = f"{interface}.py"
    if path in files or f"{interface}/__init__.py" in files:
        raise ScaffoldError(
            f"the public interface '{interface}' ([tool.mmkit] public) is also a file the "
            "templates write; choose another name for the interface"
        )
    renamed = dict(files)
    renamed[path] = renamed.pop("facade.py")
    return renamed


def _label(project: Project, name: str) -> str:
    """The app label of the new module: Django's default (the last part of the name), or for
    a nested module whose last part is taken, the parts joined by underscores."""
    default = name.rpartition(".")[2]
    if "." not in name:
        return default
    taken = {module.label for module in project.modules if module.name != name}
    settings = settings_path(project.config)
    if settings is not None:
        try:
            entries = installed_apps(read_text(settings)) or []
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            entries = []
        taken |= {app_label(entry) for entry in entries if entry.split(".")[0] != name}
    existing = next((m.label for m in project.modules if m.name == name), None)
    if existing is not None:
        return existing
    return default if default not in taken else name.replace(".", "_")


def _check_parent_package(project: Project, target: Path) -> None:
    """A nested module goes into an existing package of the project, never a new folder tree."""
    parent = target.parent
    if not (parent / "__init__.py").is_file():
        raise ScaffoldError(
            f"{project.relpath(parent)}/ is not a package (no __init__.py); create the package "
            "first, or choose a top-level module name"
        )


def _check_free(project: Project, request: Request, target: Path, label: str) -> None:
    """Refuse a name an existing module, app label, file or directory already has.

    --force rewrites an existing module only: never the settings package or another folder.
    """
    name = request.name
    config = project.config
    if config.settings and config.settings.split(".")[0] == name:
        what = "is" if config.settings == name else "holds"
        raise ScaffoldError(
            f"'{name}' {what} the settings module {config.settings}; choose another name"
        )
    existing = {module.name for module in project.modules}
    if name in existing and not request.force:
        raise ScaffoldError(
            f"module '{name}' already exists ({project.relpath(target)}/); "
            "use --force to write over it"
        )
    for module in project.modules:
        if module.label == label and module.name != name:
            raise ScaffoldError(f"'{label}' is already the app label of module '{module.name}'")
    _check_label_free(config, name, label)
    if target.is_symlink() or not target.resolve().is_relative_to(config.root.resolve()):
        raise ScaffoldError(f"{project.relpath(target)} leads outside the project's root")
    if target.with_name(f"{target.name}.py").exists():
        raise ScaffoldError(f"{project.relpath(target)}.py already exists")
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{project.relpath(target)} exists and is not a directory")
    if target.is_dir() and name not in existing:
        raise ScaffoldError(
            f"{project.relpath(target)}/ already exists and is not a module of the project; "
            "--force only writes over a module, choose another name"
        )


def _check_label_free(config: Config, name: str, label: str) -> None:
    """Refuse the label of an installed app: Django stops with "labels aren't unique".

    INSTALLED_APPS is read as discovery reads it (`DJANGO_APPS + LOCAL_APPS`, settings
    packages with `from .base import *`); when it cannot be known, django.contrib's labels
    are refused, since nearly every project installs them.
    """
    entries: list[str] | None = None
    if config.settings:
        found = read_installed_apps(config.root, config.settings)
        if found is None and config.base_dir != config.root:
            found = read_installed_apps(config.base_dir, config.settings)
        entries = list(found) if found is not None else None
    settings = settings_path(config)
    if entries is None and settings is not None:
        try:
            entries = installed_apps(read_text(settings))
        except (OSError, UnicodeDecodeError):
            entries = None
    for entry in entries or ():
        if app_label(entry) == label and entry != name and entry.split(".")[0] != name:
            raise ScaffoldError(f"'{label}' is already the label of installed app '{entry}'")
    if entries is None and label in CONTRIB_LABELS:
        raise ScaffoldError(
            f"'{label}' is the label of django.contrib.{label}, which most projects install; "
            "choose another name"
        )


def _check_not_excluded(project: Project, name: str, target: Path) -> None:
    """Refuse a module the configured excludes would hide from every check (`migrations`)."""
    config = project.config
    relpath = project.relpath(target / "__init__.py")
    for pattern in config.exclude:
        if glob_to_regex(pattern).match(relpath):
            patterns = ", ".join(f'"{p}"' for p in config.exclude)
            raise ScaffoldError(
                f"module name '{name}' is left out by exclude = [{patterns}] "
                f"({relpath}): mmkit would never check it; choose another name"
            )


def _depends_on(
    project: Project, request: Request, fields: tuple[FieldSpec, ...]
) -> tuple[str, ...]:
    """--depends-on and every ref field's module, in the order given, each once."""
    names = [module.name for module in project.modules]
    ordered: list[str] = []
    for field in fields:
        if field.ref_module == request.name:
            raise ScaffoldError(
                f"--field {field.name}:ref:{request.name}: a module refers to its own "
                "entities with a plain int field"
            )
    for dependency in request.depends_on:
        if dependency == request.name:
            raise ScaffoldError(f"--depends-on {dependency}: a module cannot depend on itself")
        if dependency not in names:
            raise ScaffoldError(
                f"--depends-on {dependency}: there is no module '{dependency}' in the project"
                f"{did_you_mean(dependency, names)}"
            )
    for dependency in (*request.depends_on, *(f.ref_module for f in fields if f.ref_module)):
        if dependency not in ordered:
            ordered.append(dependency)
    return tuple(ordered)


def _check_class_names(model: ModelNames | None, errors: list[str]) -> None:
    """Refuse a model whose derived class names collide (a model named `UnknownAuthor`...)."""
    if model is None:
        return
    names = [model.name, model.dto, model.new, model.not_found, *errors]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ScaffoldError(
            f"--model {model.name}: the generated class name {clashes[0]} would be defined "
            "twice; choose another model or field name"
        )


def _chosen_names(model: ModelNames | None, refs: list[Reference]) -> dict[str, tuple[str, str]]:
    """The class names the user's --model and ref --field choose, and the option behind each."""
    chosen: dict[str, tuple[str, str]] = {}
    if model is not None:
        for name in (model.name, model.dto, model.new, model.not_found):
            chosen[name] = (f"--model {model.name}", "model")
    for ref in refs:
        chosen.setdefault(ref.error, (f"--field {ref.field}", "field"))
    return chosen


def _check_paths(project: Project, target: Path, files: dict[str, str]) -> None:
    """Every file lands inside the module directory, and never on top of a directory."""
    root = project.root.resolve()
    for relpath in files:
        parts = PurePosixPath(relpath).parts
        if not parts or PurePosixPath(relpath).is_absolute() or ".." in parts:
            raise ScaffoldError(f"template output {relpath!r} would land outside the module")
        destination = target.joinpath(*parts)
        if not destination.resolve().is_relative_to(root):
            raise ScaffoldError(f"{project.relpath(destination)} leads outside the project's root")
        if destination.is_dir():
            raise ScaffoldError(f"{project.relpath(destination)} is a directory, not a file")
        package = destination.with_suffix("")
        if destination.suffix == ".py" and (package / "__init__.py").is_file():
            raise ScaffoldError(
                f"{project.relpath(package)}/ is a package; {relpath} would clash with it"
            )


def _kept_files(target: Path, files: dict[str, str]) -> tuple[str, ...]:
    """Files of an existing module that the templates do not write: --force leaves them."""
    kept = []
    for path in sorted(target.rglob("*")):
        relative = path.relative_to(target)
        if (
            path.is_file()
            and "__pycache__" not in relative.parts
            and relative.as_posix() not in files
        ):
            kept.append(relative.as_posix())
    return tuple(kept)


def _tree(top: str, paths: list[str]) -> list[str]:
    """An indented tree of the files, directories first shown where they start."""
    lines = [f"  {top}/"]
    shown: set[tuple[str, ...]] = set()
    for path in sorted(paths, key=lambda p: PurePosixPath(p).parts):
        parts = PurePosixPath(path).parts
        for depth in range(1, len(parts)):
            directory = parts[:depth]
            if directory not in shown:
                shown.add(directory)
                lines.append("  " * (depth + 1) + f"{parts[depth - 1]}/")
        lines.append("  " * len(parts) + "  " + parts[-1])
    return lines
