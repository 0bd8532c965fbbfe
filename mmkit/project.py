"""Discover a project's modules, their labels, files and public interface, from disk only.

Nothing here imports the project's code: labels are read from apps.py with `ast`, so the
static check works without Django settings on any code base.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Protocol

from mmkit.config import Config, ConfigError, SettingsError, did_you_mean
from mmkit.files import read_regular
from mmkit.findings import RULES

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
        return _under_public(self.public, relative)


@cache
def _under_public(public: tuple[str, ...], relative: str) -> bool:
    """Whether a module path relative to its module lies under one of the public names: asked
    for every import of every file, of a few dozen distinct paths."""
    return any(relative == p or relative.startswith(p + ".") for p in public)


@dataclass(frozen=True)
class SourceFile:
    """A Python file of the project, with its dotted name and the module that owns it."""

    path: Path
    relpath: str
    dotted: str
    module: Module | None


@dataclass(frozen=True)
class Unreadable:
    """A `.py` file mmkit cannot read safely, or a folder it cannot list, under root."""

    relpath: str
    path: Path
    reason: str
    file: bool = False


@dataclass(frozen=True)
class Project:
    """The configuration plus everything discovered on disk, the input of every check."""

    config: Config
    modules: tuple[Module, ...]
    tree: tuple[Listing, ...] | None = field(default=None, compare=False, repr=False)
    """The walk of root that discovery already made, so `files` need not walk it again;
    None: walk on first use."""

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
        exclude = self._exclude
        prefix = self.root_prefix
        found = []
        # Paths are joined as strings per directory: on 20,000 files pathlib's relative_to
        # and with_suffix cost more than the rest of the discovery together.
        for directory, parts, filenames, _ in self._listing:
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

    @cached_property
    def by_dotted(self) -> dict[str, SourceFile]:
        """The checked files by dotted name: every rule that follows a name into a file asks."""
        return {file.dotted: file for file in self.files}

    @cached_property
    def _listing(self) -> tuple[Listing, ...]:
        if self.tree is not None:
            return self.tree
        return walk(self.root)

    @cached_property
    def unreadable(self) -> tuple[Unreadable, ...]:
        """What under root could not be read or listed and is not excluded: checked by nobody."""
        prefix = self.root_prefix
        found = []
        for _, _, _, problems in self._listing:
            for problem in problems:
                relpath = f"{prefix}{problem.relpath}"
                if not self.is_excluded(relpath):
                    found.append(dataclasses.replace(problem, relpath=relpath))
        return tuple(found)

    @cached_property
    def root_prefix(self) -> str:
        """What relpath puts before a path under root: root's own relpath and a slash ("src/"),
        or nothing when root is pyproject.toml's directory."""
        base = self.relpath(self.root)
        return "" if base == "." else f"{base}/"

    def relpath(self, path: Path) -> str:
        """A POSIX path relative to the directory of pyproject.toml, as findings show it."""
        try:
            return path.relative_to(self.base_dir).as_posix()
        except ValueError:
            return path.as_posix()

    def is_excluded(self, relpath: str) -> bool:
        return any(matcher.match(relpath) for matcher in self._exclude)

    @cached_property
    def _exclude(self) -> list[PathMatcher]:
        """The `exclude` patterns, compiled once per project."""
        return [glob_to_regex(pattern) for pattern in self.config.exclude]


def discover(config: Config, tree: tuple[Listing, ...] | None = None) -> Project:
    """Find the modules the configuration names; when it names none, the apps under root that
    the settings install, or (INSTALLED_APPS computed, or no settings) every app under root.

    The settings are read even when the modules are listed: a `settings` value that names no
    module or does not parse is a SettingsError, never a silent fallback."""
    shared = set(config.shared)
    installed = _installed_modules(config)
    if config.modules is not None:
        installed = None
    if installed is not None:
        wanted: list[tuple[str, tuple[str, ...] | None, tuple[str, ...] | None]] = [
            (name, None, None) for name in installed
        ]
    elif config.modules is None:
        tree = tree if tree is not None else walk(config.root)
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
    """The project, or a ConfigError when it has no module, for the commands that need one
    (`mmkit baseline`, `mmkit graph`); `mmkit check` reports mmkit.W005 instead."""
    if project.modules:
        return project
    raise ConfigError(no_modules_message(project.config), hint=RULES["mmkit.W005"].fix)


def no_modules_message(config: Config) -> str:
    """Why a project has no modules, in one line: what was looked at, and where."""
    found_in = (
        f"the INSTALLED_APPS of {config.settings} name no package"
        if config.modules is None and _installed_modules(config) is not None
        else "no Django app (a package with apps.py, or with models and migrations) is"
    )
    return (
        f"no modules to check: {found_in} under {config.root}; create the first one with "
        "`mmkit new-module NAME`, or list the modules in [tool.mmkit] modules"
    )


def load_project(start: Path | str = ".") -> Project:
    """Configuration and discovery in one call: the usual entry point of a door."""
    from mmkit.config import load

    return discover(load(start))


def discovery_note(config: Config) -> str | None:
    """Why discovery fell back to folders, for the summary line; None when it did not.

    INSTALLED_APPS computed at run time is legitimate, but the user must know that the modules
    come from the folders then, not from what Django installs.
    """
    if config.modules is not None or config.settings is None:
        return None
    # Whether INSTALLED_APPS is computed is all it asks: not which of its apps lie under root.
    if _installed_entries(config) is not None:
        return None
    return (
        f"modules found from folders: INSTALLED_APPS in {config.settings} is computed, "
        "mmkit cannot read it"
    )


def _installed_modules(config: Config) -> list[str] | None:
    """The packages under root that the settings' INSTALLED_APPS names, in order, without
    repeats; None when there are no settings or INSTALLED_APPS is computed at run time.

    SettingsError when `settings` names no module under root or its files cannot be read:
    also with `modules` listed, since AUTH_USER_MODEL is read from the same files.
    """
    entries = _installed_entries(config)
    if entries is None:
        return None
    from mmkit.installed_apps import app_package

    packages = (app_package(config.root, entry) for entry in entries)
    return list(dict.fromkeys(package for package in packages if package is not None))


def _installed_entries(config: Config) -> tuple[str, ...] | None:
    """The settings' INSTALLED_APPS as written; None without settings or when computed.

    SettingsError, naming the configuration, as for _installed_modules.
    """
    if config.settings is None:
        return None
    # Imported here: a check answered from the cache reads the settings only for the note.
    from mmkit.installed_apps import installed_apps

    try:
        return installed_apps(config.root, config.settings)
    except SettingsError as error:
        raise SettingsError(
            f"{config.path}: [tool.mmkit] settings = {config.settings!r}: {error}"
        ) from None


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
        tree = ast.parse(read_regular(apps_py), filename=str(apps_py))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
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


def _find_apps(config: Config, tree: Iterable[Listing] | None = None) -> Iterator[Path]:
    """The folders of Django apps under root that `exclude` leaves in: a package with apps.py,
    or one without it (Django does not require it) that has models and migrations.

    `tree`: the walk of root, when the caller has made it."""
    exclude = [glob_to_regex(pattern) for pattern in config.exclude]
    seen: set[Path] = set()
    walked = tree if tree is not None else _python_files_by_directory(config.root)
    paths = (
        Path(directory) / name
        for directory, _, names, _ in walked
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
    for directory, _, filenames, _ in _python_files_by_directory(root):
        for filename in filenames:
            yield Path(directory) / filename


Listing = tuple[str, tuple[str, ...], list[str], list["Unreadable"]]
"""(directory, its parts below root, its sorted .py file names, what could not be read)."""


def walk(
    root: Path, stats: dict[str, tuple[int, int]] | None = None, prefix: str = ""
) -> tuple[Listing, ...]:
    """The one walk of root a run makes: discovery, the file list and the cache's key all read it.

    With `stats`, each listed file's (mtime_ns, size) goes in under `prefix` + its path below
    root (what the cache keys on).
    """
    return tuple(_python_files_by_directory(root, stats, prefix))


def _python_files_by_directory(
    root: Path,
    stats: dict[str, tuple[int, int]] | None = None,
    prefix: str = "",
) -> Iterator[Listing]:
    """Each directory under root with its regular .py files, in a stable order.

    Folder symlinks are followed (a module folder may be one), never back into a folder
    above. What is not a plain readable file (a FIFO would block the reader forever, a
    dangling symlink, a name that is not UTF-8) and a folder that cannot be listed are
    returned as Unreadable, so the check says what it did not see.
    """
    top = os.fspath(root)
    top_real = os.path.realpath(top)
    pending: list[tuple[str, tuple[str, ...], str]] = [(top, (), top_real)]
    while pending:
        directory, parts, real = pending.pop()
        try:
            with os.scandir(directory) as scanned:
                # Only .py files and folders Python can import matter; a folder of assets
                # holds thousands of other names, not worth sorting.
                entries = sorted(
                    (e for e in scanned if e.name.endswith(".py") or e.name.isidentifier()),
                    key=lambda entry: entry.name,
                )
        except OSError as error:
            if parts:
                reason = error.strerror or str(error)
                yield directory, parts, [], [Unreadable("/".join(parts), Path(directory), reason)]
            continue
        files: list[str] = []
        problems: list[Unreadable] = []
        below: list[tuple[str, tuple[str, ...], str]] = []
        within = "".join(f"{part}/" for part in parts)
        for entry in entries:
            name = entry.name
            if name.endswith(".py"):
                problem = _not_a_plain_file(entry)
                if problem is None and stats is not None:
                    try:
                        info = entry.stat()
                    except OSError as error:
                        problem = error.strerror or str(error)
                    else:
                        stats[f"{prefix}{within}{name}"] = (info.st_mtime_ns, info.st_size)
                if problem is None:
                    files.append(name)
                else:
                    shown = "/".join((*parts, printable(name)))
                    problems.append(Unreadable(shown, Path(entry.path), problem, file=True))
            elif entry.name != "__pycache__" and entered(entry):
                inside = os.path.realpath(entry.path) if entry.is_symlink() else f"{real}/{name}"
                if not follows(real, inside, top_real):
                    continue
                below.append((entry.path, (*parts, name), inside))
        yield directory, parts, files, problems
        pending.extend(reversed(below))


def follows(real: str, inside: str, top_real: str) -> bool:
    """Whether a walk in folder `real` enters the folder whose real path is `inside`.

    Never back into a folder above (a symlink loop); through a symlink only into the project
    or into a Python package, never into `/` or a home folder a stray link points at.
    """
    if real == inside or real.startswith(f"{inside}/"):
        return False
    if inside == f"{real}/{os.path.basename(inside)}":
        return True
    return (
        inside == top_real
        or inside.startswith(f"{top_real}/")
        or os.path.isfile(os.path.join(inside, "__init__.py"))
    )


def entered(entry: os.DirEntry[str]) -> bool:
    """Whether discovery goes into a folder: not hidden ones, virtualenvs, or build output
    (`build/`, `env/`, ...) unless it is a package, which Python and grimp import."""
    name = entry.name
    if name.startswith(".") or not name.isidentifier():
        return False
    try:
        if not entry.is_dir():
            return False
    except OSError:
        return False
    if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
        return False
    return name not in SKIPPED_DIRS or os.path.exists(os.path.join(entry.path, "__init__.py"))


def _not_a_plain_file(entry: os.DirEntry[str]) -> str | None:
    """Why a `.py` entry cannot be analysed, or None for a regular file (or a link to one)."""
    try:
        entry.name.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not UTF-8"
    try:
        if entry.is_file(follow_symlinks=False):
            return None
        if entry.is_symlink():
            info = os.stat(entry.path)
            return None if stat.S_ISREG(info.st_mode) else "not a regular file"
    except FileNotFoundError:
        return "a symlink to nothing"
    except OSError as error:
        return error.strerror or str(error)
    return "not a regular file"


def printable(name: str) -> str:
    """A file name as text that prints and encodes: undecodable bytes become `\\xff`."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def dotted_name(root: Path, path: Path) -> str:
    """The import name of a file or package directory under root (`shop/billing/__init__.py`)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class PathMatcher(Protocol):
    """What an exclude pattern compiles to: `match(relpath)` is truthy when it matches."""

    def match(self, path: str) -> object: ...


MAX_REGEX_WILDCARDS = 2
"""A pattern with more wildcards is matched by GlobAutomaton: a regex could backtrack for
hours on a deep path (`**/**/**/...`), a linear-time automaton never does."""


WILDCARDS = ("**/", "**", "*", "?")


def glob_to_regex(pattern: str) -> PathMatcher:
    """Compile a gitignore-like glob (`**/migrations/**`) over POSIX paths.

    The usual patterns (two wildcards at most) become a regex, the fastest matcher; others
    a GlobAutomaton with the same meaning, linear in the path's length whatever the pattern.
    """
    tokens = _glob_tokens(pattern)
    if sum(1 for token in tokens if token in WILDCARDS) > MAX_REGEX_WILDCARDS:
        return GlobAutomaton(tokens)
    translated = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(translated.get(t) or re.escape(t) for t in tokens) + r"\Z")


def _glob_tokens(pattern: str) -> list[str]:
    """The pattern as wildcards (`**/`, `**`, `*`, `?`) and single literal characters;
    `**/**/` is `**/`."""
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        token = next((w for w in WILDCARDS if pattern.startswith(w, i)), pattern[i])
        if not (token == "**/" and tokens[-1:] == ["**/"]):
            tokens.append(token)
        i += len(token)
    return tokens


class GlobAutomaton:
    """A glob matched by walking the set of pattern positions reachable so far (no backtracking).

    Tokens: `**/` any run of whole folders (or none), `**` anything, `*` anything within one
    name, `?` any one character but `/`, else a literal character.
    """

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    def match(self, path: str) -> bool:
        tokens = self.tokens
        end = len(tokens)
        states = self._closure({0})
        for char in path:
            following: set[int] = set()
            for index in states:
                if index == end:
                    continue
                token = tokens[index]
                if token in ("**", "**/"):
                    following.add(index)
                    if token == "**/" and char == "/":
                        following.add(index + 1)
                elif token == "*":
                    if char != "/":
                        following.add(index)
                elif token == "?":
                    if char != "/":
                        following.add(index + 1)
                elif token == char:
                    following.add(index + 1)
            if not following:
                return False
            states = self._closure(following)
        return end in states

    def _closure(self, states: set[int]) -> set[int]:
        """Add the positions reachable without a character: past `*`, `**` and `**/`."""
        pending = list(states)
        while pending:
            index = pending.pop()
            wildcard = index < len(self.tokens) and self.tokens[index] in ("*", "**", "**/")
            if wildcard and index + 1 not in states:
                states.add(index + 1)
                pending.append(index + 1)
        return states
