"""Register a new module: INSTALLED_APPS in the settings and `modules` in pyproject.toml.

Edits are textual insertions, so the files keep their formatting and comments; each edited
text is parsed again and compared with the intended result before anyone writes it. When a
file cannot be edited that safely, the user gets the exact line to add instead.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmkit.config import Config


class CannotEdit(Exception):
    """The file is valid but not in a shape a textual insertion can safely handle."""


@dataclass(frozen=True)
class Edit:
    """A whole-file replacement, computed in memory and written atomically later."""

    path: Path
    old: str
    new: str
    summary: str


@dataclass(frozen=True)
class Registration:
    """What registering the module takes: edits to write, lines to add by hand, notes."""

    edits: tuple[Edit, ...] = ()
    manual: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def plan_registration(config: Config, name: str, depends_on: tuple[str, ...]) -> Registration:
    """The edits that register `name`, or the lines to add by hand where a file resists."""
    edits: list[Edit] = []
    manual: list[str] = []
    notes: list[str] = []
    settings = _settings_edit(config, name, manual, notes)
    if settings is not None:
        edits.append(settings)
    pyproject = _pyproject_edit(config, name, depends_on, manual, notes)
    if pyproject is not None:
        edits.append(pyproject)
    return Registration(tuple(edits), tuple(manual), tuple(notes))


def read_text(path: Path) -> str:
    """A file's text with its line endings as they are, so untouched lines stay byte-equal."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _settings_edit(config: Config, name: str, manual: list[str], notes: list[str]) -> Edit | None:
    path = settings_path(config)
    entry = f'"{name}",'
    if path is None:
        where = (
            f"the settings module {config.settings} (not found under root)"
            if config.settings
            else f"your settings ({_settings_hint(config)})"
        )
        manual.append(f"add {entry} to INSTALLED_APPS in {where}")
        return None
    shown = _shown(config, path)
    if not _inside_project(config, path):
        manual.append(f"add {entry} to INSTALLED_APPS in {shown} (it is outside the project)")
        return None
    # A symlinked settings file is edited where it lives, so the link stays a link.
    path = path.resolve()
    if _read_only(path):
        manual.append(f"add {entry} to INSTALLED_APPS in {shown} (the file is read-only)")
        return None
    try:
        source = read_text(path)
        apps = installed_apps(source)
        if apps is not None and any(a == name or a.startswith(f"{name}.") for a in apps):
            notes.append(f"{name} is already in INSTALLED_APPS ({shown})")
            return None
        new = add_installed_app(source, name)
    except (
        OSError,
        UnicodeDecodeError,
        SyntaxError,
        ValueError,
        RecursionError,
        MemoryError,
        CannotEdit,
    ) as error:
        manual.append(f"add {entry} to INSTALLED_APPS in {shown} ({_reason(error)})")
        return None
    return Edit(path, source, new, f'add "{name}" to INSTALLED_APPS')


def _settings_hint(config: Config) -> str:
    """How to let mmkit edit INSTALLED_APPS: the settings manage.py names, or `mmkit init`."""
    from mmkit.scaffold.django_project import settings_named_by_manage_py

    for directory in (config.base_dir, config.root):
        found = settings_named_by_manage_py(directory)
        if found is not None:
            return f'set [tool.mmkit] settings = "{found}" to let mmkit do it'
    return "run `mmkit init` in the directory of manage.py to let mmkit do it"


def _pyproject_edit(
    config: Config,
    name: str,
    depends_on: tuple[str, ...],
    manual: list[str],
    notes: list[str],
) -> Edit | None:
    shown = _shown(config, config.path)
    listed = {module.name: module for module in config.modules or ()}
    pyproject = config.path.resolve()
    if not pyproject.is_relative_to(config.base_dir.resolve()):
        if config.modules_form in ("table", "list") and name not in listed:
            manual.append(
                f"add {name} to [tool.mmkit] modules in {shown} (it is outside the project)"
            )
        return None
    if config.modules_form == "table":
        if name in listed:
            missing = [d for d in depends_on if d not in (listed[name].depends_on or ())]
            if missing:
                notes.append(
                    f"add {', '.join(missing)} to depends_on of "
                    f"[tool.mmkit.modules.{toml_key(name)}] in {shown}"
                )
            return None
        header, dependencies = table_lines(name, depends_on)
        if _inline_mmkit_table(pyproject):
            manual.append(
                f"add {name} = {{depends_on = {_toml_list(depends_on)}}} to the modules of the "
                f"inline table `mmkit = {{...}}` under [tool] in {shown} (a {header} header "
                "would be invalid TOML there)"
            )
            return None
        if _read_only(pyproject):
            manual.append(
                f"add to {shown} (the file is read-only):\n    {header}\n    {dependencies}"
            )
            return None
        try:
            text = read_text(pyproject)
            new = add_module_table(text, name, depends_on)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, CannotEdit) as error:
            manual.append(f"add to {shown} ({_reason(error)}):\n    {header}\n    {dependencies}")
            return None
        return Edit(pyproject, text, new, f"add {header}")
    if depends_on:
        notes.append(
            f"{name} depends on {', '.join(depends_on)}, which mmkit checks only when modules "
            f"are tables: [tool.mmkit.modules.{toml_key(name)}] depends_on = "
            f"{_toml_list(depends_on)}"
        )
    if config.modules_form != "list" or name in listed:
        return None
    if _read_only(pyproject):
        manual.append(f'add "{name}" to [tool.mmkit] modules in {shown} (the file is read-only)')
        return None
    try:
        text = read_text(pyproject)
        new = add_module_to_list(text, name)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, CannotEdit) as error:
        manual.append(f'add "{name}" to [tool.mmkit] modules in {shown} ({_reason(error)})')
        return None
    return Edit(pyproject, text, new, f'add "{name}" to [tool.mmkit] modules')


def _shown(config: Config, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.base_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


def _inside_project(config: Config, path: Path) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(base.resolve()) for base in (config.root, config.base_dir))


def _inline_mmkit_table(path: Path) -> bool:
    """Whether [tool.mmkit] is written inline (`[tool]` then `mmkit = {...}`): no header
    may add to an inline table, so the hint must say what to write inside it."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError):
        return False
    keys = [key for _, key in _headers(text.splitlines())]
    if any(key[:2] == ("tool", "mmkit") for key in keys):
        return False
    return re.search(r"""^[ \t]*["']?mmkit["']?[ \t]*=[ \t]*\{""", text, re.MULTILINE) is not None


def _read_only(path: Path) -> bool:
    """Whether the file's mode forbids writing: the user's choice, kept even for root."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not mode & 0o222 or not os.access(path, os.W_OK)


def _reason(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"it does not parse: {error.msg}"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return " ".join(str(error).split())


def settings_path(config: Config) -> Path | None:
    """The settings file named by `[tool.mmkit] settings`, under root or beside pyproject.toml."""
    if not config.settings:
        return None
    parts = config.settings.split(".")
    for base in (config.root, config.base_dir):
        for candidate in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            if candidate.is_file():
                return candidate
    return None


def installed_apps(source: str) -> list[str] | None:
    """The string entries of a literal INSTALLED_APPS, or None when it is not a literal."""
    try:
        node = _installed_apps_node(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError, CannotEdit):
        return None
    return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def app_label(entry: str) -> str:
    """The app label Django gives an INSTALLED_APPS entry by default.

    `django.contrib.admin` -> `admin`; an AppConfig path such as `shop.apps.ShopConfig`
    -> `shop`. A custom `AppConfig.label` is not seen here; discovery reads the project's own.
    """
    parts = entry.split(".")
    if len(parts) > 1 and parts[-1][:1].isupper():
        parts.pop()
        if len(parts) > 1 and parts[-1] == "apps":
            parts.pop()
    return parts[-1]


def add_installed_app(source: str, name: str, setting: str = "INSTALLED_APPS") -> str:
    """The settings source with `name` appended to its literal INSTALLED_APPS list or tuple
    (or to another literal list `setting`, such as a split settings' THIRD_PARTY_APPS)."""
    tree = ast.parse(source)
    node = _installed_apps_node(tree, setting)
    lines = source.splitlines(keepends=True)
    start = _offset(lines, node.lineno, node.col_offset)
    end = _offset(lines, node.end_lineno or node.lineno, node.end_col_offset or 0)
    if source[start] not in "[(" or source[end - 1] not in "])":
        raise CannotEdit("INSTALLED_APPS is a tuple without parentheses")
    last = None
    quote = '"'
    if node.elts:
        element = node.elts[-1]
        last = (
            _offset(lines, element.lineno, element.col_offset),
            _offset(lines, element.end_lineno or element.lineno, element.end_col_offset or 0),
        )
        quote = _quote_of(source, node.elts)
    empty_suffix = "," if isinstance(node, ast.Tuple) else ""
    new = _append_item(source, start, last, end - 1, f"{quote}{name}{quote}", empty_suffix)
    node.elts.append(ast.Constant(name))
    if ast.dump(ast.parse(new)) != ast.dump(tree):
        raise CannotEdit("the edited INSTALLED_APPS did not parse back as intended")
    return new


def add_module_to_list(text: str, name: str) -> str:
    """pyproject.toml text with `name` appended to the `[tool.mmkit] modules` array."""
    lines = text.splitlines(keepends=True)
    section = _section(lines, ("tool", "mmkit"))
    if section is None:
        raise CannotEdit("no [tool.mmkit] header")
    first, stop = section
    offset = sum(len(line) for line in lines[:first])
    opening = None
    for line in lines[first:stop]:
        match = re.match(r"""\s*["']?modules["']?\s*=\s*\[""", line)
        if match:
            opening = offset + match.end() - 1
            break
        offset += len(line)
    if opening is None:
        raise CannotEdit("no `modules = [` line in [tool.mmkit]")
    strings, closing = _scan_toml_array(text, opening)
    quote = text[strings[-1][0]] if strings else '"'
    new = _append_item(
        text, opening, strings[-1] if strings else None, closing, f"{quote}{name}{quote}"
    )
    expected = tomllib.loads(text)
    expected["tool"]["mmkit"]["modules"].append(name)
    _verify_toml(new, expected)
    return new


def add_module_table(text: str, name: str, depends_on: tuple[str, ...]) -> str:
    """pyproject.toml text with a `[tool.mmkit.modules.NAME]` table after the last module's."""
    lines = text.splitlines(keepends=True)
    headers = _headers(lines)
    after = [i for i, key in headers if key[:3] == ("tool", "mmkit", "modules") and len(key) > 3]
    if not after:
        after = [
            i for i, key in headers if key in (("tool", "mmkit", "modules"), ("tool", "mmkit"))
        ]
    if not after:
        raise CannotEdit("no [tool.mmkit] header")
    following = [i for i, _ in headers if i > after[-1]]
    insert_at = _content_end(lines, after[-1], following[0] if following else len(lines))
    newline = "\r\n" if "\r\n" in text else "\n"
    if insert_at and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += newline
    block = [newline, f"[tool.mmkit.modules.{toml_key(name)}]{newline}"]
    block.append(f"depends_on = {_toml_list(depends_on)}{newline}")
    if insert_at < len(lines) and lines[insert_at].strip():
        block.append(newline)
    new = "".join(lines[:insert_at] + block + lines[insert_at:])
    expected = tomllib.loads(text)
    expected["tool"]["mmkit"]["modules"][name] = {"depends_on": list(depends_on)}
    _verify_toml(new, expected)
    return new


def table_lines(name: str, depends_on: tuple[str, ...]) -> tuple[str, str]:
    """The two lines of a module's table, for users who add it by hand."""
    return f"[tool.mmkit.modules.{toml_key(name)}]", f"depends_on = {_toml_list(depends_on)}"


def toml_key(name: str) -> str:
    """A module name as a TOML table key: quoted unless it is a bare identifier (a dotted
    one, `shop.billing`, is quoted)."""
    return name if name.isidentifier() else toml_string(name)


def toml_string(value: str) -> str:
    """A TOML basic string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def assignments(tree: ast.Module, name: str) -> list[ast.Assign | ast.AnnAssign]:
    """The module-level statements that bind `name` plainly: `NAME = ...`, `NAME: T = ...`."""
    found: list[ast.Assign | ast.AnnAssign] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            found.append(statement)
    return found


def _installed_apps_node(tree: ast.Module, setting: str = "INSTALLED_APPS") -> ast.List | ast.Tuple:
    statements = assignments(tree, setting)
    found = statements[-1].value if statements else None
    if found is None:
        raise CannotEdit(f"the settings do not assign {setting}")
    if not isinstance(found, ast.List | ast.Tuple):
        raise CannotEdit(f"{setting} is not a literal list or tuple")
    return found


def _append_item(
    text: str,
    opening: int,
    last: tuple[int, int] | None,
    closing: int,
    item: str,
    empty_suffix: str = "",
) -> str:
    """Insert `item` after the last element of the bracketed sequence at text[opening:closing+1].

    One-line sequences get `, item`; multi-line ones get a new line indented like the last
    element, with a trailing comma when the last element had one.
    """
    if last is None:
        return text[: opening + 1] + item + empty_suffix + text[opening + 1 :]
    start, end = last
    comma = _next_significant(text, end, closing)
    if "\n" not in text[end:closing]:
        return text[:end] + ", " + item + text[end:]
    after = comma + 1 if comma is not None else end
    line_end = text.index("\n", after)
    newline = "\n"
    if text[line_end - 1] == "\r":
        line_end -= 1
        newline = "\r\n"
    line_start = text.rfind("\n", 0, start) + 1
    rest = text[line_start:]
    indent = rest[: len(rest) - len(rest.lstrip(" \t"))]
    if line_start <= opening:
        indent += "    "
    new_line = newline + indent + item + ("," if comma is not None else "")
    if comma is None:
        return text[:end] + "," + text[end:line_end] + new_line + text[line_end:]
    return text[:line_end] + new_line + text[line_end:]


def _next_significant(text: str, start: int, stop: int) -> int | None:
    """The offset of a comma between `start` and `stop`, skipping blanks and comments."""
    index = start
    while index < stop:
        char = text[index]
        if char == "#":
            index = text.index("\n", index)
        elif char == ",":
            return index
        elif not char.isspace():
            return None
        index += 1
    return None


def _quote_of(source: str, elements: list[ast.expr]) -> str:
    """The quote character the last string element uses, so an insertion matches its style."""
    for element in reversed(elements):
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            segment = ast.get_source_segment(source, element) or ""
            for char in segment:
                if char in "'\"":
                    return char
    return '"'


def _offset(lines: list[str], lineno: int, col: int) -> int:
    """A character offset from ast's 1-based line and UTF-8 byte column."""
    line = lines[lineno - 1] if lineno - 1 < len(lines) else ""
    return sum(len(text) for text in lines[: lineno - 1]) + len(
        line.encode("utf-8")[:col].decode("utf-8", errors="ignore")
    )


KEY_PATH = r"""([A-Za-z0-9_\-."' ]+?)"""
HEADER = re.compile(r"\s*\[(?!\[)\s*" + KEY_PATH + r"\s*\]\s*(#.*)?\Z")
ARRAY_HEADER = re.compile(r"\s*\[\[\s*" + KEY_PATH + r"\s*\]\]\s*(#.*)?\Z")


def _headers(lines: list[str]) -> list[tuple[int, tuple[str, ...]]]:
    """Table headers by line index, each as its dotted key (`('tool', 'mmkit')`)."""
    found = []
    for index, line in enumerate(lines):
        match = HEADER.match(line.rstrip("\r\n")) or ARRAY_HEADER.match(line.rstrip("\r\n"))
        if match:
            key = tuple(part.strip().strip("\"'") for part in match.group(1).split("."))
            found.append((index, key))
    return found


def _section(lines: list[str], key: tuple[str, ...]) -> tuple[int, int] | None:
    """The line range of the table with this header, up to the next header."""
    headers = _headers(lines)
    for position, (index, header) in enumerate(headers):
        if header == key:
            stop = headers[position + 1][0] if position + 1 < len(headers) else len(lines)
            return index + 1, stop
    return None


def _content_end(lines: list[str], header: int, next_header: int) -> int:
    """The line after a table's last content line.

    Blank lines, and comments written right above the next header, belong to what follows.
    """
    end = next_header
    if next_header < len(lines):
        while end > header + 1 and lines[end - 1].lstrip().startswith("#"):
            end -= 1
    while end > header + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _scan_toml_array(text: str, opening: int) -> tuple[list[tuple[int, int]], int]:
    """The (start, end) of each top-level string in the TOML array at `opening`, and its `]`."""
    strings: list[tuple[int, int]] = []
    depth = 0
    index = opening
    while index < len(text):
        char = text[index]
        if char == "#":
            index = text.find("\n", index)
            if index < 0:
                break
        elif char in "\"'":
            triple = text.startswith(char * 3, index)
            delimiter = char * 3 if triple else char
            cursor = index + len(delimiter)
            while True:
                found = text.find(delimiter, cursor)
                if found < 0:
                    raise CannotEdit("unterminated string in `modules`")
                if char == '"' and _escaped(text, found):
                    cursor = found + 1
                    continue
                break
            if depth == 1:
                strings.append((index, found + len(delimiter)))
            index = found + len(delimiter) - 1
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return strings, index
        index += 1
    raise CannotEdit("unterminated `modules` array")


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _toml_list(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(toml_string(name) for name in names) + "]"


def _verify_toml(new: str, expected: dict[str, Any]) -> None:
    try:
        parsed = tomllib.loads(new)
    except tomllib.TOMLDecodeError as error:
        raise CannotEdit(f"the edited file is not valid TOML ({error})") from None
    if parsed != expected:
        raise CannotEdit("the edited file did not parse back as intended")
