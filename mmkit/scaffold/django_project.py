"""What `mmkit init` reads of a Django project without importing it: where manage.py is, the
settings module it names, and which settings file holds INSTALLED_APPS."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from mmkit.config import ConfigError
from mmkit.files import read_regular
from mmkit.installed_apps import absolute_import, installed_apps, literal_string, settings_file
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.register import CannotEdit, assignments

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
# Split settings (cookiecutter-django) add third-party apps here; INSTALLED_APPS sums the lists.
APP_LISTS = ("THIRD_PARTY_APPS", "LOCAL_APPS", "DJANGO_APPS")


@dataclass(frozen=True)
class DjangoProject:
    """What mmkit init learns about the project before it writes anything."""

    base_dir: Path
    settings: str
    settings_file: Path
    installed_apps: tuple[str, ...] | None
    """INSTALLED_APPS as discovery reads it; None when the settings compute it."""


def find_django_project(start: Path) -> DjangoProject:
    """The directory of manage.py at or above `start`, and the settings module it names."""
    start = start.resolve()
    if not start.is_dir():
        raise ScaffoldError(f"{start} is not a directory")
    base_dir = next((d for d in (start, *start.parents) if (d / "manage.py").is_file()), None)
    if base_dir is None:
        raise ScaffoldError(
            f"no manage.py in {start} or above it: run mmkit init in a Django project "
            "(the directory of manage.py, or below it)"
        )
    settings = _settings_module(base_dir)
    path = settings_file(base_dir, settings)
    if path is None:
        dotted = settings.replace(".", "/")
        raise ScaffoldError(
            f"the settings module {settings!r} is not in the project: there is no "
            f"{dotted}.py or {dotted}/__init__.py under {base_dir}"
        )
    try:
        entries = installed_apps(base_dir, settings)
    except ConfigError as error:
        raise ScaffoldError(f"the settings module {settings!r}: {error}") from None
    return DjangoProject(base_dir, settings, path, entries)


def settings_named_by_manage_py(directory: Path) -> str | None:
    """The settings module manage.py in `directory` names, or None: for suggestions only."""
    if not (directory / "manage.py").is_file():
        return None
    try:
        return _settings_module(directory)
    except ScaffoldError:
        return None


def _settings_module(base_dir: Path) -> str:
    """DJANGO_SETTINGS_MODULE as manage.py sets it, else as wsgi.py or asgi.py do."""
    candidates = [base_dir / "manage.py"]
    for name in ("wsgi.py", "asgi.py"):
        candidates.extend(sorted(base_dir.glob(f"*/{name}")))
        candidates.extend(sorted(base_dir.glob(f"*/*/{name}")))
    for path in candidates:
        found = _settings_default(path)
        if found is not None:
            return found
    raise ScaffoldError(
        f"cannot tell the settings module: manage.py in {base_dir} sets no "
        f"{SETTINGS_VARIABLE} (nor does a wsgi.py or asgi.py beside the settings)"
    )


def _settings_default(path: Path) -> str | None:
    """The string a file gives DJANGO_SETTINGS_MODULE: os.environ.setdefault(...) or [...] = ."""
    try:
        tree = ast.parse(read_regular(path), filename=str(path))
    except SyntaxError as error:
        raise ScaffoldError(f"cannot parse {path}:{error.lineno}: {error.msg}") from None
    except (OSError, ValueError) as error:
        raise ScaffoldError(f"cannot read {path}: {error}") from None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and len(node.args) == 2
            and literal_string(node.args[0]) == SETTINGS_VARIABLE
            and literal_string(node.args[1]) is not None
        ):
            return literal_string(node.args[1])
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and literal_string(node.targets[0].slice) == SETTINGS_VARIABLE
            and literal_string(node.value) is not None
        ):
            return literal_string(node.value)
    return None


def assigning_file(base_dir: Path, dotted: str, seen: frozenset[str] = frozenset()) -> Path | None:
    """The settings file that assigns INSTALLED_APPS: this one, or one it star-imports."""
    path = settings_file(base_dir, dotted)
    if path is None or dotted in seen:
        return None
    tree = ast.parse(read_regular(path), filename=str(path))
    if assignments(tree, "INSTALLED_APPS"):
        return path
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    for statement in reversed(tree.body):
        if isinstance(statement, ast.ImportFrom) and any(a.name == "*" for a in statement.names):
            source = absolute_import(package, statement)
            if source is not None:
                found = assigning_file(base_dir, source, seen | {dotted})
                if found is not None:
                    return found
    return None


def list_for_new_apps(source: str) -> str:
    """INSTALLED_APPS when it is a literal; for `DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS`,
    the list third-party apps go in."""
    found = assignments(ast.parse(source), "INSTALLED_APPS")
    value = found[-1].value if found else None
    if value is None or isinstance(value, ast.List | ast.Tuple):
        return "INSTALLED_APPS"
    names = [node.id for node in ast.walk(value) if isinstance(node, ast.Name)]
    for preferred in APP_LISTS:
        if preferred in names:
            return preferred
    raise CannotEdit("INSTALLED_APPS is computed; add it to the list it is built from")
