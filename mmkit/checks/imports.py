"""Import rules (E003, E004, E005) over grimp's import scan of the project.

grimp's Rust scan reads the checked files once per run (`build_graph`), and its per-file results
become an ImportTable: each module file's imports of other modules, the only part the rules read
(and the part a cache keeps); grimp's graph object is never assembled. A reported import is
placed from its file's text; a file is parsed only when the lines around it are not plain
(several statements on a line, an `if TYPE_CHECKING:` block the headers above do not tell).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import re
import sys
import warnings
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import ModuleType

from mmkit.checks import exports
from mmkit.checks.model_index import ScanReader, read_scan
from mmkit.checks.model_scan import ParseError, scan
from mmkit.checks.relations import not_analysed, parse_error_finding
from mmkit.config import ConfigError
from mmkit.findings import RULES, Finding
from mmkit.project import Module, Project, SourceFile, iter_python_files

PRIVATE_IMPORT = "mmkit.E003"
CYCLE = "mmkit.E004"
UNDECLARED = "mmkit.E005"
TYPE_CHECKING_NOTE = " (under TYPE_CHECKING, still a dependency)"
_RELATIVE_IMPORT = re.compile(rb"^[ \t]*from[ \t]+(?P<dots>\.+)", re.MULTILINE)
_UNDECODABLE = re.compile(
    r"Failed to decode file (?P<path>.+?) as UTF-8: (?P<reason>.*)", re.DOTALL
)
_STATEMENT_START = re.compile(r"(?<![\w.])(?:from|import)\b")
_IMPORT_KEYWORD = re.compile(r"(?:from|import)\b")
_BOM = b"\xef\xbb\xbf"
_BLOCK_HEADER = re.compile(
    rb"(?:if|elif|else|try|except|finally|for|while|with|def|class|async|match|case)\b"
    rb".*:[ \t]*(?:#.*)?$"
)
_TYPE_CHECKING_HEADER = re.compile(
    rb"(?:el)?if[ \t]+(?:[A-Za-z_]\w*\.)*TYPE_CHECKING[ \t]*:[ \t]*(?:#.*)?$"
)
_UNREADABLE = "Failed to read file "


@dataclass(frozen=True)
class SkippedFile:
    """A file grimp could not read or parse; its imports are missing from the graph."""

    path: Path
    reason: str


@dataclass(frozen=True)
class ProjectGraph:
    """grimp's import scan of the project's files, once per run: all the rules need of a graph.

    imports maps each scanned file's dotted name to the project modules it imports, each with
    the line numbers of its import statements; modules holds every module grimp found in the
    packages (also the excluded files, which are never scanned but are import targets).
    """

    imports: Mapping[str, Mapping[str, tuple[int, ...]]]
    modules: frozenset[str]
    skipped: tuple[SkippedFile, ...] = ()


@dataclass(frozen=True)
class ImportTable:
    """What the rules read from an import graph: each module file's imports of other modules.

    imports maps an importing file's dotted name to (imported module, line numbers) pairs,
    sorted; present holds the modules the graph has (a module it lacks is not checked).
    """

    imports: Mapping[str, tuple[tuple[str, tuple[int, ...]], ...]]
    present: frozenset[str]
    skipped: tuple[SkippedFile, ...] = ()


@dataclass(frozen=True)
class Statement:
    """Where one import statement sits in its file, and whether TYPE_CHECKING guards it."""

    line: int
    column: int
    type_checking: bool


StatementFinder = Callable[[SourceFile, int, str], Statement]
"""Places the statement on a line of a file that imports a module; the cache passes its own."""


@dataclass(frozen=True)
class Pair:
    """Python module `importer` of one module imports `imported` of another module."""

    importer: str
    imported: str
    lines: tuple[int, ...]
    source: SourceFile
    module: Module
    target: Module


def findings(
    project: Project,
    graph: ProjectGraph | None = None,
    *,
    table: ImportTable | None = None,
    pairs: list[Pair] | None = None,
    publics: Mapping[str, set[str]] | None = None,
    statement: StatementFinder | None = None,
    reader: ScanReader = read_scan,
    taken: exports.TakenReader | None = None,
) -> list[Finding]:
    """E003, E004 and E005 for the project.

    `graph` or `table` (and its `pairs` and `publics`) lets a caller reuse what it made;
    `statement` places a reported import (by default each file that holds one is read once);
    `reader` gives the FileScan of a file that imports a public interface, whose names E003
    checks; `taken` what such a file plainly takes, which spares the scan when every name is
    exported.
    """
    if not project.modules:
        return []
    if table is None:
        table = import_table(project, graph if graph is not None else build_graph(project))
    place = statement if statement is not None else _Places().statement
    if pairs is None:
        pairs = cross_module_pairs(project, table)
    found: list[Finding] = []
    for pair in pairs:
        if _is_private(pair):
            found.extend(_private_import_findings(pair, place))
        if _is_undeclared(pair):
            found.extend(_undeclared_findings(pair, place))
    declared = _declared_cycles(project)
    found.extend(_declared_cycle_findings(project, declared))
    found.extend(_cycle_findings(pairs, place, [component for component, _ in declared]))
    if publics is None:
        publics = public_imports(pairs)
    found.extend(exports.findings(project, publics, reader, taken))
    found.extend(_skipped_findings(project, table.skipped))
    found.extend(_unseen_module_findings(project, table.present))
    found.extend(_unseen_folder_findings(project, table.present))
    return sorted(set(found), key=lambda finding: finding.sort_key)


def shown(dotted: str) -> str:
    """A Python module's name as a message shows it: quoted when a part is not an identifier
    (`'web.my file'`), so no file name can make a message read as something else."""
    if all(part.isidentifier() for part in dotted.split(".")):
        return dotted
    return repr(dotted)


def allowed_dependencies(
    project: Project, graph: ProjectGraph | None = None, *, table: ImportTable | None = None
) -> set[tuple[str, str]]:
    """(module, other module) for each import the rules allow across modules, for `mmkit graph`.

    Allowed: the import reaches the other module's public interface (or a shared module) and
    is within depends_on; the rest are violations, which `findings` reports.
    """
    if not project.modules:
        return set()
    if table is None:
        table = import_table(project, graph if graph is not None else build_graph(project))
    return {
        (pair.module.name, pair.target.name)
        for pair in cross_module_pairs(project, table)
        if not _is_private(pair) and not _is_undeclared(pair)
    }


def imported_modules(project: Project) -> set[tuple[str, str]]:
    """(module, other module) for every import across modules, allowed or not, for `mmkit test`.

    A module that declares no depends_on depends on what it imports: this is that set.
    """
    if not project.modules:
        return set()
    table = import_table(project, build_graph(project))
    return {(pair.module.name, pair.target.name) for pair in cross_module_pairs(project, table)}


def import_table(project: Project, graph: ProjectGraph) -> ImportTable:
    """The imports that cross from one module into another, read from the scan.

    Only the project's own files in modules are importers; each target's module is looked up
    once, so the work grows with the imports, never with pairs of modules.
    """
    owners: dict[str, Module | None] = {}
    table: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {}
    for source in project.files:
        module = source.module
        imported_lines = graph.imports.get(source.dotted) if module is not None else None
        if not imported_lines:
            continue
        found = crossing(project, module, imported_lines, owners)
        if found:
            table[source.dotted] = found
    present = frozenset(module.name for module in project.modules if module.name in graph.modules)
    return ImportTable(imports=table, present=present, skipped=graph.skipped)


def crossing(
    project: Project,
    module: Module,
    imported_lines: Mapping[str, tuple[int, ...]],
    owners: dict[str, Module | None] | None = None,
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """A file of `module`'s imports of other modules, sorted as the import table keeps them;
    `owners` remembers each imported name's module across files."""
    owners = {} if owners is None else owners
    found = []
    for imported, lines in imported_lines.items():
        if imported not in owners:
            owners[imported] = project.module_of(imported)
        target = owners[imported]
        if target is not None and target.name != module.name:
            found.append((imported, lines))
    return tuple(sorted(found))


def build_graph(project: Project) -> ProjectGraph:
    """Scan the imports of the project's files with grimp, once per run.

    Only the files the checks read are scanned (never the excluded tests and migrations), but
    imports resolve against every module of the packages, as in grimp's whole graph. A file
    grimp cannot parse or decode is left out and the scan made again without it, so one broken
    file costs its own imports, never the whole check.
    """
    _deep_enough_stacks()
    from grimp.exceptions import SourceSyntaxError

    from mmkit.checks.unchecked import hidden_paths

    packages = project.top_level_packages
    checked = frozenset(source.dotted for source in project.files)
    skipped: dict[str, str] = {}
    hidden = hidden_paths(project)
    with _importable_from(project.root, packages):
        while True:
            try:
                imports, modules = _scan(packages, checked, skipped, hidden)
            except SourceSyntaxError as error:
                _skip(skipped, error.filename, _syntax_reason(error), error)
            except OSError as error:
                # grimp reports a file it cannot read (permissions) as one FileNotFoundError
                # for the whole build: the file costs its own imports, as a broken one does.
                message = str(error)
                if not message.startswith(_UNREADABLE):
                    raise
                path, _, reason = message.removeprefix(_UNREADABLE).rpartition(": ")
                _skip(skipped, path, reason, error)
            except UnicodeError as error:
                match = _UNDECODABLE.match(str(error))
                if match is None:
                    raise
                _skip(skipped, match["path"], f"not UTF-8 ({match['reason']})", error)
            except BaseException as error:
                # grimp 3 panics (a BaseException) on `from ...x import y` above the top package.
                climbing = _climbing_imports(project.root, packages, skipped)
                if type(error).__name__ != "PanicException" or not climbing:
                    raise
                skipped.update(climbing)
            else:
                break
    return ProjectGraph(
        imports=imports,
        modules=modules,
        skipped=tuple(SkippedFile(Path(path), reason) for path, reason in sorted(skipped.items())),
    )


RUST_STACK_BYTES = 1 << 30
"""The stack of grimp's parser threads: with Rust's default 2 MiB, an expression chain of
about 50,000 terms (`1+1+...`, `a.b.b...`, 100 KB of source) overflows it and the whole
process dies of SIGSEGV. 1 GiB of address space (used only as deep as a file needs) moves the
limit to files of about 20 MB of a single expression."""


def _deep_enough_stacks() -> None:
    """Raise RUST_MIN_STACK, read when grimp's thread pool starts (never lower the user's)."""
    try:
        current = int(os.environ.get("RUST_MIN_STACK", "0"))
    except ValueError:
        current = 0
    if current < RUST_STACK_BYTES:
        os.environ["RUST_MIN_STACK"] = str(RUST_STACK_BYTES)


def _scan(
    packages: tuple[str, ...],
    checked: frozenset[str],
    skipped: dict[str, str],
    hidden: frozenset[str] = frozenset(),
) -> tuple[dict[str, dict[str, tuple[int, ...]]], frozenset[str]]:
    """grimp's steps of build_graph up to its scan, the scan limited to the checked files.

    Assembling grimp's graph object costs more than the scan and answers nothing the rules
    need, so the scan's imports are kept as they come. Skipped and hidden files are hidden
    from the walk that finds modules (grimp has no option to leave files out), as if they did
    not exist.
    """
    from grimp.application.config import settings as grimp_settings
    from grimp.application.scanning import scan_imports

    real = grimp_settings.FILE_SYSTEM
    if skipped or hidden:
        grimp_settings.configure(FILE_SYSTEM=_file_system_without(frozenset(skipped) | hidden))
    try:
        file_system = grimp_settings.FILE_SYSTEM
        found = set()
        for name in packages:
            for directory in grimp_settings.PACKAGE_FINDER.determine_package_directories(
                package_name=name, file_system=file_system
            ):
                found.add(
                    grimp_settings.MODULE_FINDER.find_package(
                        package_name=name, package_directory=directory, file_system=file_system
                    )
                )
        wanted = [
            module_file
            for package in found
            for module_file in package.module_files
            if module_file.module.name in checked
        ]
        scanned = scan_imports(
            wanted,
            found_packages=found,
            include_external_packages=False,
            exclude_type_checking_imports=False,
        )
    finally:
        grimp_settings.configure(FILE_SYSTEM=real)
    imports: dict[str, dict[str, tuple[int, ...]]] = {}
    for module_file, direct_imports in scanned.items():
        lines: dict[str, set[int]] = defaultdict(set)
        for direct in direct_imports:
            lines[direct.imported.name].add(direct.line_number)
        imports[module_file.module.name] = {
            imported: tuple(sorted(numbers)) for imported, numbers in lines.items()
        }
    modules = frozenset(
        {module_file.module.name for package in found for module_file in package.module_files}
        | {name for package in found for name in package.namespace_packages}
    )
    return imports, modules


def _climbing_imports(
    root: Path, packages: tuple[str, ...], skipped: dict[str, str]
) -> dict[str, str]:
    """Files not yet skipped with a relative import that climbs above their top-level package,
    which Python refuses to run, with the reason to report."""
    found = {}
    for package in packages:
        for path in iter_python_files(root / package):
            if str(path) in skipped:
                continue
            parts = path.relative_to(root).parts
            depth = len(parts) - 1
            try:
                code = path.read_bytes()
            except OSError:
                continue
            for match in _RELATIVE_IMPORT.finditer(code):
                if len(match["dots"]) > depth:
                    line = code.count(b"\n", 0, match.start()) + 1
                    found[str(path)] = f"relative import above the top-level package, line {line}"
                    break
    return found


def _skip(skipped: dict[str, str], path: str, reason: str, error: Exception) -> None:
    if path in skipped:
        raise error
    skipped[path] = reason


def _syntax_reason(error: SyntaxError) -> str:
    where = f"line {error.lineno}: " if error.lineno else ""
    return f"syntax error, {where}{(error.text or '').strip()}".rstrip(": ")


def _file_system_without(hidden: frozenset[str]) -> object:
    """grimp's file system minus some files, which the module finder then never sees.

    Made on demand, so importing this module does not import grimp (a warm run needs neither).
    """
    from grimp.adaptors.filesystem import FileSystem

    class FileSystemWithout(FileSystem):
        def walk(self, directory_name: str) -> Iterator[tuple[str, list[str], list[str]]]:
            for dirpath, dirnames, filenames in super().walk(directory_name):
                # dirnames is passed through unchanged: the module finder prunes it in place.
                yield (
                    dirpath,
                    dirnames,
                    [name for name in filenames if os.path.join(dirpath, name) not in hidden],
                )

    return FileSystemWithout()


@contextmanager
def _importable_from(root: Path, packages: Iterable[str]) -> Iterator[None]:
    """Let grimp's find_spec see the project's packages under root, and restore things after.

    grimp locates a package with importlib, which prefers sys.modules and the first sys.path
    entry that has it; an installed or already imported package of the same name must not
    win over the project's own.
    """
    saved_path = list(sys.path)
    hidden: dict[str, ModuleType] = {}
    for name in packages:
        loaded = sys.modules.get(name)
        if loaded is not None and not _loaded_from(loaded, root / name):
            hidden[name] = sys.modules.pop(name)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        for name in packages:
            _require_found_under(root, name)
        yield
    finally:
        sys.path[:] = saved_path
        for name, module in hidden.items():
            sys.modules.setdefault(name, module)


def _loaded_from(module: ModuleType, directory: Path) -> bool:
    spec = module.__spec__
    locations = spec.submodule_search_locations if spec is not None else None
    return any(Path(location).resolve() == directory.resolve() for location in locations or ())


def _require_found_under(root: Path, name: str) -> None:
    spec = importlib.util.find_spec(name)
    locations = [Path(p).resolve() for p in (spec.submodule_search_locations or ())] if spec else []
    if (root / name).resolve() not in locations:
        origin = spec.origin if spec is not None and spec.origin else "another module"
        raise ConfigError(
            f"package '{name}' under {root} is shadowed by {origin}; "
            "rename the package or run mmkit without that module on the path"
        )


def cross_module_pairs(project: Project, table: ImportTable) -> list[Pair]:
    """Every (importer, imported) of the table, sorted by importer, then imported.

    Importers outside any module and importers in excluded files are left out: only what
    modules' own checked code imports counts.
    """
    files = {source.dotted: source for source in project.files if source.module is not None}
    owners: dict[str, Module | None] = {}
    pairs = []
    for importer in sorted(table.imports):
        source = files.get(importer)
        if source is None or source.module is None:
            continue
        for imported, lines in table.imports[importer]:
            if imported not in owners:
                owners[imported] = project.module_of(imported)
            target = owners[imported]
            if target is not None and target.name != source.module.name:
                pairs.append(Pair(importer, imported, lines, source, source.module, target))
    return pairs


def public_imports(pairs: list[Pair]) -> dict[str, set[str]]:
    """Importer -> the public files of other (not shared) modules it imports: the files whose
    names the `__all__` rule reads (mmkit.checks.exports)."""
    found: dict[str, set[str]] = {}
    for pair in pairs:
        if not pair.target.shared and not _is_private(pair):
            found.setdefault(pair.importer, set()).add(pair.imported)
    return found


def _is_private(pair: Pair) -> bool:
    return not pair.target.shared and not pair.target.is_public(pair.imported)


def _is_undeclared(pair: Pair) -> bool:
    depends_on = pair.module.depends_on
    return depends_on is not None and not pair.target.shared and pair.target.name not in depends_on


def _private_import_findings(pair: Pair, place: StatementFinder) -> Iterator[Finding]:
    for statement in _statements(pair, place):
        yield _finding(
            PRIVATE_IMPORT,
            pair,
            statement,
            f"{shown(pair.importer)} imports {shown(pair.imported)}, private to module "
            f"'{pair.target.name}'",
            _private_hint(pair.target),
        )


def _private_hint(target: Module) -> str:
    if not target.public:
        return RULES[PRIVATE_IMPORT].fix
    interfaces = ", ".join(
        target.name if public == "__init__" else f"{target.name}.{public}"
        for public in target.public
    )
    return (
        f"Import the public interface of module '{target.name}' ({interfaces}) instead, "
        "and add the function you need there if it is missing."
    )


def _undeclared_findings(pair: Pair, place: StatementFinder) -> Iterator[Finding]:
    for statement in _statements(pair, place):
        yield _finding(
            UNDECLARED,
            pair,
            statement,
            f"{shown(pair.importer)} imports {shown(pair.imported)}, but module "
            f"'{pair.module.name}' "
            f"does not list '{pair.target.name}' in depends_on",
            f"Add '{pair.target.name}' to depends_on in [tool.mmkit.modules.{pair.module.name}] "
            "if the dependency is intended, or remove the import.",
        )


def _finding(rule: str, pair: Pair, statement: Statement, message: str, hint: str) -> Finding:
    note = TYPE_CHECKING_NOTE if statement.type_checking else ""
    return Finding(
        rule=rule,
        path=pair.source.relpath,
        line=statement.line,
        column=statement.column,
        message=message + note,
        hint=hint,
        module=pair.module.name,
        imported=pair.imported,
    )


def _statements(pair: Pair, place: StatementFinder) -> list[Statement]:
    """One statement per line on which the importer imports the imported module."""
    return [place(pair.source, line, pair.imported) for line in pair.lines]


def _cycle_findings(
    pairs: list[Pair], place: StatementFinder, declared: list[frozenset[str]]
) -> Iterator[Finding]:
    """One E004 per group of modules that depend on each other, showing one whole cycle;
    none for a cycle within a `declared` one (reported once, at pyproject.toml)."""
    edges: dict[str, dict[str, Pair]] = defaultdict(dict)
    for pair in pairs:
        if pair.module.shared or pair.target.shared:
            continue
        # pairs come sorted by importer, then imported: the first one is each edge's witness.
        edges[pair.module.name].setdefault(pair.target.name, pair)
    successors = {name: sorted(targets) for name, targets in edges.items()}
    for component in strongly_connected_components(successors):
        if len(component) < 2:
            continue
        cycle = _shortest_cycle(min(component), successors, component)
        if any(known.issuperset(cycle) for known in declared):
            continue
        witnesses = [edges[a][b] for a, b in pairwise(cycle)]
        statements = [_statements(pair, place)[0] for pair in witnesses]
        path = " -> ".join(cycle)
        imports = "; ".join(
            f"{shown(pair.importer)}:{statement.line} imports {shown(pair.imported)}"
            for pair, statement in zip(witnesses, statements, strict=True)
        )
        first, where = witnesses[0], statements[0]
        yield Finding(
            rule=CYCLE,
            path=first.source.relpath,
            line=where.line,
            column=where.column,
            message=f"modules depend on each other in a cycle: {path} ({imports})",
            hint=RULES[CYCLE].fix,
            module=first.module.name,
            imported=first.imported,
            extra=(("cycle", path),),
        )


def _declared_cycles(project: Project) -> list[tuple[frozenset[str], list[str]]]:
    """The groups of modules whose depends_on lists form a cycle, each with one whole cycle."""
    successors = {
        module.name: sorted(module.depends_on)
        for module in project.modules
        if module.depends_on and not module.shared
    }
    found = []
    for component in strongly_connected_components(successors):
        if len(component) > 1:
            found.append((component, _shortest_cycle(min(component), successors, component)))
    return sorted(found, key=lambda item: item[1])


def _declared_cycle_findings(
    project: Project, declared: list[tuple[frozenset[str], list[str]]]
) -> Iterator[Finding]:
    """One E004 per declared cycle, at the first module's table in pyproject.toml.

    A cycle in depends_on is a decision the team wrote down: it is said once, here, and the
    import cycle that follows it is not reported again at an import.
    """
    config = project.config
    for _, cycle in declared:
        path = " -> ".join(cycle)
        yield Finding(
            rule=CYCLE,
            path=project.relpath(config.path),
            line=_table_line(config.path, cycle[0]),
            column=1,
            message=f"modules declare a dependency cycle in depends_on: {path}",
            hint=(
                f"Take one of the edges out of depends_on ({path}) and invert that dependency "
                "with an event or a facade callback; to keep the cycle for now, record it "
                "with `mmkit baseline`."
            ),
            module=cycle[0],
            extra=(("cycle", path),),
        )


def _table_line(pyproject: Path, module: str) -> int:
    """The line of `[tool.mmkit.modules.NAME]` (or of its depends_on), else 1."""
    try:
        lines = pyproject.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    header = re.compile(
        r"\s*\[\s*tool\.mmkit\.modules\.[\"']?" + re.escape(module) + r"[\"']?\s*\]"
    )
    for number, line in enumerate(lines, start=1):
        if header.match(line):
            return number
    return 1


def strongly_connected_components(successors: dict[str, list[str]]) -> list[frozenset[str]]:
    """Tarjan's algorithm without recursion, so deep module chains cannot overflow the stack."""
    nodes = sorted(set(successors) | {n for targets in successors.values() for n in targets})
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[frozenset[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(successors.get(start, ())))]
        index[start] = lowlink[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(frozenset(component))
            elif child not in index:
                index[child] = lowlink[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(successors.get(child, ()))))
            elif child in on_stack:
                lowlink[node] = min(lowlink[node], index[child])
    return sorted(components, key=min)


def _shortest_cycle(
    start: str, successors: dict[str, list[str]], component: frozenset[str]
) -> list[str]:
    """The shortest path from start back to itself inside one component, ties broken by name."""
    parents: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in successors.get(node, ()):
            if child not in component:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if child not in parents:
                parents[child] = node
                queue.append(child)
    raise AssertionError(f"no cycle through {start} in a strongly connected component")


def _skipped_findings(project: Project, skipped: tuple[SkippedFile, ...]) -> Iterator[Finding]:
    """W004 for the files grimp left out, worded as the relation scan words its own.

    When Python cannot parse the file either, the W004 is the very one the relation scan
    gives for it, so a file both analyses read is reported once.
    """
    if not skipped:
        return
    sources = {source.path: source for source in project.files}
    for file in skipped:
        source = sources.get(file.path)
        if source is None:
            continue
        try:
            code = file.path.read_bytes()
        except OSError as error:
            problem: ParseError | None = ParseError(1, 1, error.strerror or str(error))
        else:
            problem = scan(code, source.dotted, source.path.name == "__init__.py").error
        yield parse_error_finding(source, problem or ParseError(1, 1, file.reason))


def _unseen_module_findings(project: Project, present: frozenset[str]) -> Iterator[Finding]:
    """W004 for a module missing from the graph, which would otherwise pass unchecked.

    grimp does not descend into a folder without `__init__.py` inside a regular package,
    although Python imports it as a namespace package.
    """
    unseen = {module.name for module in project.modules if module.name not in present}
    if not unseen:
        return
    first_files: dict[str, SourceFile] = {}
    for source in project.files:
        if source.module is not None and source.module.name in unseen:
            first_files.setdefault(source.module.name, source)
    for name, source in sorted(first_files.items()):
        folder = project.relpath(_folder_without_init(project.root, name))
        yield _unseen(source, f"module '{name}': {folder}/ has", folder)


def _unseen_folder_findings(project: Project, present: frozenset[str]) -> Iterator[Finding]:
    """W004 for each folder without `__init__.py` inside a module the graph has.

    grimp stops at such a folder once inside a regular package, so the imports of its files
    would pass unchecked. Read from the files on disk, never from the graph, so a run whose
    import table comes from the cache finds the same folders. Each folder is asked once, as
    strings: most files share their folder with others.
    """
    root = os.fspath(project.root)
    prefix = project.root_prefix
    answers: dict[str, str | None] = {}
    has_init: dict[str, bool] = {}
    first_files: dict[str, SourceFile] = {}
    for source in project.files:
        if source.module is None or source.module.name not in present:
            continue
        folder = source.relpath[len(prefix) :].rpartition("/")[0]
        if folder not in answers:
            answers[folder] = _first_folder_without_init(root, folder, has_init)
        found = answers[folder]
        if found is not None:
            first_files.setdefault(found, source)
    for folder, source in first_files.items():
        relpath = f"{prefix}{folder}"
        yield _unseen(source, f"{relpath}/: it has", relpath)


def _unseen(source: SourceFile, what: str, folder: str) -> Finding:
    """The W004 of code the import graph does not see, at the first file it leaves out."""
    message = (
        f"cannot check the imports of {what} no __init__.py inside a package, so the import "
        "graph does not see it; not checked"
    )
    return not_analysed(source, 1, 1, message, hint=f"Add an empty {folder}/__init__.py.")


def _first_folder_without_init(root: str, folder: str, has_init: dict[str, bool]) -> str | None:
    """The outermost folder on the way from root to `folder` (both POSIX, folder relative to
    root) that lacks an `__init__.py` below a folder that has one, as grimp's walk prunes it;
    None if none does."""
    current = ""
    in_package = False
    for part in folder.split("/") if folder else ():
        current = f"{current}/{part}" if current else part
        if current not in has_init:
            has_init[current] = os.path.isfile(os.path.join(root, current, "__init__.py"))
        if has_init[current]:
            in_package = True
        elif in_package:
            return current
    return None


def _folder_without_init(root: Path, name: str) -> Path:
    """The outermost folder below the top package on the way to module `name` that lacks an
    `__init__.py` (`project_template/` above `project_template/home/`)."""
    parts = name.split(".")
    for end in range(2, len(parts) + 1):
        folder = root.joinpath(*parts[:end])
        if not (folder / "__init__.py").is_file():
            return folder
    return root.joinpath(*parts)


class _Places:
    """Places reported imports, reading each file that holds one once."""

    def __init__(self) -> None:
        self._files: dict[Path, FilePlaces] = {}

    def statement(self, source: SourceFile, line: int, imported: str) -> Statement:
        places = self._files.get(source.path)
        if places is None:
            try:
                data = source.path.read_bytes()
            except OSError:
                data = b""
            places = self._files[source.path] = FilePlaces(data)
        return places.statement(line, imported)


class FilePlaces:
    """Where the import statements of one file sit, from its bytes.

    A line that starts with `import` or `from` and holds no `;` has exactly one statement, at
    its indentation; whether `if TYPE_CHECKING:` guards it is read from the lines above it
    (`_guarded`). Anything else is parsed, once per file.
    """

    def __init__(self, source: bytes) -> None:
        self._source = source.removeprefix(_BOM)
        self._lines = self._source.splitlines()
        self._simple = b"TYPE_CHECKING" not in self._source
        self._parsed: dict[int, list[tuple[Statement, ast.Import | ast.ImportFrom]]] | None = None

    def statement(self, line: int, imported: str) -> Statement:
        raw = self._lines[line - 1] if 0 < line <= len(self._lines) else b""
        text = raw.decode("utf-8", errors="replace")
        if b";" not in raw:
            stripped = text.lstrip()
            if _IMPORT_KEYWORD.match(stripped):
                guarded = False if self._simple else _guarded(self._lines, line)
                if guarded is not None:
                    return Statement(line, len(text) - len(stripped) + 1, guarded)
        candidates = self._statements().get(line, [])
        if len(candidates) > 1:
            last_part = imported.rsplit(".", 1)[-1]
            for statement, node in candidates:
                if last_part in ast.unparse(node):
                    return statement
        if candidates:
            return candidates[0][0]
        match = _STATEMENT_START.search(text)
        column = match.start() + 1 if match else len(text) - len(text.lstrip()) + 1
        return Statement(line, column, False)

    def _statements(self) -> dict[int, list[tuple[Statement, ast.Import | ast.ImportFrom]]]:
        """The import statements by first line; none if Python cannot parse the file."""
        if self._parsed is None:
            self._parsed = {}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tree = ast.parse(self._source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return self._parsed
            by_line: dict[int, list[tuple[Statement, ast.Import | ast.ImportFrom]]] = defaultdict(
                list
            )
            for node, guarded in _imports_with_guard(tree.body):
                raw = self._lines[node.lineno - 1] if node.lineno <= len(self._lines) else b""
                column = len(raw[: node.col_offset].decode("utf-8", errors="ignore")) + 1
                by_line[node.lineno].append((Statement(node.lineno, column, guarded), node))
            self._parsed = dict(by_line)
        return self._parsed


def _guarded(lines: list[bytes], line: int) -> bool | None:
    """Whether the statement starting on `line` sits in the body of an `if TYPE_CHECKING:`,
    read from the headers of the blocks around it; None when the lines are not plain enough
    to tell (a tab in the indentation, a less indented line that opens no block).

    Each enclosing block's header is the nearest line above that is indented less than the
    block's code; an `else:`/`elif` header hides the `if` above it, as in the syntax tree.
    """
    need = _indentation(lines[line - 1])
    number = line - 1
    while need:
        if need < 0:
            return None
        number -= 1
        if number < 0:
            return None
        raw = lines[number]
        stripped = raw.lstrip(b" ")
        if not stripped or stripped.startswith(b"#"):
            continue
        indent = _indentation(raw)
        if indent < 0:
            return None
        if indent >= need:
            continue
        if _BLOCK_HEADER.match(stripped) is None:
            return None
        if _TYPE_CHECKING_HEADER.match(stripped):
            return True
        need = indent
    return False


def _indentation(raw: bytes) -> int:
    """The count of leading spaces; -1 when tabs or form feeds make Python's count differ."""
    stripped = raw.lstrip(b" ")
    if stripped[:1] in (b"\t", b"\f"):
        return -1
    return len(raw) - len(stripped)


def _imports_with_guard(
    body: list[ast.stmt],
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement, and whether it sits in the body of an `if TYPE_CHECKING:`.

    Imports are statements, so only statement bodies are walked, never expressions.
    """
    pending: list[tuple[ast.stmt, bool]] = [(node, False) for node in body]
    while pending:
        node, guarded = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, guarded
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend((child, True) for child in node.body)
            pending.extend((child, guarded) for child in node.orelse)
            continue
        for field in ("body", "handlers", "orelse", "finalbody", "cases"):
            for child in getattr(node, field, ()):
                if isinstance(child, ast.stmt):
                    pending.append((child, guarded))
                else:
                    pending.extend((nested, guarded) for nested in child.body)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
