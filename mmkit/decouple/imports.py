"""Adding `from x import name` lines to a file where isort (ruff's `I`) would put them.

Sections as ruff sorts them: __future__, the standard library, third-party (django, mmkit),
first-party (the project's top-level packages), relative; a name joins an existing
single-line import of the same module.
"""

from __future__ import annotations

import ast
import sys


def add_imports(source: str, wanted: list[tuple[str, str]], first_party: set[str]) -> str:
    """The source with `from module import name` for each (module, name) it does not bind."""
    for module, name in wanted:
        source = _add(source, module, name, first_party)
    return source


def _section(module: str, first_party: set[str]) -> int:
    if module == "__future__":
        return 0
    if module.startswith("."):
        return 4
    top = module.partition(".")[0]
    if top in sys.stdlib_module_names:
        return 1
    return 3 if top in first_party else 2


def _imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    return [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]


def _module_of(node: ast.Import | ast.ImportFrom) -> str:
    if isinstance(node, ast.Import):
        return node.names[0].name
    return "." * node.level + (node.module or "")


def _add(source: str, module: str, name: str, first_party: set[str]) -> str:
    tree = ast.parse(source)
    imports = _imports(tree)
    for node in imports:
        if not (isinstance(node, ast.ImportFrom) and _module_of(node) == module):
            continue
        if any((alias.asname or alias.name) == name for alias in node.names):
            return source
    lines = source.splitlines(keepends=True)
    for node in imports:
        if (
            isinstance(node, ast.ImportFrom)
            and _module_of(node) == module
            and node.lineno == node.end_lineno
            and "(" not in lines[node.lineno - 1]
            and "#" not in lines[node.lineno - 1]
        ):
            names = sorted({*(alias.name for alias in node.names), name}, key=_name_key)
            lines[node.lineno - 1] = f"from {module} import {', '.join(names)}\n"
            return "".join(lines)
    line = f"from {module} import {name}\n"
    section = _section(module, first_party)
    key = (True, module.lower())
    after: ast.stmt | None = None
    before: ast.stmt | None = None
    for node in imports:
        other = _section(_module_of(node), first_party)
        other_key = (isinstance(node, ast.ImportFrom), _module_of(node).lower())
        if other < section or (other == section and other_key < key):
            after = node
        elif before is None:
            before = node
    if after is not None and _section(_module_of(after), first_party) == section:
        index = after.end_lineno or after.lineno
        lines.insert(index, line)
    elif before is not None and _section(_module_of(before), first_party) == section:
        lines.insert(before.lineno - 1, line)
    elif after is not None:
        lines.insert(after.end_lineno or after.lineno, "\n" + line)
    elif before is not None:
        lines.insert(before.lineno - 1, line + "\n")
    else:
        index = _after_docstring(tree)
        lines.insert(index, ("\n" if index else "") + line)
    return "".join(lines)


def _name_key(name: str) -> tuple[int, str]:
    """isort's order of imported names: CONSTANTS, Classes, functions."""
    if name.isupper() and len(name) > 1:
        return 0, name
    return (1 if name[:1].isupper() else 2), name.lower()


def _after_docstring(tree: ast.Module) -> int:
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first.end_lineno or 0
    return 0
