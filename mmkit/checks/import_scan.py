"""grimp's per-file step in Python: the project modules one file imports, and on which lines.

A warm run re-reads only the files that changed since the cached import table was built, so it
asks this module instead of building grimp's whole graph again. It follows grimp 3's rules
exactly (tests compare the two on every fixture): every import statement counts, also inside
functions and under TYPE_CHECKING; `from a import b` is `a.b` when that is a module of the
project, else `a`; an import of a name that is neither a module nor a module's member is not
an import of the project. Where it cannot be sure to agree with grimp (a file Python cannot
parse, one that is not plain UTF-8, or a relative import above the top package), it answers
None and the caller builds the graph.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator, Set

ImportedLines = dict[str, set[int]]
"""Imported project module -> the line numbers of the statements that import it."""


def scan_imports(
    source: bytes, dotted: str, is_package: bool, modules: Set[str]
) -> ImportedLines | None:
    """The project modules (out of `modules`) the file imports; None when grimp might differ."""
    if source.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        source.decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError):
        return None
    parts = dotted.split(".")
    found: ImportedLines = {}
    for node in _import_statements(tree.body):
        for name in _imported_names(node):
            absolute = _absolute(name, parts, is_package)
            if absolute is None:
                return None
            imported = _project_module(absolute, modules)
            if imported is not None:
                found.setdefault(imported, set()).add(node.lineno)
    return found


def _import_statements(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth: imports are statements, so only bodies matter."""
    pending = list(reversed(body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        pending.extend(reversed(child_statements(node)))


def child_statements(node: ast.stmt) -> list[ast.stmt]:
    """The statements directly inside a statement, in order: its bodies (`body`, `orelse`,
    `finalbody`), then those of its `except` handlers and `match` cases."""
    nested: list[ast.stmt] = []
    for field in ("body", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list):
            nested.extend(value)
    for handler in getattr(node, "handlers", ()):
        nested.extend(handler.body)
    for case in getattr(node, "cases", ()):
        nested.extend(case.body)
    return nested


def _imported_names(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The names as grimp writes them: `a.b`, `.a.b` (relative), `..b` (`from .. import b`)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    dots = "." * node.level
    for alias in node.names:
        yield f"{dots}{node.module}.{alias.name}" if node.module else f"{dots}{alias.name}"


def _absolute(name: str, parts: list[str], is_package: bool) -> str | None:
    """A relative name made absolute from the importing module, as grimp does it.

    None for one that climbs above the top package: grimp fails on the whole file.
    """
    level = len(name) - len(name.lstrip("."))
    if level == 0:
        return name
    keep = len(parts) - level + (1 if is_package else 0)
    if keep < 0:
        return None
    return f"{'.'.join(parts[:keep])}.{name[level:]}"


def _project_module(name: str, modules: Set[str]) -> str | None:
    """The name itself when it is a module, else its parent when that is one, else None."""
    if name in modules:
        return name
    parent = name.rpartition(".")[0]
    return parent if parent in modules else None
