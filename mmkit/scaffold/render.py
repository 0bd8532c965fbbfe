"""Render the module's templates in memory: built-in ones, or a team's own where it has them.

Templates are Jinja2 files named like the file they produce plus `.jinja`. A user directory
laid out like `templates/module/` wins file by file; a template may call `skip_file()` to
produce nothing. The helpers lay code out the way ruff and black keep it, at 88 or 100
columns, so generated code passes `ruff format --check` without a formatter at run time.
"""

from __future__ import annotations

import ast
import re
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from mmkit.scaffold.errors import ScaffoldError

BUILTIN_TEMPLATES = Path(__file__).parent / "templates" / "module"
SUFFIX = ".jinja"
WIDTH = 88


class SkipFile(Exception):
    """Raised by `skip_file()` in a template: this file is not part of the module."""


def render_module(context: dict[str, Any], user_templates: Path | None) -> dict[str, str]:
    """Every output file's path (POSIX, relative to the module) and its text."""
    env = environment(user_templates)
    files: dict[str, str] = {}
    for name in template_names(user_templates):
        template = _load(env, name)
        try:
            text = template.render(context)
        except SkipFile:
            continue
        except Exception as error:  # a team's template may fail in any way: report, not crash
            raise ScaffoldError(f"template {_where(template, error)}: {_message(error)}") from None
        path = name.removesuffix(SUFFIX)
        if path.endswith(".py"):
            _check_python(path, text, template)
            if _is_builtin(template):
                _check_width(path, text)
        files[path] = text
    return files


def environment(user_templates: Path | None) -> jinja2.Environment:
    """A strict environment: an undefined variable is an error, never an empty string."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(jinja2.FileSystemLoader(BUILTIN_TEMPLATES))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.globals.update(wrap=wrap, import_from=import_from, skip_file=skip_file)
    env.filters.update(
        braced=braced, keywords=keywords, assignments=assignments, dunder_all=dunder_all
    )
    return env


def template_names(user_templates: Path | None) -> list[str]:
    """The templates of a module: the built-in ones plus any the user directory adds."""
    names = set(_list(BUILTIN_TEMPLATES))
    if user_templates is not None:
        if not user_templates.is_dir():
            raise ScaffoldError(f"[tool.mmkit] templates: {user_templates} is not a directory")
        names.update(_list(user_templates))
    return sorted(names)


def skip_file() -> None:
    """Called from a template that has nothing to write for this module."""
    raise SkipFile


def wrap(
    head: str, items: Sequence[str], indent: int, tail: str = "", is_tuple: bool = False
) -> str:
    """`head(a, b)tail` when it fits on a line indented by `indent`, else one item a line.

    The exploded shape ends each item with a comma, a "magic trailing comma" that ruff and
    black keep as it is. `is_tuple` keeps a one-item tuple a tuple: `(a,)`.
    """
    items = list(items)
    single = "," if is_tuple and len(items) == 1 else ""
    one_line = f"{head}({', '.join(items)}{single}){tail}"
    fits = indent + len(one_line) + 1 <= WIDTH and "\n" not in one_line
    if not items or fits:
        return one_line
    inner = " " * (indent + 4)
    body = "".join(f"{inner}{item},\n" for item in items)
    return f"{head}(\n{body}{' ' * indent}){tail}"


def import_from(module: str, names: Iterable[str]) -> str:
    """`from module import a, b` in the order and shape ruff's isort rules expect."""
    ordered = sorted(set(names), key=_member_key)
    one_line = f"from {module} import {', '.join(ordered)}"
    if len(one_line) + 1 <= WIDTH:
        return one_line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in ordered) + ")"


def dunder_all(names: Iterable[str]) -> list[str]:
    """Names sorted as ruff's RUF022 wants `__all__`: constants, classes, then the rest."""
    return sorted(set(names), key=_member_key)


def braced(name: str) -> str:
    """`{name}`: a replacement field for an f-string, which Jinja's own braces make awkward."""
    return "{" + name + "}"


def keywords(names: Iterable[str], owner: str) -> list[str]:
    """`name=owner.name` for each name: the arguments that copy fields from one object."""
    return [f"{name}={owner}.{name}" for name in names]


def assignments(fields: Iterable[Any], attribute: str) -> list[str]:
    """`name=value` for each field, the value read from one of its attributes (`sample`)."""
    return [f"{field.name}={getattr(field, attribute)}" for field in fields]


def _member_key(name: str) -> tuple[int, tuple[str | int, ...]]:
    """ruff's order: the kind, then a case-sensitive natural sort (`Item9` before `Item10`)."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    parts = re.split(r"(\d+)", name)
    return kind, tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def _list(directory: Path) -> list[str]:
    names = []
    for path in directory.rglob(f"*{SUFFIX}"):
        relative = path.relative_to(directory)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if path.is_file():
            names.append(relative.as_posix())
        elif not path.is_dir():
            # A FIFO or a dangling link would be skipped by the loader: the built-in template
            # would silently replace the team's own.
            raise ScaffoldError(
                f"template {relative.as_posix()} cannot be read: not a regular file"
            )
    return names


def _load(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or name}:{error.lineno}"
        raise ScaffoldError(f"template {where}: {error.message}") from None
    except jinja2.TemplateError as error:
        raise ScaffoldError(f"template {name}: {_message(error)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"template {name} cannot be read: {error}") from None
    except (RecursionError, MemoryError):
        raise ScaffoldError(f"template {name} is nested too deeply to compile") from None


def _where(template: jinja2.Template, error: BaseException) -> str:
    """The template file and, when the traceback has it, the line that failed."""
    filename = template.filename or template.name or "?"
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename == template.filename and frame.lineno:
            return f"{filename}:{frame.lineno}"
    return filename


def _message(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if isinstance(error, jinja2.TemplateError) else f"{type(error).__name__}: {text}"


def _is_builtin(template: jinja2.Template) -> bool:
    return template.filename is not None and Path(template.filename).is_relative_to(
        BUILTIN_TEMPLATES
    )


def _check_width(path: str, text: str) -> None:
    """Refuse names so long that the generated code would not fit ruff's default width."""
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > WIDTH:
            raise ScaffoldError(
                f"the names are too long: line {number} of {path} would be {len(line)} "
                f"characters (more than {WIDTH}); choose shorter names"
            )


def _check_python(path: str, text: str, template: jinja2.Template) -> None:
    """Refuse a template that renders invalid Python, before anything is written."""
    try:
        ast.parse(text, filename=path)
    except (RecursionError, MemoryError):
        raise ScaffoldError(
            f"template {template.filename or path} renders invalid Python "
            f"({path} is nested too deeply for Python's parser)"
        ) from None
    except SyntaxError as error:
        reason = re.sub(r"\s+", " ", error.msg)
        raise ScaffoldError(
            f"template {template.filename or path} renders invalid Python "
            f"(line {error.lineno} of {path}: {reason})"
        ) from None
