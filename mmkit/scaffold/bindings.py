"""Refuse names the user chose that the rendered code would bind twice in one file.

A model called `Iterable` is imported into use_cases.py next to the template's own
`from collections.abc import Iterable`: the second import silently replaces the first and
ruff reports F811. Reading the rendered files finds every such clash, in built-in and a
team's own templates alike, without a hand-kept list of the names templates import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from mmkit.scaffold.errors import ScaffoldError


def check_bindings(files: Mapping[str, str], chosen: Mapping[str, tuple[str, str]]) -> None:
    """Refuse when a rendered Python file binds one of the `chosen` names more than once.

    `chosen` maps a generated name to the option that produced it and what that option
    names, e.g. `{"IterableDTO": ("--model Iterable", "model")}`.
    """
    for path, text in sorted(files.items()):
        if not path.endswith(".py"):
            continue
        found: dict[str, list[str]] = {}
        for name, statement in top_level_bindings(ast.parse(text, filename=path)):
            found.setdefault(name, []).append(statement)
        for name, statements in found.items():
            if name in chosen and len(statements) > 1:
                option, kind = chosen[name]
                raise ScaffoldError(
                    f"{option}: the generated {path} would bind {name} twice "
                    f"({' and '.join(statements)}); choose another {kind} name"
                )


def top_level_bindings(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """Each name the module body binds, with the statement that binds it, shortened."""
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    continue
                single: ast.stmt = ast.Import(names=[alias])
                if isinstance(node, ast.ImportFrom):
                    single = ast.ImportFrom(module=node.module, names=[alias], level=node.level)
                yield alias.asname or alias.name.split(".")[0], ast.unparse(single)
        elif isinstance(node, ast.ClassDef):
            yield node.name, f"class {node.name}"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, f"def {node.name}"
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        yield leaf.id, f"{leaf.id} = ..."
