"""Public-interface rules (W001, W002): each module has one, and it hands out no models."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mmkit.checks.model_index import ModelIndex, ScanReader, read_scan
from mmkit.checks.model_scan import Annotation, Binding, Expr, StarImport
from mmkit.checks.relations import unparsable_findings
from mmkit.findings import RULES, Finding
from mmkit.project import Module, Project, SourceFile


def findings(project: Project, reader: ScanReader = read_scan) -> list[Finding]:
    """W001 for modules without their public submodules, W002 for facades that hand out models.

    Shared modules are exempt: everything in them is public, models included.
    """
    index = ModelIndex(project, reader)
    public_files = _public_files(project)
    found: list[Finding] = []
    for module in project.modules:
        if module.shared:
            continue
        if module.public and not _has_public_submodule(module):
            found.append(_no_interface(project, module))
        files = public_files.get(module.name, [])
        checked = {file.dotted for file in files}
        for file in files:
            found.extend(_models_handed_out(index, file, checked))
    return found + unparsable_findings(index)


def _public_files(project: Project) -> dict[str, list[SourceFile]]:
    """The files of each module that other modules may import, in one pass over the files."""
    public: dict[str, list[SourceFile]] = {}
    for file in project.files:
        if file.module is not None and file.module.is_public(file.dotted):
            public.setdefault(file.module.name, []).append(file)
    return public


def _has_public_submodule(module: Module) -> bool:
    for name in module.public:
        if name == "__init__":
            if (module.path / "__init__.py").is_file():
                return True
            continue
        base = module.path.joinpath(*name.split("."))
        if base.with_name(base.name + ".py").is_file() or (base / "__init__.py").is_file():
            return True
    return False


def _no_interface(project: Project, module: Module) -> Finding:
    where = module.path / "__init__.py"
    if not where.is_file():
        # A namespace package: its first file is somewhere an editor (and SARIF) can point to.
        owned = (f.path for f in project.files if f.module and f.module.name == module.name)
        where = next(owned, module.path)
    return Finding(
        rule="mmkit.W001",
        path=project.relpath(where),
        line=1,
        column=1,
        message=f"module '{module.name}' has no public interface "
        f"(looked for: {', '.join(module.public)})",
        hint=RULES["mmkit.W001"].fix,
        module=module.name,
    )


def _models_handed_out(index: ModelIndex, file: SourceFile, checked: set[str]) -> Iterator[Finding]:
    """W002 for each model the public file exports and each exported signature naming one.

    Functions count wherever they are defined: a facade that re-exports a use case hands out
    what the use case returns; the finding goes where the facade binds the name (a model
    listed in `__all__`: where it is listed). A name taken from another public file of the
    module (`checked`) is reported there, once.
    """
    scope = index.scope(file.dotted)
    for export in _exported_names(index, file):
        if export.source != file.dotted and export.source in checked:
            continue
        symbol = index.resolve(file.dotted, Expr("name", export.name, export.name))
        if index.is_model(symbol):
            model = index.model_of(symbol)
            message = f"{file.dotted} exports {export.name}, a model"
            # Listed in __all__: the line to fix is the listing, not the import.
            listed = scope.scan.export_line(export.name) if scope is not None else None
            place = _Export(export.name, listed, 1, export.source) if listed else export
            yield _w002(file, place, message, model.label if model else None)
        elif symbol is not None and symbol.kind == "function":
            for problem in _signature_problems(index, symbol.value):
                yield _w002(file, export, f"{file.dotted}.{export.name} {problem}", None)


def _signature_problems(index: ModelIndex, key: str) -> Iterator[str]:
    """`returns X, a model` / `takes x: X, a model` for each annotation naming a model."""
    found = index.function(key)
    if found is None:
        return
    defined_in, function = found
    parts = [(f"takes {param}:", annotation) for param, annotation in function.params]
    if function.returns is not None:
        parts.append(("returns", function.returns))
    for verb, annotation in parts:
        problem = _model_in(index, defined_in, annotation)
        if problem is not None:
            yield f"{verb} {problem}"
    for returned in function.returned:
        symbol = index.resolve(defined_in.dotted, Expr("name", returned.model, returned.model))
        if not index.is_model(symbol):
            continue
        what = {
            "queryset": f"a QuerySet of {returned.model}",
            "instance": f"an instance of {returned.model}, a model",
            "instances": f"{returned.model} instances, models",
        }[returned.what]
        yield f"returns {returned.text}, {what} (no return annotation)"


@dataclass(frozen=True)
class _Export:
    """A name a public file exports, where it binds it, and the file it takes it from."""

    name: str
    line: int
    column: int
    source: str | None


def _exported_names(index: ModelIndex, file: SourceFile) -> Iterator[_Export]:
    """Each name the file exports: those in `__all__`, else its public names.

    The place is where the name is bound: its import, its class or def, or the star import
    it came through.
    """
    scope = index.scope(file.dotted)
    if scope is None:
        return
    came_through: dict[str, StarImport] = {}
    for star in reversed(scope.scan.stars):
        for name in index.star_names(star.origin):
            came_through.setdefault(name, star)
    exports = scope.scan.exports
    names = (
        exports
        if exports is not None
        else [
            *(n for n in scope.names if not n.startswith("_")),
            *(n for n in came_through if n not in scope.names),
        ]
    )
    for name in names:
        entry = scope.names.get(name)
        if isinstance(entry, Binding):
            source = entry.origin.rpartition(".")[0] if entry.origin else None
            yield _Export(name, entry.line, entry.column + 1, source)
        elif entry is not None:
            yield _Export(name, entry.line, entry.column + 1, file.dotted)
        elif name in came_through:
            star = came_through[name]
            yield _Export(name, star.line, star.column + 1, star.origin)


def _model_in(index: ModelIndex, file: SourceFile, annotation: Annotation) -> str | None:
    """What is wrong with an annotation that names a QuerySet or a model, else None."""
    for ref in annotation.refs:
        symbol = index.resolve(file.dotted, Expr("name", ref, ref))
        if index.is_queryset(symbol):
            what = "a QuerySet"
        elif index.is_model(symbol):
            what = "a model"
        else:
            continue
        text = annotation.text
        if text == ref or text.startswith(ref + "["):
            return f"{text}, {what}"
        return f"{text}, which names {what} ({ref})"
    return None


def _w002(file: SourceFile, export: _Export, message: str, model: str | None) -> Finding:
    return Finding(
        rule="mmkit.W002",
        path=file.relpath,
        line=export.line,
        column=export.column,
        message=message,
        hint=RULES["mmkit.W002"].fix,
        module=file.module.name if file.module else None,
        model=model,
    )
