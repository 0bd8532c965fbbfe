"""E003 for names: what another module takes from a public interface must be exported by it.

The import rules (mmkit.checks.imports) see which Python modules import which; this rule looks
inside the imports of public interfaces. With `__all__`, a public file exports exactly the
names it lists; without it, names starting with `_` are private, and so are private modules it
imports (`from . import use_cases` does not make use_cases public). It reads the importer's
`from x import name` statements and the attributes it reads on import aliases
(`import authors.facade as f; f.use_cases`; `from authors import facade` also in a function);
names reached in other ways (getattr, an alias passed around, `from x import *`) are not
visible statically.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from mmkit.checks.model_index import ModelIndex, ScanReader
from mmkit.checks.model_scan import Expr, FileScan
from mmkit.findings import Finding
from mmkit.project import Module, Project, SourceFile

PRIVATE_IMPORT = "mmkit.E003"
_FROM_IMPORT = re.compile(rb"[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+([\w \t,]+?)[ \t]*(?:#.*)?")
_IMPORT_AS = re.compile(rb"[ \t]*import[ \t]+([\w.]+)[ \t]+as[ \t]+(\w+)[ \t]*(?:#.*)?")
_NAME_AS = re.compile(r"(\w+)(?:[ \t]+as[ \t]+(\w+))?")

Taken = tuple[tuple[str, str], ...]
"""(public file, name) for each name an importer takes from a public interface."""
TakenReader = Callable[[SourceFile, frozenset[str]], Taken | None]
"""What an importer plainly takes from its public files (plain_taken), None when not plainly:
the facts provider keeps it per file."""


@dataclass(frozen=True)
class _Use:
    """One name the importer takes from a public file: `name` of `public`, written at line."""

    public: str
    name: str
    line: int
    column: int
    alias: str | None = None


def findings(
    project: Project,
    public_imports: Mapping[str, set[str]],
    reader: ScanReader,
    taken: TakenReader | None = None,
) -> list[Finding]:
    """E003 for each name an importer takes from a public file that does not export it.

    `public_imports` maps an importing file's dotted name to the public files of other modules
    it imports (from the import table); only those importers are read. An importer whose lines
    show plainly that it takes only exported names (`taken`) is not parsed.
    """
    index = ModelIndex(project, reader)
    files = project.by_dotted
    read_taken = taken if taken is not None else _read_taken
    literal: dict[str, frozenset[str] | None] = {}

    def exported(public: str) -> frozenset[str] | None:
        """The public file's literal `__all__`, None without one; asked once per file."""
        if public not in literal:
            scope = index.scope(public)
            scanned = scope.scan if scope is not None else None
            literal[public] = (
                frozenset(scanned.exports)
                if scanned is not None and scanned.exports is not None and scanned.exports_literal
                else None
            )
        return literal[public]

    found: list[Finding] = []
    for importer, imported in sorted(public_imports.items()):
        source = files.get(importer)
        # A public file `exclude` leaves out is not read: its `__all__` is not judged.
        publics = {public for public in imported if public in files}
        if source is None or source.module is None or not publics:
            continue
        pairs = read_taken(source, frozenset(publics))
        if pairs is not None and _all_exported(pairs, publics, exported, files):
            continue
        scanned = index.scope(importer)
        if scanned is None:
            continue
        for use in _uses(scanned.scan, publics, files):
            finding = _check(index, files, source, use)
            if finding is not None:
                found.append(finding)
    return found


def _read_taken(source: SourceFile, publics: frozenset[str]) -> Taken | None:
    try:
        data = source.path.read_bytes()
    except OSError:
        return None
    return plain_taken(data, publics)


def _all_exported(
    pairs: Taken,
    publics: set[str],
    exported: Callable[[str], frozenset[str] | None],
    files: Mapping[str, SourceFile],
) -> bool:
    """Whether every public file has a literal `__all__` and each name taken is in it (and is
    not a submodule, which the import rules judge): then a scan could find nothing."""
    if any(exported(public) is None for public in publics):
        return False
    return all(
        name in (exported(public) or ()) and f"{public}.{name}" not in files
        for public, name in pairs
    )


def plain_taken(data: bytes, publics: frozenset[str] | set[str]) -> Taken | None:
    """The names the importer takes from its public files, when its text shows them plainly:
    every line that names a public file (its last part as a word) is a one-line `from public
    import a, b as c`, `from package import public [as alias]` or `import public as alias`, and
    each `alias.attribute` is a name taken. Anything else (another spelling, a continued line,
    another use of the name) answers None and the file is scanned, as a parse does not fool
    itself with comments and strings. A pure function of the bytes and `publics`."""
    if b"\r" in data:
        return None
    words = _words(_last_parts(frozenset(publics)))
    pairs: list[tuple[str, str]] = []
    aliases: dict[str, str] = {}
    uses: list[bytes] = []
    starts: set[int] = set()
    for hit in words.finditer(data):
        start = data.rfind(b"\n", 0, hit.start()) + 1
        if start in starts:
            continue
        starts.add(start)
        end = data.find(b"\n", hit.end())
        line = data[start : end if end >= 0 else len(data)]
        statement = _FROM_IMPORT.fullmatch(line)
        imported = _IMPORT_AS.fullmatch(line)
        if statement is not None:
            origin = statement[1].decode()
            names = [_NAME_AS.fullmatch(n.strip()) for n in statement[2].decode().split(",")]
            if any(name is None for name in names):
                return None
            for name in names:
                assert name is not None
                if origin in publics:
                    pairs.append((origin, name[1]))
                elif f"{origin}.{name[1]}" in publics and len(names) == 1:
                    alias = name[2] or name[1]
                    if aliases.setdefault(alias, f"{origin}.{name[1]}") != f"{origin}.{name[1]}":
                        return None
                else:
                    return None
        elif imported is not None and imported[1].decode() in publics:
            if (
                aliases.setdefault(imported[2].decode(), imported[1].decode())
                != imported[1].decode()
            ):
                return None
        else:
            uses.append(line)
    for alias, public in aliases.items():
        name = alias.encode()
        for _, _, attribute in _alias_uses(data, name):
            if attribute is not None:
                pairs.append((public, attribute.decode()))
        uses = [_without_alias(line, name) for line in uses]
    if any(words.search(line) for line in uses):
        return None
    return tuple(sorted(set(pairs)))


@cache
def _last_parts(publics: frozenset[str]) -> tuple[str, ...]:
    """The public files' last parts, sorted: many importers are read for the same files."""
    return tuple(sorted({public.rpartition(".")[2] for public in publics}))


@cache
def _words(words: tuple[str, ...]) -> re.Pattern[bytes]:
    """Any of the words, whole: most importers of a project share a few public files' names."""
    return re.compile(rb"\b(?:" + b"|".join(re.escape(w.encode()) for w in words) + rb")\b")


_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
_SPACE = frozenset(b" \t\n\r\f\v")


def _alias_uses(data: bytes, alias: bytes) -> Iterator[tuple[int, int, bytes | None]]:
    """(start, end, attribute) of each use of the alias as a whole word, with the attribute
    read on it (`alias . name`) if any: a regex's `\\balias\\b(\\.\\s*(\\w+))?`, without
    compiling one per alias (each worker process would compile them all again)."""
    size = len(data)
    start = data.find(alias)
    while start >= 0:
        end = start + len(alias)
        if (start == 0 or data[start - 1] not in _WORD) and (end == size or data[end] not in _WORD):
            attribute = None
            if end < size and data[end] == 0x2E:
                first = end + 1
                while first < size and data[first] in _SPACE:
                    first += 1
                last = first
                while last < size and data[last] in _WORD:
                    last += 1
                if last > first:
                    attribute, end = data[first:last], last
            yield start, end, attribute
            start = data.find(alias, end)
        else:
            start = data.find(alias, start + 1)


def _without_alias(line: bytes, alias: bytes) -> bytes:
    """The line with every use of the alias (and the attribute read on it) taken out."""
    kept, at = [], 0
    for start, end, _ in _alias_uses(line, alias):
        kept.append(line[at:start])
        at = end
    kept.append(line[at:])
    return b"".join(kept)


def _uses(scanned: FileScan, publics: set[str], files: Mapping[str, SourceFile]) -> Iterator[_Use]:
    for imported in scanned.name_imports:
        if imported.origin in publics:
            yield _Use(imported.origin, imported.name, imported.line, imported.column + 1)
    for use in scanned.attribute_uses:
        found = _split(use.origin, use.attributes, files)
        if found is not None and found[0] in publics:
            public, taken = found
            written = ".".join([use.alias, *use.attributes[: taken + 1]])
            yield _Use(public, use.attributes[taken], use.line, use.column + 1, written)


def _split(
    origin: str, attributes: tuple[str, ...], files: Mapping[str, SourceFile]
) -> tuple[str, int] | None:
    """The deepest project file an attribute chain on a module alias reaches, and the index
    of the attribute read from it; None when the alias does not name a project file."""
    if origin not in files:
        return None
    current, index = origin, 0
    while index < len(attributes) - 1 and f"{current}.{attributes[index]}" in files:
        current = f"{current}.{attributes[index]}"
        index += 1
    return (current, index) if index < len(attributes) else None


def _check(
    index: ModelIndex, files: Mapping[str, SourceFile], source: SourceFile, use: _Use
) -> Finding | None:
    if f"{use.public}.{use.name}" in files:
        return None  # a submodule: the import rules judge it as a module
    public_file = files[use.public]
    target = public_file.module
    scope = index.scope(use.public)
    if target is None or scope is None or source.module is None:
        return None
    exports = scope.scan.exports
    subject = f"{source.dotted} imports {use.public}.{use.name}"
    if use.alias is not None:
        subject += f" (reading {use.alias})"
    if exports is not None and use.name in exports:
        return None
    if exports is not None and scope.scan.exports_literal:
        offered = ", ".join(exports) if exports else "nothing"
        message = f"{subject}, which {use.public} does not export (its __all__: {offered})"
    elif use.name.startswith("_"):
        message = f"{subject}, a private name of module '{target.name}'"
    else:
        module = _private_module(index, files, use)
        if module is None:
            return None
        message = f"{subject}, which is {module}, private to module '{_owner(files, module)}'"
    return Finding(
        rule=PRIVATE_IMPORT,
        path=source.relpath,
        line=use.line,
        column=use.column,
        message=message,
        hint=_hint(use.public, target),
        module=source.module.name,
        imported=f"{use.public}.{use.name}",
    )


def _private_module(index: ModelIndex, files: Mapping[str, SourceFile], use: _Use) -> str | None:
    """The private project module a public file re-exposes under `name`, if it does."""
    symbol = index.resolve(use.public, Expr("name", use.name, use.name))
    if symbol is None or symbol.kind != "file":
        return None
    owner = files[symbol.value].module
    if owner is None or owner.shared or owner.is_public(symbol.value):
        return None
    return symbol.value


def _owner(files: Mapping[str, SourceFile], dotted: str) -> str:
    module: Module | None = files[dotted].module
    return module.name if module is not None else dotted


def _hint(public: str, target: Module) -> str:
    return (
        f"Use only what {public} exports (its __all__); if you need more, add a function to "
        f"the public interface of module '{target.name}' and list it in __all__."
    )
