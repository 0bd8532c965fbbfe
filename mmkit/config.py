"""Read `[tool.mmkit]` from pyproject.toml into a validated, frozen Config.

Every mistake in the configuration is a ConfigError with one line that says what is wrong
and, where it can, what was probably meant; the doors turn it into exit 2 or mmkit.E100.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PYPROJECT = "pyproject.toml"
DEFAULT_PUBLIC: tuple[str, ...] = ("facade", "events")
DEFAULT_EXCLUDE: tuple[str, ...] = ("**/migrations/**",)
TOP_LEVEL_KEYS = (
    "root",
    "modules",
    "public",
    "shared",
    "exclude",
    "settings",
    "templates",
    "relation_fields",
)
MODULE_KEYS = ("public", "depends_on")


PYPROJECT_HINT = (
    "Correct [tool.mmkit] in pyproject.toml as the message says, or point "
    "settings.MMKIT_CONFIG at it."
)
UNREADABLE_HINT = (
    "Make the file readable (permissions, UTF-8) or leave it out with [tool.mmkit] exclude."
)
SETTINGS_HINT = (
    "Set [tool.mmkit] settings to your settings module's dotted name (DJANGO_SETTINGS_MODULE, "
    "relative to root) and make it parse; `mmkit init` reads it from manage.py."
)


class ConfigError(Exception):
    """A configuration problem, with a message fit to be shown to the user as it is.

    `hint` says what to fix for this cause; the Django door shows it as mmkit.E100's hint.
    """

    hint = PYPROJECT_HINT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class NoConfigError(ConfigError):
    """No pyproject.toml with [tool.mmkit] where the project is looked for."""

    hint = (
        "Run `mmkit init` in the project (the directory of manage.py) to write [tool.mmkit], "
        "or set MMKIT_CONFIG in the settings to the pyproject.toml that has it."
    )


class SettingsError(ConfigError):
    """`[tool.mmkit] settings` names no module under root, or a file it needs cannot be read."""

    hint = SETTINGS_HINT


@dataclass(frozen=True)
class ModuleConfig:
    """What the configuration says about one module; None means "use the default"."""

    name: str
    public: tuple[str, ...] | None = None
    depends_on: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Config:
    """The validated `[tool.mmkit]` table, with paths made absolute."""

    path: Path
    root: Path
    modules: tuple[ModuleConfig, ...] | None = None
    modules_form: str | None = None
    public: tuple[str, ...] = DEFAULT_PUBLIC
    shared: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    settings: str | None = None
    templates: Path | None = None
    relation_fields: tuple[str, ...] = ()

    @property
    def base_dir(self) -> Path:
        """The directory of pyproject.toml: baseline, cache and relative paths live here."""
        return self.path.parent


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ` (did you mean 'x'?)` suffix when a close match exists, else an empty string."""
    import difflib  # only a mistake needs it; `mmkit check` must start fast

    ratios = [(difflib.SequenceMatcher(None, word, c).ratio(), -i) for i, c in enumerate(choices)]
    best = max(ratios, default=(0.0, 0))
    # The closest; of equally close ones the first given (E003 before E103 for "E03").
    return f" (did you mean '{choices[-best[1]]}'?)" if best[0] >= 0.6 else ""


def _find(start: Path) -> tuple[Path, dict[str, Any]]:
    """The nearest pyproject.toml with a [tool.mmkit] table, at `start` or above it, with its
    content: a run reads its configuration once."""
    start = start.resolve()
    if start.is_file():
        if start.name != PYPROJECT:
            raise ConfigError(f"{start} is not a {PYPROJECT} or a directory")
        content = _read_toml(start)
        if _has_mmkit(content):
            return start, content
        raise NoConfigError(f"no [tool.mmkit] table in {start}")
    if not start.exists():
        raise ConfigError(f"{start} does not exist")
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            content = _read_toml(candidate)
            if _has_mmkit(content):
                return candidate, content
    raise NoConfigError(
        f"no [tool.mmkit] table in a {PYPROJECT} at {start} or above it; "
        "run `mmkit init` in the Django project to add one"
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path} is not valid TOML: nested too deeply") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path} is not valid TOML: not UTF-8 ({error.reason})", hint=UNREADABLE_HINT
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}", hint=UNREADABLE_HINT) from None


def has_mmkit_table(path: Path) -> bool:
    """Whether the pyproject declares [tool.mmkit]; ConfigError when it cannot be read."""
    return _has_mmkit(_read_toml(path))


def _has_mmkit(content: dict[str, Any]) -> bool:
    tool = content.get("tool", {})
    return isinstance(tool, dict) and "mmkit" in tool


def load(start: Path | str = ".") -> Config:
    """Find and validate the configuration for the project at or above `start`."""
    path, content = _find(Path(start))
    table = content["tool"]["mmkit"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mmkit] must be a table")
    return parse(table, path)


def parse(table: dict[str, Any], path: Path) -> Config:
    """Validate a `[tool.mmkit]` table read from `path` (a pure function, for tests too)."""
    where = f"{path}: [tool.mmkit]"
    _reject_unknown_keys(table, TOP_LEVEL_KEYS, where)
    base_dir = path.parent
    written = base_dir / _string(table, "root", where, ".")
    # Judged as written (a symlink inside the project may lead elsewhere; `..` may not).
    if not Path(os.path.normpath(written)).is_relative_to(os.path.normpath(base_dir)):
        raise ConfigError(
            f"{where} root = {table.get('root')!r}: {os.path.normpath(written)} is outside "
            f"the project directory {base_dir}; root must be that directory or below it"
        )
    root = written.resolve()
    if not root.is_dir():
        raise ConfigError(f"{where} root = {str(table.get('root'))!r}: {root} is not a directory")
    modules, form = _modules(table.get("modules"), where)
    templates = table.get("templates")
    return Config(
        path=path,
        root=root,
        modules=modules,
        modules_form=form,
        public=_names(table, "public", where, DEFAULT_PUBLIC),
        shared=_names(table, "shared", where, ()),
        exclude=_names(table, "exclude", where, DEFAULT_EXCLUDE),
        settings=_string(table, "settings", where, None),
        templates=(base_dir / _string(table, "templates", where, "")).resolve()
        if templates is not None
        else None,
        relation_fields=_dotted_names(table, "relation_fields", where),
    )


def _reject_unknown_keys(table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key '{key}'{did_you_mean(key, known)}")


def _string(table: dict[str, Any], key: str, where: str, default: str | None) -> Any:
    value = table.get(key, default)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: '{key}' must be a string, not {type(value).__name__}")
    if value is not None and "\0" in value:
        raise ConfigError(f"{where} '{key}' contains a NUL character")
    return value


def _names(
    table: dict[str, Any], key: str, where: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    value = table.get(key)
    if value is None:
        return default
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    if any("\0" in item for item in value):
        raise ConfigError(f"{where} '{key}' contains a NUL character")
    return tuple(value)


def _dotted_names(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Import paths of classes (`myapp.fields.MoneyLink`): at least a module and a name."""
    names = _names(table, key, where, ())
    for name in names:
        parts = name.split(".")
        if len(parts) < 2 or not all(part.isidentifier() for part in parts):
            raise ConfigError(
                f"{where}: '{key}' entry {name!r} is not the import path of a class "
                "(like 'myapp.fields.MoneyLink')"
            )
    return names


def _modules(value: Any, where: str) -> tuple[tuple[ModuleConfig, ...] | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where}: 'modules' must be a list of module names")
        if not value:
            raise ConfigError(
                f"{where}: 'modules' is empty; list your modules or leave the key out "
                "to discover every app under root"
            )
        _reject_duplicates(value, where)
        return tuple(ModuleConfig(name=_module_name(name, where)) for name in value), "list"
    if isinstance(value, dict):
        if not value:
            raise ConfigError(f"{where}: 'modules' has no modules")
        modules = []
        for name, settings in value.items():
            module_where = f"{where}.modules.{name}"
            if not isinstance(settings, dict):
                raise ConfigError(f"{module_where} must be a table")
            _reject_unknown_keys(settings, MODULE_KEYS, module_where)
            public = _names(settings, "public", module_where, ()) if "public" in settings else None
            depends_on = (
                _names(settings, "depends_on", module_where, ())
                if "depends_on" in settings
                else None
            )
            modules.append(
                ModuleConfig(name=_module_name(name, where), public=public, depends_on=depends_on)
            )
        return tuple(modules), "table"
    raise ConfigError(f"{where}: 'modules' must be a list of names or a table of modules")


def _module_name(name: str, where: str) -> str:
    if not name or not all(part.isidentifier() for part in name.split(".")):
        raise ConfigError(f"{where}: '{name}' is not a dotted Python package name")
    return name


def _reject_duplicates(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{where}: module '{name}' is listed twice")
        seen.add(name)
