"""The cache beside pyproject.toml (`.mmkit_cache/`): warm runs skip the work of unchanged files.

JSON files, each valid on its own: two runs at once can only replace each other's complete
file (temporary file + os.replace), never leave a torn one.

- result.json: the findings (before the baseline) of the last run, under a digest of every
  Python file's path, size and modification time and of the configuration. A run whose digest
  matches returns them without importing grimp or reading any source file.
- result-variant.json: the same for a run with a variant (the Django door: its relations from
  the app registry and its rules), under the digest and the variant, so neither replaces the
  other's result. One file for every variant: a new one replaces the last instead of piling up.
- files.json: per file, keyed on its size and modification time, what the checks took from it:
  a class statement or not, its `# mmkit:` comments, where its reported imports sit.
- scans.json: the relation scan (FileScan) of each file that needed one.
- derived.json: the relation and interface findings, with the files each depended on; an edit
  elsewhere (the usual edit: a file without models) reuses them without reading any scan.
- imports.json: each module file's imports of other modules, as grimp's scan found them. After
  an edit only the changed files are scanned again (mmkit.checks.import_scan); when a file was
  added, removed or renamed, grimp scans them all again, since every import may resolve
  differently.

A cache file that cannot be read, is not valid JSON or was written by another version of mmkit
is ignored and rewritten; a cache directory that cannot be written means no cache, never an
error. A file modified just before the run (RACY_NS, or COARSE_RACY_NS on a file system that
keeps whole seconds only) is not cached: an edit in the same timestamp tick that keeps its size
would look unchanged.

grimp's own cache (build_graph's cache_dir) is not used: it keys each file's imports on that
file's modification time alone, but how an import resolves also depends on which modules exist
(`from books import views` names books.views only once books/views.py exists), so after a file
is added it returns stale imports; and it barely speeds up the build (docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import stat as stat_module
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmkit import __version__
from mmkit.config import Config
from mmkit.files import read_regular
from mmkit.findings import Finding
from mmkit.project import Project, SourceFile, entered, follows

if TYPE_CHECKING:
    from mmkit.checks.imports import ImportTable
    from mmkit.checks.model_index import ScanReader
    from mmkit.checks.sources import FileFacts, Sources, StoredScan

DIRNAME = ".mmkit_cache"
FORMAT = 2
"""The layout of the cache files. mmkit's own code is part of every key (its files' sizes and
times), so a change of what is cached, a FileScan field say, needs no new FORMAT."""
RESULT_FILE = "result.json"
RESULT_VARIANT_FILE = "result-variant.json"
FILES_FILE = "files.json"
SCANS_FILE = "scans.json"
DERIVED_FILE = "derived.json"
IMPORTS_FILE = "imports.json"
RACY_NS = 100_000_000
"""Files modified this recently before the run are not cached (timestamps come in ticks)."""
COARSE_RACY_NS = 2_000_000_000
"""The same when no file has a sub-second modification time (FAT keeps 2 s, HFS+ 1 s)."""

Stat = tuple[int, int]
_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)
"""What decoding a damaged cache file can raise: the file is then ignored."""


@dataclass(frozen=True)
class Manifest:
    """Every Python file under root with its (mtime_ns, size), and digests of the whole tree.

    The walk is a superset of the project's files: it also enters folders the discovery skips
    (`build/`, `env/`) when they are packages grimp reads, and folders behind symlinks.
    """

    stats: dict[str, Stat]
    digest: str
    paths_digest: str
    newest_ns: int
    coarse: bool
    prefix: str

    def dotted_names(self) -> set[str]:
        """The import names of the files, as grimp names its modules."""
        names = set()
        for relpath in self.stats:
            parts = relpath.removeprefix(self.prefix)[:-3].split("/")
            if parts[-1] == "__init__":
                parts.pop()
            names.add(".".join(parts))
        return names


@dataclass(frozen=True)
class Result:
    """What a run with nothing changed returns: the findings before the baseline, and counts."""

    findings: tuple[Finding, ...]
    modules: int
    files: int


@dataclass(frozen=True)
class _ImportRecord:
    """The import table, the grimp modules it was resolved against, and the files' stats."""

    table: ImportTable
    modules: frozenset[str]
    stats: Mapping[str, Stat | None]


@dataclass(frozen=True)
class _Derived:
    """Findings computed from scans, and the files they depend on (see ScanLog)."""

    findings: list[Finding]
    used: dict[str, Stat | None]
    empty: dict[str, Stat | None]


def default_directory(config: Config) -> Path:
    """Where the cache of a project lives unless `--cache-dir` says otherwise."""
    return config.base_dir / DIRNAME


class Cache:
    """The cache of one project for one run; build it with `Cache.open`.

    `lookup` answers from result.json when nothing changed; otherwise `checks.run` asks
    `sources`, `derived` and `import_table`, and `save` writes back what the run learnt.
    """

    def __init__(self, config: Config, directory: Path) -> None:
        self.config = config
        self.directory = directory
        self.started_ns = time.time_ns()
        self._manifest: Manifest | None = None
        self._keys: dict[str, str] = {}
        self._sources: Sources | None = None
        self._files: dict[str, list[Any]] = {}
        self._scans: dict[str, list[Any]] = {}
        self._derived: dict[str, _Derived] | None = None
        self._derived_new: set[str] = set()
        self._imports: _ImportRecord | None = None
        self._imports_rescanned: set[str] | None = set()
        self.usable = True

    @classmethod
    def open(cls, config: Config, directory: Path | None = None) -> Cache:
        """The cache in `directory` (default `.mmkit_cache/` beside pyproject.toml).

        The default directory is not used when it is a symlink: a project (a cloned
        repository) must not make mmkit write wherever its link points. Another directory
        the user names (`--cache-dir`, MMKIT_CACHE_DIR) may be a link.
        """
        default = default_directory(config)
        cache = cls(config, directory if directory is not None else default)
        cache.usable = cache.directory != default or not default.is_symlink()
        return cache

    def manifest(self) -> Manifest:
        """The walk of root, done once per run, before any file is read."""
        if self._manifest is None:
            self._manifest = walk(self.config, self.directory)
        return self._manifest

    # The fast path -------------------------------------------------------------------------

    def lookup(self, variant: str = "") -> Result | None:
        """The stored result when no file and no setting changed since it was written.

        `variant`: what else the result depends on (see result_key).
        """
        key = self.result_key(variant)
        record = self._read(_result_file(variant), key) if key is not None else None
        if record is None:
            return None
        try:
            findings = tuple(_findings(record["findings"]))
            return Result(findings, _int(record["modules"]), _int(record["files"]))
        except _ERRORS:
            return None

    # What checks.run asks for --------------------------------------------------------------

    def sources(self, project: Project) -> Sources:
        """The run's per-file facts, primed with those stored for unchanged files."""
        from mmkit.checks.sources import Sources

        if self._sources is None:
            stats = self.manifest().stats

            def stat(file: SourceFile) -> Stat | None:
                found = stats.get(file.relpath)
                return found if found is not None else _stat(file.path)

            tool = self._key("tool")
            files = self._read(FILES_FILE, tool)
            scans = self._read(SCANS_FILE, tool)
            self._files = _dict(files, "files")
            self._scans = _dict(scans, "scans")
            self._sources = Sources(
                stat, _Lazy(self._files, _decode_facts), _Lazy(self._scans, _decode_scan)
            )
        return self._sources

    def derived(
        self, name: str, project: Project, compute: Callable[[ScanReader], list[Finding]]
    ) -> list[Finding]:
        """Findings that `compute` makes from scans, reused while the files it read are unchanged.

        A file it found without a class statement only matters if it gained one.
        """
        from mmkit.checks.sources import ScanLog

        sources = self.sources(project)
        if self._derived is None:
            self._derived = _decode_derived(self._read(DERIVED_FILE, self._key("derived", project)))
        stored = self._derived.get(name)
        if stored is not None and self._still_valid(project, sources, stored):
            return list(stored.findings)
        log = ScanLog(sources.scan)
        findings = compute(log)
        stats = self.manifest().stats
        self._derived[name] = _Derived(
            findings,
            {relpath: stats.get(relpath) for relpath in log.used},
            {relpath: stats.get(relpath) for relpath in log.empty},
        )
        self._derived_new.add(name)
        return findings

    def _still_valid(self, project: Project, sources: Sources, stored: _Derived) -> bool:
        stats = self.manifest().stats
        if any(stats.get(relpath) != stat or stat is None for relpath, stat in stored.used.items()):
            return False
        changed = {relpath for relpath, stat in stored.empty.items() if stats.get(relpath) != stat}
        if not changed:
            return True
        for file in project.files:
            if file.relpath in changed:
                facts = sources.file_facts(file)
                if isinstance(facts, OSError) or facts.classes:
                    return False
        return True

    def import_table(self, project: Project) -> ImportTable:
        """The table of cross-module imports: the stored one brought up to date, or grimp's."""
        from mmkit.checks import imports

        if self._imports is None:
            stored = _decode_imports(self._read(IMPORTS_FILE, self._key("imports", project)))
            rescanned: set[str] = set()
            updated = _update(project, stored, self.manifest(), rescanned) if stored else None
            if updated is None:
                graph = imports.build_graph(project)
                table = imports.import_table(project, graph)
                modules = frozenset(graph.modules & self.manifest().dotted_names())
                updated = _ImportRecord(table, modules, {})
                self._imports_rescanned = None
            else:
                self._imports_rescanned = rescanned
            self._imports = updated
        return self._imports.table

    # Writing back --------------------------------------------------------------------------

    def result_key(self, variant: str = "") -> str | None:
        """The digest a result is stored under: every file's stat, the settings, mmkit's code and
        `variant`, a digest of what else the findings depend on (the Django door's relations and
        rules). None when a file was modified too recently (RACY_NS) for a result to be kept.
        """
        manifest = self.manifest()
        if manifest.newest_ns >= self.started_ns - _racy_ns(manifest):
            return None
        return _digest(self._key("result"), variant) if variant else self._key("result")

    def save(self, project: Project, findings: list[Finding] | None, variant: str = "") -> None:
        """Store what this run learnt; `findings` only when they came from the source alone
        (or from it and what `variant` stands for, see result_key).

        Nothing here may fail the run: a directory that cannot be written means no cache.
        """
        if not self.usable:
            return
        try:
            if _created(self.directory) or self.directory.name == DIRNAME:
                _mark(self.directory)
        except OSError:
            return
        manifest = self.manifest()
        racy = self.started_ns - _racy_ns(manifest)

        def settled(found: Stat | None) -> bool:
            return found is not None and found[0] < racy

        def lasting(relpaths: Iterable[str]) -> bool:
            """Whether a file learnt about may be kept; if none may, writing is useless."""
            return any(settled(manifest.stats.get(relpath)) for relpath in relpaths)

        sources = self._sources
        if sources is not None and lasting(sources.modified):
            self._write(FILES_FILE, self._key("tool"), {"files": self._files_record(racy)})
        if sources is not None and lasting(sources.new_scans):
            self._write(SCANS_FILE, self._key("tool"), {"scans": self._scans_record(racy)})
        derived = self._derived or {}
        if any(all(map(settled, derived[name].used.values())) for name in self._derived_new):
            record = {"results": _encode_derived(derived, racy)}
            self._write(DERIVED_FILE, self._key("derived", project), record)
        if self._imports is not None and (
            self._imports_rescanned is None or lasting(self._imports_rescanned)
        ):
            record = _encode_imports(self._imports, project, manifest, racy)
            self._write(IMPORTS_FILE, self._key("imports", project), record)
        key = self.result_key(variant)
        if findings is not None and key is not None:
            record = {
                "modules": len(project.modules),
                "files": len(project.files),
                "findings": [_record(finding) for finding in findings],
            }
            self._write(_result_file(variant), key, record)

    def _files_record(self, racy: int) -> dict[str, list[Any]]:
        assert self._sources is not None
        modified = self._sources.modified
        files = {}
        for relpath, facts in self._sources.facts.items():
            if facts.stat is None or facts.stat[0] >= racy:
                continue
            kept = self._files.get(relpath)
            files[relpath] = kept if kept is not None and relpath not in modified else _facts(facts)
        return files

    def _scans_record(self, racy: int) -> dict[str, list[Any]]:
        """The stored scans of files still unchanged, and the new ones."""
        assert self._sources is not None
        stats = self.manifest().stats
        scans = {
            relpath: item
            for relpath, item in self._scans.items()
            if isinstance(item, list) and len(item) == 4 and stats.get(relpath) == tuple(item[:2])
        }
        for relpath in self._sources.new_scans:
            facts = self._sources.facts.get(relpath)
            if facts is None or facts.stat is None or facts.stat[0] >= racy:
                continue
            text = json.dumps(_encode(self._sources.scans[relpath]), separators=(",", ":"))
            scans[relpath] = [*facts.stat, facts.dotted, text]
        return scans

    # Files ---------------------------------------------------------------------------------

    def _read(self, name: str, key: str) -> dict[str, Any] | None:
        """A cache file's content, or None when it is missing, damaged or not for this key."""
        if not self.usable:
            return None
        try:
            record = json.loads(read_regular(self.directory / name))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        return record if record.get("key") == key else None

    def _write(self, name: str, key: str, record: dict[str, Any]) -> None:
        """Write atomically: a temporary file in the same directory, then os.replace."""
        text = json.dumps({"format": FORMAT, "key": key, **record}, separators=(",", ":"))
        # Unique per live process and thread (a file of that name is left over from a run that
        # died), created exclusively: no other run can write into it.
        temporary = self.directory / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            temporary.unlink(missing_ok=True)
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self.directory / name)
        except OSError:
            temporary.unlink(missing_ok=True)

    # Keys ----------------------------------------------------------------------------------

    def _key(self, kind: str, project: Project | None = None) -> str:
        """What a cache file is valid for; a file stored under another key is ignored.

        tool: mmkit's version and code, grimp's, Python's. settings: pyproject.toml's place and
        bytes. Per file: result (+ every file's stat), imports (+ the set of paths, and the
        modules discovered), derived (the same).
        """
        if "tool" not in self._keys:
            self._keys["tool"] = _digest(*_tool_parts())
            try:
                content = self.config.path.read_bytes()
            except OSError:
                content = b""
            self._keys["settings"] = _digest(
                self._keys["tool"], str(self.config.path), hashlib.sha256(content).hexdigest()
            )
        if kind in ("tool", "settings"):
            return self._keys[kind]
        manifest = self.manifest()
        if kind == "result":
            return _digest(self._keys["settings"], manifest.digest)
        assert project is not None
        return _digest(kind, self._keys["settings"], manifest.paths_digest, repr(project.modules))


def _result_file(variant: str) -> str:
    return RESULT_VARIANT_FILE if variant else RESULT_FILE


def _racy_ns(manifest: Manifest) -> int:
    """How recently before the run a file may not have been modified to be cached."""
    return COARSE_RACY_NS if manifest.coarse else RACY_NS


def _tool_parts() -> Iterator[object]:
    yield from (FORMAT, __version__, sys.implementation.name, sys.version)
    yield from _tree_stats(Path(__file__).parent)
    spec = importlib.util.find_spec("grimp")
    if spec is not None and spec.origin:
        for entry in _entries(Path(spec.origin).parent):
            yield entry.name, _stat(Path(entry.path))


class _Lazy(Mapping[str, Any]):
    """Stored entries decoded on first use: a warm run decodes only the files it asks about.

    An entry that does not decode reads as missing, so the file is simply read again.
    """

    def __init__(self, raw: Mapping[str, Any], decode: Callable[[Any], Any]) -> None:
        self._raw = raw
        self._decode = decode
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._done:
            try:
                self._done[key] = self._decode(self._raw[key])
            except _ERRORS as error:
                raise KeyError(key) from error
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _dict(record: dict[str, Any] | None, field: str) -> dict[str, Any]:
    value = record.get(field) if record is not None else None
    return value if isinstance(value, dict) else {}


# The import table of a warm run ------------------------------------------------------------


def _update(
    project: Project, stored: _ImportRecord, manifest: Manifest, rescanned: set[str]
) -> _ImportRecord | None:
    """The stored table with the changed files scanned again; None when grimp must rebuild it.

    The files scanned again are added to `rescanned`.

    The caller has checked that no file was added, removed or renamed (the paths digest), so
    every import resolves as it did. A file grimp could not read before, or one Python cannot
    parse now, goes back to grimp, whose verdict on it may differ.
    """
    from mmkit.checks.import_scan import scan_imports

    skipped = {file.path for file in stored.table.skipped}
    imports = dict(stored.table.imports)
    changed = False
    for source in project.files:
        if source.module is None:
            continue
        current = manifest.stats.get(source.relpath)
        if current is not None and stored.stats.get(source.relpath) == current:
            continue
        if source.path in skipped:
            return None
        changed = True
        rescanned.add(source.relpath)
        if source.dotted not in stored.modules:
            imports.pop(source.dotted, None)
            continue
        try:
            data = source.path.read_bytes()
        except OSError:
            return None
        found = scan_imports(data, source.dotted, source.path.name == "__init__.py", stored.modules)
        if found is None:
            return None
        crossing = []
        for imported, lines in found.items():
            target = project.module_of(imported)
            if target is not None and target.name != source.module.name:
                crossing.append((imported, tuple(sorted(lines))))
        if crossing:
            imports[source.dotted] = tuple(sorted(crossing))
        else:
            imports.pop(source.dotted, None)
    if not changed:
        return stored
    table = dataclasses.replace(stored.table, imports=imports)
    return _ImportRecord(table, stored.modules, stored.stats)


# The walk ----------------------------------------------------------------------------------


def walk(config: Config, cache_directory: Path | None = None) -> Manifest:
    """Stat every Python file under root, in sorted order, so the digests are stable.

    Skipped like the project's discovery: hidden folders, `__pycache__`, names that are not
    identifiers, virtualenvs; a folder in SKIPPED_DIRS only when it is not a package. The
    cache directory itself is never entered; a symlink back to a folder above is not followed.
    """
    root = os.fspath(config.root)
    try:
        base = config.root.relative_to(config.base_dir).as_posix()
    except ValueError:
        base = config.root.as_posix()
    prefix = "" if base == "." else f"{base}/"
    skip = os.fspath(cache_directory) if cache_directory is not None else None
    stats: dict[str, Stat] = {}
    folders: list[str] = []
    newest = 0
    fractions = 0
    top_real = os.path.realpath(root)
    pending: list[tuple[str, str, str]] = [(root, prefix, top_real)]
    while pending:
        directory, relative, real = pending.pop()
        below: list[tuple[str, str, str]] = []
        try:
            with os.scandir(directory) as scanned:
                entries = sorted(scanned, key=lambda entry: entry.name)
        except OSError:
            # A folder that cannot be listed is a finding (W004): its state is part of the key.
            folders.append(f"!{relative}")
            continue
        for entry in entries:
            name = entry.name
            if name.endswith(".py"):
                try:
                    info = entry.stat()
                except OSError:
                    info = None
                if info is not None and stat_module.S_ISREG(info.st_mode):
                    stats[f"{relative}{name}"] = (info.st_mtime_ns, info.st_size)
                    if info.st_mtime_ns > newest:
                        newest = info.st_mtime_ns
                    fractions |= info.st_mtime_ns % 1_000_000_000
                else:
                    # A FIFO or a dangling symlink is a W004: it must change the key too.
                    folders.append(f"!{relative}{name}")
            elif _enter(entry, skip):
                inside = os.path.realpath(entry.path) if entry.is_symlink() else f"{real}/{name}"
                if not follows(real, inside, top_real):
                    continue
                folders.append(f"{relative}{name}/")
                below.append((entry.path, f"{relative}{name}/", inside))
        pending.extend(reversed(below))
    digest, paths_digest = _digest(stats, folders), _digest(list(stats))
    return Manifest(stats, digest, paths_digest, newest, not fractions, prefix)


def _enter(entry: os.DirEntry[str], skip: str | None) -> bool:
    """Whether the walk goes into a folder: where discovery goes (`entered`), but never into
    `__pycache__` (even a package) or the cache directory."""
    return entry.name != "__pycache__" and entry.path != skip and entered(entry)


def _entries(directory: Path | str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as found:
            return sorted(found, key=lambda entry: entry.name)
    except OSError:
        return []


def _tree_stats(directory: Path) -> Iterator[tuple[str, Stat | None]]:
    """(relative path, stat) of every .py file of a package: mmkit's own code, for the key."""
    for entry in _entries(directory):
        if entry.is_dir() and entry.name != "__pycache__":
            for name, found in _tree_stats(Path(entry.path)):
                yield f"{entry.name}/{name}", found
        elif entry.name.endswith(".py"):
            yield entry.name, _stat(Path(entry.path))


def _stat(path: Path) -> Stat | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def _created(directory: Path) -> bool:
    """Make the directory; whether it is new, so mmkit made it and may mark it as a cache.

    A directory that was there (`--cache-dir .`, a source folder) is never marked: the marks
    would hide the whole folder from git and from backups.
    """
    try:
        directory.mkdir(parents=True)
    except FileExistsError:
        if not directory.is_dir():
            raise
        return False
    return True


def _mark(directory: Path) -> None:
    """Keep the cache out of version control and out of backups, as grimp and pytest do."""
    for name, content in (
        (".gitignore", "# Created by mmkit: this directory is a cache.\n*\n"),
        (
            "CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by mmkit.\n",
        ),
    ):
        target = directory / name
        if not target.exists():
            target.write_text(content, encoding="utf-8")


# JSON ---------------------------------------------------------------------------------------


def _record(finding: Finding) -> dict[str, Any]:
    """A finding as JSON takes it: its fields as they are (tuples dump as lists), no deep copy
    as dataclasses.asdict makes."""
    return vars(finding)


# Each decoder checks the shape of what it reads (a small schema per cache file): a value of
# the wrong type raises TypeError, which makes the entry or the file count as missing.

_FINDING_FIELDS = {field.name for field in dataclasses.fields(Finding)}
_OPTIONAL_TEXT = ("module", "imported", "model", "field", "target")


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, not {type(value).__name__}")
    return value


def _text(value: object) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _flag(value: object) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected true or false, not {type(value).__name__}")
    return value


def _list(value: object, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise TypeError("expected a list" + (f" of {length}" if length is not None else ""))
    return value


def _object(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise TypeError(f"expected an object, not {type(value).__name__}")
    return value


def _finding(item: object) -> Finding:
    """A stored finding: exactly Finding's fields, each of its type, a rule mmkit knows."""
    from mmkit.findings import RULES

    values = _object(item)
    if set(values) != _FINDING_FIELDS:
        raise TypeError("not a finding's fields")
    if _text(values["rule"]) not in RULES:
        raise ValueError(f"unknown rule {values['rule']!r}")
    for name in ("path", "message", "hint"):
        _text(values[name])
    _int(values["line"])
    _int(values["column"])
    for name in _OPTIONAL_TEXT:
        if values[name] is not None:
            _text(values[name])
    extra = tuple(
        (_text(key), _text(value))
        for key, value in (_list(pair, 2) for pair in _list(values["extra"]))
    )
    return Finding(**{**values, "extra": extra})


def _findings(items: object) -> list[Finding]:
    return [_finding(item) for item in _list(items)]


def _facts(facts: FileFacts) -> list[Any]:
    assert facts.stat is not None
    places = [[line, imported, *where] for (line, imported), where in facts.places.items()]
    comments = [list(comment) for comment in facts.comments]
    return [*facts.stat, facts.dotted, facts.classes, comments, places]


def _decode_facts(item: list[Any]) -> FileFacts:
    from mmkit.checks.sources import FileFacts

    mtime, size, dotted, classes, comments, places = _list(item, 6)
    stat = (_int(mtime), _int(size))
    if not _list(comments) and not _list(places):
        return FileFacts(stat, _text(dotted), _flag(classes), (), {})
    return FileFacts(
        stat=stat,
        dotted=_text(dotted),
        classes=_flag(classes),
        comments=tuple(
            (_int(line), _int(column), _text(text))
            for line, column, text in (_list(comment, 3) for comment in comments)
        ),
        places={
            (_int(line), _text(imported)): (_int(column), _flag(guarded))
            for line, imported, column, guarded in (_list(place, 4) for place in places)
        },
    )


def _decode_scan(item: list[Any]) -> StoredScan:
    from mmkit.checks.model_scan import FileScan
    from mmkit.checks.sources import StoredScan

    mtime, size, dotted, text = _list(item, 4)
    scan = _decode(json.loads(_text(text)))
    if not isinstance(scan, FileScan):
        raise TypeError("not a FileScan")
    return StoredScan((_int(mtime), _int(size)), _text(dotted), scan)


def _encode(value: object) -> object:
    """The relation scan as JSON values: a frozen dataclass is `{"ClassName": [its fields in
    order]}`, a tuple a list; positional, so decoding is one walk without a per-object hook."""
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [_encode(getattr(value, field.name)) for field in _fields(type(value))]
        return {type(value).__name__: fields}
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in the cache")


def _decode(value: object) -> object:
    """_encode's JSON values back into the scan's dataclasses and tuples."""
    if isinstance(value, list):
        return tuple([_decode(item) for item in value])
    if isinstance(value, dict):
        ((name, fields),) = value.items()
        cls = _scan_classes().get(name)
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


_SCAN_CLASSES: dict[str, type] = {}


def _scan_classes() -> dict[str, type]:
    if not _SCAN_CLASSES:
        from mmkit.checks import model_scan

        for name, value in vars(model_scan).items():
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                _SCAN_CLASSES[name] = value
    return _SCAN_CLASSES


def _stats(value: Any) -> dict[str, Stat | None]:
    stats: dict[str, Stat | None] = {}
    for relpath, found in _object(value).items():
        if found is None:
            stats[relpath] = None
        else:
            mtime, size = _list(found, 2)
            stats[relpath] = (_int(mtime), _int(size))
    return stats


def _fresh(stats: Mapping[str, Stat | None], racy: int) -> dict[str, list[int] | None]:
    """Stats to store: a file modified just before the run is stored as unknown (None)."""
    return {
        relpath: list(found) if found is not None and found[0] < racy else None
        for relpath, found in stats.items()
    }


def _decode_derived(record: dict[str, Any] | None) -> dict[str, _Derived]:
    results = _dict(record, "results")
    derived = {}
    for name, item in results.items():
        try:
            item = _object(item)
            derived[name] = _Derived(
                _findings(item["findings"]), _stats(item["used"]), _stats(item["empty"])
            )
        except _ERRORS:
            continue
    return derived


def _encode_derived(derived: dict[str, _Derived], racy: int) -> dict[str, Any]:
    return {
        name: {
            "findings": [_record(finding) for finding in item.findings],
            "used": _fresh(item.used, racy),
            "empty": _fresh(item.empty, racy),
        }
        for name, item in derived.items()
    }


def _decode_imports(record: dict[str, Any] | None) -> _ImportRecord | None:
    from mmkit.checks.imports import ImportTable, SkippedFile

    if record is None:
        return None
    try:
        table = ImportTable(
            imports={
                importer: tuple(
                    (_text(imported), tuple(map(_int, _list(lines))))
                    for imported, lines in (_list(pair, 2) for pair in _list(found))
                )
                for importer, found in _object(record["imports"]).items()
            },
            present=frozenset(map(_text, _list(record["present"]))),
            skipped=tuple(
                SkippedFile(Path(_text(path)), _text(reason))
                for path, reason in (_list(pair, 2) for pair in _list(record["skipped"]))
            ),
        )
        modules = frozenset(map(_text, _list(record["modules"])))
        return _ImportRecord(table, modules, _stats(record["stats"]))
    except _ERRORS:
        return None


def _encode_imports(
    record: _ImportRecord, project: Project, manifest: Manifest, racy: int
) -> dict[str, Any]:
    """The table, with the stat of every module file it was made from."""
    stats = {
        source.relpath: manifest.stats.get(source.relpath)
        for source in project.files
        if source.module is not None
    }
    table = record.table
    return {
        "modules": sorted(record.modules),
        "present": sorted(table.present),
        "skipped": [[str(file.path), file.reason] for file in table.skipped],
        "stats": _fresh(stats, racy),
        "imports": {
            importer: [[imported, list(lines)] for imported, lines in found]
            for importer, found in table.imports.items()
        },
    }
