"""The first step of the one pipeline: each file's facts, a pure function of its bytes.

The analysis runs files -> per-file facts (here) -> project-wide resolution (the model index,
the import table) -> rules -> findings. A file's facts are: whether it has a class statement,
its `# mmkit:` comments, where its reported imports sit, its relation scan (a FileScan), the
imports of other modules grimp's scan found in it, and the names it takes from public
interfaces. `Facts` gives them to the rules: `prepare` computes them reading each module file
once (a file with a reported import is read once more to place it; one a name leads to outside
the modules, when asked). Built on a FactsStore (mmkit.cache), it reuses the records of
unchanged files and leaves the new ones in the store; the cache never looks inside a record.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mmkit.cache import decode_findings, encode_finding
from mmkit.checks import exports, workers
from mmkit.checks import model_scan as model_scan_module
from mmkit.checks.exports import Taken
from mmkit.checks.imports import FilePlaces, ImportTable, SkippedFile, Statement, crossing
from mmkit.checks.model_index import ScanReader
from mmkit.checks.model_scan import FileScan, ParseError, may_define_classes, scan
from mmkit.config import ConfigError
from mmkit.findings import Finding
from mmkit.project import Project, SourceFile
from mmkit.shapes import ERRORS, array, flag, integer, mapping, text
from mmkit.suppressions import Comment, comments_in

if TYPE_CHECKING:
    from mmkit.cache import Cache, FactsStore, Stat

Crossing = tuple[tuple[str, tuple[int, ...]], ...]
"""A file's imports of other modules: (imported Python module, line numbers), sorted."""
_RECORD_LENGTH = 9
_SEPARATOR = "\0"
"""Between the items of a record's joined lists: no path or module name holds it."""


@dataclass(eq=False)
class FileFacts:
    """What the checks know of one file; the lazily computed parts are None until asked.

    imports: its imports of other modules (Crossing), or why grimp could not scan it (str).
    taken: the public files it was read for, and what it takes from them (None: not plainly).
    """

    stat: Stat | None
    dotted: str
    classes: bool
    comments: tuple[Comment, ...]
    places: dict[tuple[int, str], tuple[int, bool]]
    scan: str | None = None
    imports: Crossing | str | None = None
    taken: tuple[tuple[str, ...], Taken | None] | None = None


class Facts:
    """The per-file facts of one project for one run: the provider `checks.run` reads.

    With a `store`, a stored record is used while its file's stat and dotted name are
    unchanged; what this run learns is put back by `flush`. `reads` counts the files read.
    """

    def __init__(
        self, project: Project, store: FactsStore | None = None, parallel: bool = False
    ) -> None:
        self.project = project
        self.store = store
        self.parallel = parallel
        self._early: tuple[list[str], frozenset[str], workers.Batch[Computed | OSError]] | None = (
            None
        )
        self.facts: dict[str, FileFacts] = {}
        self.scans: dict[str, FileScan] = {}
        self.reads = 0
        self._touched: set[str] = set()
        self._places: dict[str, FilePlaces] = {}
        self._last: tuple[str, bytes] | None = None
        self._table: ImportTable | None = None
        self._imports: dict[str, Crossing | str] = {}
        """grimp's findings for files whose facts are not made yet (prepare makes them)."""
        self._held: dict[str, bytes] = {}
        """The bytes of edited files the import table read, for prepare: read once."""

    @classmethod
    def of(cls, project: Project, cache: Cache | None, parallel: bool = False) -> Facts:
        """The provider a door passes to checks.run: on the cache's store, or on none.

        `parallel`: many files' facts may be computed in forked worker processes; only the
        CLI asks for it (mmkit.checks.workers says why). A wrong MMKIT_JOBS is then a
        ConfigError, whatever command asked.
        """
        if parallel:
            try:
                workers.jobs_setting()
            except ValueError as error:
                raise ConfigError(str(error)) from None
        return cls(project, cache.store(project) if cache is not None else None, parallel)

    # Readers the rules take ------------------------------------------------------------------

    def file(self, source: SourceFile) -> FileFacts | OSError:
        """The file's facts: the stored record if the file is unchanged, else read anew."""
        known = self._known(source)
        if known is not None:
            return known
        data = self._bytes(source)
        if isinstance(data, OSError):
            return data
        return self._new(source, may_define_classes(data), comments_in(data))

    def scan(self, source: SourceFile, required: bool) -> FileScan | None:
        """A ScanReader (model_index): None for a file without a class statement unless
        `required` (a name leads there)."""
        facts = self.file(source)
        if isinstance(facts, OSError):
            return FileScan(error=ParseError(1, 1, facts.strerror or str(facts)))
        if not required and not facts.classes:
            return None
        found = self.scans.get(source.relpath)
        if found is not None:
            return found
        if facts.scan is not None:
            try:
                found = decode_scan(facts.scan)
            except ERRORS:
                facts.scan = None
                if self.store is not None:
                    self.store.changed = True  # repair the damage
        if found is None:
            data = self._bytes(source)
            if isinstance(data, OSError):
                return FileScan(error=ParseError(1, 1, data.strerror or str(data)))
            found = scan(data, source.dotted, source.path.name == "__init__.py")
            self._touched.add(source.relpath)
        self.scans[source.relpath] = found
        return found

    def comments(self, source: SourceFile) -> tuple[Comment, ...]:
        """A CommentReader: the file's `# mmkit:` comments; none when it cannot be read."""
        facts = self.file(source)
        return () if isinstance(facts, OSError) else facts.comments

    def statement(self, source: SourceFile, line: int, imported: str) -> Statement:
        """A StatementFinder: where the statement importing `imported` on `line` sits."""
        facts = self.file(source)
        key = (line, imported)
        if not isinstance(facts, OSError) and key in facts.places:
            column, type_checking = facts.places[key]
            return Statement(line, column, type_checking)
        places = self._places.get(source.relpath)
        if places is None:
            data = self._bytes(source)
            places = FilePlaces(b"" if isinstance(data, OSError) else data)
            self._places[source.relpath] = places
        found = places.statement(line, imported)
        if not isinstance(facts, OSError):
            facts.places[key] = (found.column, found.type_checking)
            self._touched.add(source.relpath)
        return found

    def taken(self, source: SourceFile, publics: frozenset[str]) -> Taken | None:
        """An exports.TakenReader: what the file plainly takes from `publics`, else None."""
        facts = self.file(source)
        if isinstance(facts, OSError):
            return None
        key = tuple(sorted(publics))
        if facts.taken is not None and facts.taken[0] == key:
            return facts.taken[1]
        data = self._bytes(source)
        found = None if isinstance(data, OSError) else exports.plain_taken(data, publics)
        facts.taken = (key, found)
        self._touched.add(source.relpath)
        return found

    def begin(self, scans: bool = True) -> None:
        """With `parallel`, start the per-file work of the module files the store does not hold
        in worker processes when there are enough: before grimp's scan, which they overlap (a
        process that runs grimp's threads may not fork, mmkit.checks.workers). The import
        table is not known yet, so what a file takes from public files is read for every
        module's public files; prepare keeps the part it imports, or reads the file again
        when that read was not plain."""
        if not self.parallel or self._early is not None:
            return
        sources: list[tuple[SourceFile, int]] = []
        weights: list[int] = []
        stats = self.store.stats if self.store is not None else {}
        for source in self.project.files:
            if source.module is None:
                continue
            facts = self._known(source)
            mode = self._scan_mode(source, facts, scans)
            if facts is not None and mode == _NO_SCAN:
                continue
            sources.append((source, mode))
            weights.append(stats.get(source.relpath, (0, 0))[1])
        sizes = weights if stats else None
        if not workers.forks(len(sources), sizes):
            return
        everyone = frozenset(
            source.dotted
            for source in self.project.files
            if source.module is not None
            and not source.module.shared
            and source.module.is_public(source.dotted)
        )
        work = [(str(source.path), source.dotted, everyone, mode) for source, mode in sources]
        relpaths = [source.relpath for source, _ in sources]
        self._early = (relpaths, everyone, workers.start(compute, work, weights=sizes))

    def prepare(self, publics: Mapping[str, set[str]], scans: bool = True) -> None:
        """Compute up front, reading each module file once, what the rules will ask of it:
        its basic facts; with `scans`, the relation scan of a file with a class statement and
        of a public file (the interface rules read every one); and what it plainly takes from
        the public files `publics` names for it. What `begin` started is gathered first."""
        early: dict[str, Computed | OSError] = {}
        everyone: frozenset[str] = frozenset()
        if self._early is not None:
            relpaths, everyone, batch = self._early
            self._early = None
            early = dict(zip(relpaths, batch.results(), strict=True))
        jobs: list[tuple[SourceFile, FileFacts | None, tuple[str, ...] | None]] = []
        work: list[Job] = []
        for source in self.project.files:
            if source.module is None:
                continue
            facts = self._known(source)
            wanted = publics.get(source.dotted)
            key = tuple(sorted(wanted)) if wanted else None
            found = early.get(source.relpath)
            if found is not None and not isinstance(found, OSError):
                facts = self._apply(source, facts, found, key, everyone)
            mode = self._scan_mode(source, facts, scans)
            need_taken = key is not None and (
                facts is None or facts.taken is None or facts.taken[0] != key
            )
            if facts is None or mode != _NO_SCAN or need_taken:
                key = key if need_taken else None
                jobs.append((source, facts, key))
                work.append((str(source.path), source.dotted, frozenset(key or ()), mode))
        for (source, facts, key), job in zip(jobs, work, strict=True):
            held = self._held.pop(source.relpath, None)
            computed = compute(job) if held is None else computed_from(held, job)
            if not isinstance(computed, OSError):
                self._apply(source, facts, computed, key, frozenset(key or ()), held is None)

    def _scan_mode(self, source: SourceFile, facts: FileFacts | None, scans: bool) -> int:
        """Whether a file still needs its relation scan: never, if it has a class statement,
        or always (a public file)."""
        module = source.module
        if not scans or module is None or source.relpath in self.scans:
            return _NO_SCAN
        if facts is not None and facts.scan is not None:
            return _NO_SCAN
        if not module.shared and module.is_public(source.dotted):
            return _SCAN
        return _SCAN_CLASSES if facts is None or facts.classes else _NO_SCAN

    def _apply(
        self,
        source: SourceFile,
        facts: FileFacts | None,
        computed: Computed,
        key: tuple[str, ...] | None,
        read_for: frozenset[str],
        read: bool = True,
    ) -> FileFacts:
        """Keep what `compute` found for a file. The names it takes were read for the public
        files `read_for`: a plain read for more files than `key` holds the same lines about
        these (their names are among its words), so its pairs of `key`'s files are kept; a
        read that was not plain says so only for `key` itself, else the file is read again."""
        classes, comments, scanned, taken = computed
        if facts is None:
            facts = self._new(source, classes, comments)
        if scanned is not None:
            self.scans[source.relpath] = scanned
        if key is not None and taken is not None and read_for.issuperset(key):
            wanted = set(key)
            facts.taken = (key, tuple(pair for pair in taken if pair[0] in wanted))
        elif key is not None and read_for == frozenset(key):
            facts.taken = (key, None)
        self.reads += read
        self._touched.add(source.relpath)
        return facts

    # Project-wide steps that read the facts ----------------------------------------------------

    def import_table(self) -> ImportTable:
        """The imports that cross modules: from the stored records of unchanged files and the
        files scanned again, or from grimp's scan of every checked file."""
        if self._table is None:
            table = self._patched_table()
            self._table = table if table is not None else self._scanned_table()
        return self._table

    def memo(self, name: str, compute: Callable[[ScanReader], list[Finding]]) -> list[Finding]:
        """Findings `compute` makes from relation scans, reused while every scan it read is
        unchanged and no file it found without a class statement gained one."""
        store = self.store
        if store is None:
            return compute(self.scan)
        derived = store.shared.get("derived")
        if not isinstance(derived, dict) or derived.get("scope") != store.scope:
            derived = store.shared["derived"] = {"scope": store.scope, "results": {}}
        stored = derived["results"].get(name)
        found = _decode_memo(stored) if stored is not None else None
        if found is not None and self._still_valid(*found[1:]):
            return found[0]
        log = ScanLog(self.scan)
        findings = compute(log)
        derived["results"][name] = {
            "findings": [encode_finding(finding) for finding in findings],
            "used": self._stats_of(log.used),
            "empty": self._stats_of(log.empty),
        }
        store.changed = True
        return findings

    def flush(self) -> None:
        """Put the records this run made or grew into the store, for the cache to save."""
        store = self.store
        if store is None or not self._touched:
            return
        for relpath in self._touched:
            facts = self.facts.get(relpath)
            if facts is None or facts.stat is None or not store.settled(relpath):
                continue
            scanned = self.scans.get(relpath)
            if facts.scan is None and scanned is not None:
                facts.scan = encode_scan(scanned)
            record = _record(facts)
            if store.records.get(relpath) != record:
                store.records[relpath] = record
                store.stale += 1
        self._touched.clear()

    # Inside ------------------------------------------------------------------------------------

    def _known(self, source: SourceFile) -> FileFacts | None:
        """The file's facts made this run or stored (decoded once per run), else None."""
        facts = self.facts.get(source.relpath)
        if facts is None:
            facts = self._stored(source)
            if facts is not None:
                self.facts[source.relpath] = facts
        return facts

    def _new(self, source: SourceFile, classes: bool, comments: tuple[Comment, ...]) -> FileFacts:
        """A file's facts made anew this run, with the imports grimp's scan found in it if
        the import table came first (it parks them in `_imports`)."""
        facts = FileFacts(self._stat(source), source.dotted, classes, comments, {})
        facts.imports = self._imports.pop(source.relpath, None)
        self.facts[source.relpath] = facts
        self._touched.add(source.relpath)
        return facts

    def _stat(self, source: SourceFile) -> Stat | None:
        return self.store.stats.get(source.relpath) if self.store is not None else None

    def _stored(self, source: SourceFile) -> FileFacts | None:
        if self.store is None:
            return None
        item = self.store.records.get(source.relpath)
        stat = self.store.stats.get(source.relpath)
        if item is None or stat is None:
            return None
        try:
            facts = _decode_record(item)
        except ERRORS:
            self.store.changed = True  # repair the damage
            return None
        return facts if facts.stat == stat and facts.dotted == source.dotted else None

    def _bytes(self, source: SourceFile) -> bytes | OSError:
        """The file's bytes; the last file read is kept, as its next question usually follows."""
        if self._last is not None and self._last[0] == source.relpath:
            return self._last[1]
        try:
            data = source.path.read_bytes()
        except OSError as error:
            return error
        self.reads += 1
        self._last = (source.relpath, data)
        return data

    def _patched_table(self) -> ImportTable | None:
        """The stored table with the changed files scanned again by mmkit.checks.import_scan;
        None when grimp must scan them all: a file was added, removed or renamed (every import
        may resolve differently), or a changed file is one grimp or Python could not read."""
        from mmkit.checks.import_scan import scan_imports

        store = self.store
        meta = store.shared.get("imports") if store is not None else None
        if store is None or not isinstance(meta, dict) or meta.get("scope") != store.scope:
            return None
        try:
            modules = frozenset(map(text, array(meta["modules"])))
            present = frozenset(map(text, array(meta["present"])))
            unscanned = frozenset(map(text, array(meta["skipped"])))
        except ERRORS:
            return None
        project = self.project
        table: dict[str, Crossing] = {}
        skipped: list[SkippedFile] = []
        for source in project.files:
            if source.module is None:
                continue
            facts = self.file(source)
            if isinstance(facts, OSError):
                return None
            if facts.imports is None:
                if source.relpath in unscanned:
                    return None
                data = self._bytes(source)
                if isinstance(data, OSError):
                    return None
                self._held[source.relpath] = data  # prepare needs it too: read once
                if source.dotted in modules:
                    package = source.path.name == "__init__.py"
                    found = scan_imports(data, source.dotted, package, modules)
                    if found is None:
                        return None
                    lines = {imported: tuple(sorted(at)) for imported, at in found.items()}
                    assert source.module is not None
                    facts.imports = crossing(project, source.module, lines)
                else:
                    facts.imports = ()
                self._touched.add(source.relpath)
            if isinstance(facts.imports, str):
                skipped.append(SkippedFile(source.path, facts.imports))
            elif facts.imports:
                table[source.dotted] = facts.imports
        return ImportTable(table, present, tuple(sorted(skipped, key=lambda f: str(f.path))))

    def _scanned_table(self) -> ImportTable:
        """grimp's scan of every checked file; with a store, each file's part kept in its record."""
        from mmkit.checks import imports

        graph = imports.build_graph(self.project)
        table = imports.import_table(self.project, graph)
        store = self.store
        if store is None:
            return table
        reasons = {file.path: file.reason for file in table.skipped}
        for source in self.project.files:
            if source.module is None:
                continue
            value = reasons.get(source.path, table.imports.get(source.dotted, ()))
            facts = self._known(source)
            if facts is None:
                self._imports[source.relpath] = value  # its facts are made by prepare
                continue
            if facts.imports != value:
                facts.imports = value
                self._touched.add(source.relpath)
        names = store.dotted_names(self.project.root_prefix)
        # A folder without __init__.py (a namespace package) is a module to grimp too.
        names |= {name[:at] for name in names for at, c in enumerate(name) if c == "."}
        store.shared["imports"] = {
            "scope": store.scope,
            "modules": sorted(graph.modules & names),
            "present": sorted(table.present),
            "skipped": sorted(
                source.relpath for source in self.project.files if source.path in reasons
            ),
        }
        store.changed = True
        return table

    def _still_valid(self, used: dict[str, Stat | None], empty: dict[str, Stat | None]) -> bool:
        assert self.store is not None
        stats = self.store.stats
        if any(stat is None or stats.get(relpath) != stat for relpath, stat in used.items()):
            return False
        changed = {relpath for relpath, stat in empty.items() if stats.get(relpath) != stat}
        if not changed:
            return True
        for source in self.project.files:
            if source.relpath in changed:
                facts = self.file(source)
                if isinstance(facts, OSError) or facts.classes:
                    return False
        return True

    def _stats_of(self, relpaths: dict[str, SourceFile]) -> dict[str, list[int] | None]:
        """The stats a memo depends on; a file modified just before the run as unknown (None)."""
        assert self.store is not None
        store = self.store
        return {
            relpath: list(store.stats[relpath]) if store.settled(relpath) else None
            for relpath in relpaths
        }


Job = tuple[str, str, frozenset[str], int]
"""(path, dotted name, public files to read it for, scan mode): one file's work in prepare."""
Computed = tuple[bool, tuple[Comment, ...], FileScan | None, Taken | None]
_NO_SCAN, _SCAN_CLASSES, _SCAN = 0, 1, 2


def compute(job: Job) -> Computed | OSError:
    """One file's facts from one read: a pure function of its bytes (and of the public files
    whose names it is read for), so it may run in any process. The scan mode says whether to
    scan it: never, if it has a class statement, or always."""
    try:
        with open(job[0], "rb") as stream:
            data = stream.read()
    except OSError as error:
        return error
    return computed_from(data, job)


def computed_from(data: bytes, job: Job) -> Computed:
    """compute for bytes already read."""
    path, dotted, publics, mode = job
    classes = may_define_classes(data)
    scanned = None
    if mode == _SCAN or (mode == _SCAN_CLASSES and classes):
        scanned = scan(data, dotted, os.path.basename(path) == "__init__.py")
    taken = exports.plain_taken(data, publics) if publics else None
    return classes, comments_in(data), scanned, taken


class ScanLog:
    """A ScanReader that notes the files it was asked about: what a memo depends on.

    `used` got a FileScan; `empty` were answered None (no class statement), so they matter
    again only if they gain one.
    """

    def __init__(self, reader: ScanReader) -> None:
        self._reader = reader
        self.used: dict[str, SourceFile] = {}
        self.empty: dict[str, SourceFile] = {}

    def __call__(self, file: SourceFile, required: bool) -> FileScan | None:
        found = self._reader(file, required)
        (self.used if found is not None else self.empty)[file.relpath] = file
        return found


# Records as JSON -----------------------------------------------------------------------------
# [mtime, size, dotted, classes, comments, places, scan, imports, taken]; each decoder checks
# the shape it reads, and a value of the wrong type makes the record count as missing.


def _record(facts: FileFacts) -> list[Any]:
    assert facts.stat is not None
    places = [[line, imported, *where] for (line, imported), where in facts.places.items()]
    imports = facts.imports
    if isinstance(imports, str):
        imports = f"!{imports}"
    elif imports is not None:
        imports = _SEPARATOR.join(
            f"{imported}/{','.join(map(str, lines))}" for imported, lines in imports
        )
    taken = None
    if facts.taken is not None:
        publics, pairs = facts.taken
        taken = [
            _SEPARATOR.join(publics),
            None if pairs is None else _SEPARATOR.join(f"{a}/{b}" for a, b in pairs),
        ]
    comments = [list(comment) for comment in facts.comments]
    return [*facts.stat, facts.dotted, facts.classes, comments, places, facts.scan, imports, taken]


def _decode_record(item: object) -> FileFacts:
    mtime, size, dotted, classes, comments, places, scanned, imports, taken = array(
        item, _RECORD_LENGTH
    )
    return FileFacts(
        stat=(integer(mtime), integer(size)),
        dotted=text(dotted),
        classes=flag(classes),
        comments=tuple(
            (integer(line), integer(column), text(comment))
            for line, column, comment in (array(item, 3) for item in array(comments))
        )
        if comments != []
        else (),
        places={
            (integer(line), text(imported)): (integer(column), flag(guarded))
            for line, imported, column, guarded in (array(place, 4) for place in array(places))
        }
        if places != []
        else {},
        scan=None if scanned is None else text(scanned),
        imports=_decode_imports(imports),
        taken=None if taken is None else _decode_taken(taken),
    )


def _decode_imports(value: object) -> Crossing | str | None:
    """`!reason` when grimp could not scan the file, else `module/line,line` joined by NUL:
    a string splits faster than nested lists decode (a name cannot hold `/` or NUL)."""
    if value is None:
        return None
    value = text(value)
    if value.startswith("!"):
        return value[1:]
    found = []
    for entry in value.split(_SEPARATOR) if value else ():
        imported, slash, lines = entry.rpartition("/")
        if not slash or not imported:
            raise ValueError("not an import")
        found.append((imported, tuple(map(int, lines.split(",")))))
    return tuple(found)


def _decode_taken(value: object) -> tuple[tuple[str, ...], Taken | None] | None:
    """[public files joined by NUL, `public/name` pairs joined by NUL or null]."""
    if value is None:
        return None
    publics, pairs = array(value, 2)
    key = tuple(text(publics).split(_SEPARATOR))
    if pairs is None:
        return key, None
    found = []
    for entry in text(pairs).split(_SEPARATOR) if pairs else ():
        public, slash, name = entry.rpartition("/")
        if not slash or not public:
            raise ValueError("not a name taken")
        found.append((public, name))
    return key, tuple(found)


def _decode_memo(
    value: object,
) -> tuple[list[Finding], dict[str, Stat | None], dict[str, Stat | None]] | None:
    try:
        item = mapping(value)
        return decode_findings(item["findings"]), _stats(item["used"]), _stats(item["empty"])
    except ERRORS:
        return None


def _stats(value: object) -> dict[str, Stat | None]:
    stats: dict[str, Stat | None] = {}
    for relpath, found in mapping(value).items():
        if found is None:
            stats[relpath] = None
        else:
            mtime, size = array(found, 2)
            stats[relpath] = (integer(mtime), integer(size))
    return stats


def encode_scan(value: FileScan) -> str:
    """A FileScan as compact JSON text: positional, so decoding is one walk without hooks."""
    return json.dumps(_encode(value), separators=(",", ":"))


def decode_scan(text: str) -> FileScan:
    """encode_scan's text back into the FileScan; TypeError or ValueError when it is not one."""
    found = _decode(json.loads(text))
    if not isinstance(found, FileScan):
        raise TypeError("not a FileScan")
    return found


def _encode(value: object) -> object:
    """A frozen dataclass is `{"ClassName": [its fields in order]}`, a tuple a list."""
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [_encode(getattr(value, field.name)) for field in _fields(type(value))]
        return {type(value).__name__: fields}
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in the cache")


def _decode(value: object) -> object:
    if isinstance(value, list):
        return tuple([_decode(item) for item in value])
    if isinstance(value, dict):
        ((name, fields),) = value.items()
        cls = _SCAN_TYPES.get(name)
        if cls is None or not isinstance(fields, list):
            raise ValueError(f"unknown cached type {name!r}")
        return cls(*[_decode(item) for item in fields])
    return value


_FIELDS: dict[type, tuple[dataclasses.Field[Any], ...]] = {}


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = dataclasses.fields(cls)
    return found


_SCAN_TYPES: dict[str, type] = {
    name: value
    for name, value in vars(model_scan_module).items()
    if isinstance(value, type) and dataclasses.is_dataclass(value)
}


__all__ = ["Facts", "FileFacts", "ScanLog", "decode_scan", "encode_scan"]
