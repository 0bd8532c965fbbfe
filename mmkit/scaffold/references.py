"""Resolve `ref:MODULE` fields against the project: the module and its exists-function.

The generated create use case calls `MODULE.facade.<x>_exists(id)`; finding that function
now, by reading the facade's source, turns a typo into a refusal instead of a module whose
tests fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

from mmkit.config import did_you_mean
from mmkit.project import Module, Project
from mmkit.scaffold.context import Reference, reference
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.fields import FieldSpec
from mmkit.scaffold.names import interface_name


def resolve_references(project: Project, fields: tuple[FieldSpec, ...]) -> dict[str, Reference]:
    """The Reference of every ref field, by field name; a ScaffoldError for a bad one."""
    names = [module.name for module in project.modules]
    resolved: dict[str, Reference] = {}
    for field in fields:
        if field.ref_module is None:
            continue
        where = f"--field {field.name}:ref:{field.ref_module}"
        if field.ref_module not in names:
            raise ScaffoldError(
                f"{where}: there is no module '{field.ref_module}' in the project"
                f"{did_you_mean(field.ref_module, names)}"
            )
        module = project.module(field.ref_module)
        interface = interface_name(module.public)
        exists = _exists_function(module, interface, field, where)
        resolved[field.name] = reference(
            field, module.name, exists, {r.error for r in resolved.values()}, interface
        )
    return resolved


def _exists_function(module: Module, interface: str, field: FieldSpec, where: str) -> str:
    if not module.is_public(f"{module.name}.{interface}"):
        raise ScaffoldError(
            f"{where}: module '{module.name}' does not make its {interface} public "
            f"(its public interface: {', '.join(module.public) or 'nothing'})"
        )
    path = _facade_path(module.path, interface)
    if path is None:
        raise ScaffoldError(f"{where}: module '{module.name}' has no {interface}.py")
    functions = _public_names(path, where)
    wanted = f"{field.name.removesuffix('_id')}_exists"
    if wanted in functions:
        return wanted
    candidates = sorted(n for n in functions if n == "exists" or n.endswith("_exists"))
    if len(candidates) == 1:
        return candidates[0]
    found = f" (it has {', '.join(candidates)})" if candidates else ""
    raise ScaffoldError(
        f"{where}: {module.name}.{interface} has no {wanted}(id) to check that the entity "
        f"exists{found}; add one, or name the field after the one you mean"
    )


def _facade_path(package: Path, interface: str) -> Path | None:
    for candidate in (package / f"{interface}.py", package / interface / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _public_names(path: Path, where: str) -> set[str]:
    """Names the facade defines or imports, restricted to `__all__` when it has a literal one."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise ScaffoldError(f"{where}: cannot read {path}: {error}") from None
    names: set[str] = set()
    exported: set[str] | None = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                    if target.id == "__all__":
                        exported = _literal_strings(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
            if node.target.id == "__all__" and node.value is not None:
                exported = _literal_strings(node.value)
    return names & exported if exported is not None else names


def _literal_strings(node: ast.expr) -> set[str] | None:
    if isinstance(node, ast.List | ast.Tuple) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return {e.value for e in node.elts if isinstance(e, ast.Constant)}
    return None
