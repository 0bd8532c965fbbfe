"""Discover a project's modules, their labels, files and public interface, from disk only.

Nothing here imports the project's code: labels are read from apps.py with `ast`, so the
static check works without Django settings on any code base.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mmkit.config import Config, ConfigError, did_you_mean
from mmkit.installed_apps import app_package, installed_apps

SKIPPED_DIRS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist"}
)


@dataclass(frozen=True)
class Module:
    """One Django app that owns a slice of the domain."""

    name: str
    label: str
    path: Path
    public: tuple[str, ...]
    depends_on: tuple[str, ...] | None
    shared: bool = False
    has_apps_py: bool = True

    def owns(self, dotted: str) -> bool:
        """Whether the Python module `dotted` is this module's package or inside it."""
        return dotted == self.name or dotted.startswith(self.name + ".")

    def is_public(self, dotted: str) -> bool:
        """Whether another module may import `dotted`, a Python module inside this one."""
        if self.shared:
            return True
        relative = "__init__" if dotted == self.name else dotted[len(self.name) + 1 :]
        return any(relative == p or relative.startswith(p + ".") for p in self.public)


@dataclass(frozen=True)
class SourceFile:
    """A Python file of the project, with its dotted name and the module that owns it."""

    path: Path
    relpath: str
    dotted: str
    module: Module | None


@dataclass(frozen=True)
class Project:
    """The configuration plus everything discovered on disk, the input of every check."""

    config: Config
    modules: tuple[Module, ...]
    tree: tuple[tuple[str, tuple[str, ...], list[str]], ...] | None = field(
        default=None, compare=False, repr=False
    )
    """The walk of root that discovery already made (see _python_files_by_directory), so
    `files` need not walk it again; None: walk on first use."""

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def base_dir(self) -> Path:
        return self.config.base_dir

    @cached_property
    def _by_name(self) -> dict[str, Module]:
        return {module.name: module for module in self.modules}

    @cached_property
    def by_label(self) -> dict[str, Module]:
        """Modules by their Django app label, for "label.Model" references."""
        return {module.label: module for module in self.modules}

    def module(self, name: str) -> Module:
        return self._by_name[name]

    def module_of(self, dotted: str) -> Module | None:
        """The innermost module that owns the Python module `dotted`, so nested apps win."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            module = self._by_name.get(".".join(parts[:end]))
            if module is not None:
                return module
        return None

    @cached_property
    def top_level_packages(self) -> tuple[str, ...]:
        """The packages directly under root that hold modules: what grimp builds a graph of."""
        return tuple(sorted({module.name.split(".")[0] for module in self.modules}))

    @cached_property
    def files(self) -> tuple[SourceFile, ...]:
        """Every Python file under root that is not excluded, in a stable order."""
        exclude = [glob_to_regex(pattern) for pattern in self.config.exclude]
        base = self.relpath(self.root)
        prefix = "" if base == "." else f"{base}/"
        found = []
        # Paths are joined as strings per directory: on 20,000 files pathlib's relative_to
        # and with_suffix cost more than the rest of the discovery together.
        tree = self.tree if self.tree is not None else _python_files_by_directory(self.root)
        for directory, parts, filenames in tree:
            folder = Path(directory)
            within = "".join(f"{part}/" for part in parts)
            owner = self.module_of(".".join(parts))
            for filename in filenames:
                relpath = f"{prefix}{within}{filename}"
                if any(regex.match(relpath) for regex in exclude):
                    continue
                stem = filename[:-3]
                dotted = ".".join(parts if stem == "__init__" else (*parts, stem))
                module = self._by_name.get(dotted, owner)
                found.append(SourceFile(folder / filename, relpath, dotted, module))
        return tuple(found)

    def relpath(self, path: Path) -> str:
        """A POSIX path relative to the directory of pyproject.toml, as findings show it."""
        try:
            return path.relative_to(self.base_dir).as_posix()
        except ValueError:
            return path.as_posix()

    def is_excluded(self, relpath: str) -> bool:
        return any(glob_to_regex(p).match(relpath) for p in self.config.exclude)


def discover(config: Config) -> Project:
    """Find the modules the configuration names; when it names none, the apps under root that
    the settings install, or (settings unreadable or absent) every app under root."""
    shared = set(config.shared)
    tree = None
    installed = _installed_modules(config) if config.modules is None else None
    if installed is not None:
        wanted: list[tuple[str, tuple[str, ...] | None, tuple[str, ...] | None]] = [
            (name, None, None) for name in installed
        ]
    elif config.modules is None:
        tree = tuple(_python_files_by_directory(config.root))
        names = [dotted_name(config.root, app) for app in _find_apps(config, tree)]
        wanted = [(name, None, None) for name in names]
    else:
        wanted = [(m.name, m.public, m.depends_on) for m in config.modules]
    names_wanted = [name for name, _, _ in wanted]
    for name in sorted(shared - set(names_wanted)):
        wanted.append((name, None, None))
    modules = [
        _module(config, name, public, depends_on, name in shared)
        for name, public, depends_on in wanted
    ]
    all_names = [module.name for module in modules]
    for module in modules:
        for dependency in module.depends_on or ():
            if dependency not in all_names:
                raise ConfigError(
                    f"{config.path}: module '{module.name}' depends_on unknown module "
                    f"'{dependency}'{did_you_mean(dependency, all_names)}"
                )
    _reject_duplicate_labels(
        config, modules, from_folders=config.modules is None and installed is None
    )
    return Project(config, tuple(sorted(modules, key=lambda m: m.name)), tree)


def require_modules(project: Project) -> Project:
    """The project, or a ConfigError when it has no module: a check of nothing must not pass.

    Only the doors that check call this: `mmkit new-module` starts a project's first module.
    """
    if project.modules:
        return project
    config = project.config
    found_in = (
        f"the INSTALLED_APPS of {config.settings} name no package"
        if config.modules is None and _installed_modules(config) is not None
        else "no Django app (a package with apps.py, or with models and migrations) is"
    )
    raise ConfigError(
        f"{config.path}: no modules to check: {found_in} under {config.root}; "
        "check root, or list the modules in [tool.mmkit] modules"
    )


def load_project(start: Path | str = ".") -> Project:
    """Configuration and discovery in one call: the usual entry point of a door."""
    from mmkit.config import load

    return discover(load(start))


def _installed_modules(config: Config) -> list[str] | None:
    """The packages under root that the settings' INSTALLED_APPS names, in order, without
    repeats; None when there are no settings or INSTALLED_APPS cannot be read statically."""
    if config.settings is None:
        return None
    entries = installed_apps(config.root, config.settings)
    if entries is None:
        return None
    packages = (app_package(config.root, entry) for entry in entries)
    return list(dict.fromkeys(package for package in packages if package is not None))


def _module(
    config: Config,
    name: str,
    public: tuple[str, ...] | None,
    depends_on: tuple[str, ...] | None,
    shared: bool,
) -> Module:
    path = config.root.joinpath(*name.split("."))
    if not path.is_dir():
        candidates = [dotted_name(config.root, app) for app in _find_apps(config)]
        raise ConfigError(
            f"{config.path}: module '{name}' not found: {path} is not a directory"
            f"{did_you_mean(name, candidates)}"
        )
    apps_py = path / "apps.py"
    return Module(
        name=name,
        label=read_label(apps_py) or name.split(".")[-1],
        path=path,
        public=public if public is not None else config.public,
        depends_on=depends_on,
        shared=shared,
        has_apps_py=apps_py.is_file(),
    )


def _reject_duplicate_labels(config: Config, modules: list[Module], from_folders: bool) -> None:
    seen: dict[str, Module] = {}
    for module in modules:
        if module.label in seen:
            first = seen[module.label]
            way_out = ""
            if from_folders:
                # Discovery also finds test and example apps that are never installed together.
                folder = _relative(module.path, config.base_dir)
                patterns = ", ".join(f'"{p}"' for p in (*config.exclude, f"{folder}/**"))
                way_out = f", or leave one out: exclude = [{patterns}]"
            raise ConfigError(
                f"{config.path}: modules '{first.name}' and '{module.name}' share the "
                f"app label '{module.label}'; give one of them AppConfig.label{way_out}"
            )
        seen[module.label] = module


def read_label(apps_py: Path) -> str | None:
    """The `label` an AppConfig subclass in apps.py sets, read without importing it."""
    try:
        tree = ast.parse(apps_py.read_bytes(), filename=str(apps_py))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "label" for t in statement.targets)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                return statement.value.value
    return None


def _find_apps(
    config: Config, tree: Iterable[tuple[str, tuple[str, ...], list[str]]] | None = None
) -> Iterator[Path]:
    """The folders of Django apps under root that `exclude` leaves in: a package with apps.py,
    or one without it (Django does not require it) that has models and migrations.

    `tree`: the walk of root, when the caller has made it."""
    exclude = [glob_to_regex(pattern) for pattern in config.exclude]
    seen: set[Path] = set()
    walked = tree if tree is not None else _python_files_by_directory(config.root)
    paths = (
        Path(directory) / name
        for directory, _, names in walked
        for name in names
        if name in ("apps.py", "models.py", "__init__.py")
    )
    for path in paths:
        if path.name in ("apps.py", "models.py"):
            app = path.parent
        elif path.name == "__init__.py" and path.parent.name == "models":
            app = path.parent.parent
        else:
            continue
        if path.name != "apps.py" and not (app / "migrations").is_dir():
            continue
        relpath = _relative(path, config.base_dir)
        if app == config.root or app in seen or any(r.match(relpath) for r in exclude):
            continue
        seen.add(app)
        yield app


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def iter_python_files(root: Path) -> Iterator[Path]:
    """Python files under root, skipping hidden folders, virtualenvs and build output."""
    for directory, _, filenames in _python_files_by_directory(root):
        for filename in filenames:
            yield Path(directory) / filename


def _python_files_by_directory(root: Path) -> Iterator[tuple[str, tuple[str, ...], list[str]]]:
    """(directory, its parts below root, its sorted .py file names), in a stable order."""
    top = os.fspath(root)
    for directory, subdirs, filenames in os.walk(top):
        subdirs[:] = sorted(
            d
            for d in subdirs
            if not d.startswith(".")
            and d not in SKIPPED_DIRS
            and d.isidentifier()
            and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg"))
        )
        relative = os.path.relpath(directory, top)
        parts = () if relative == os.curdir else tuple(relative.split(os.sep))
        yield directory, parts, sorted(f for f in filenames if f.endswith(".py"))


def dotted_name(root: Path, path: Path) -> str:
    """The import name of a file or package directory under root (`shop/billing/__init__.py`)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a gitignore-like glob (`**/migrations/**`) into a regex over POSIX paths."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")
