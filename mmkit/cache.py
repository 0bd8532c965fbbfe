"""The cache beside pyproject.toml (`.mmkit_cache/`): warm runs skip the work of unchanged files.

JSON files, each valid on its own: two runs at once can only replace each other's complete
file (temporary file + os.replace), never leave a torn one.

- result.json: the findings (before the baseline) of the last run, under a digest of every
  Python file's path, size and modification time and of the configuration. A run whose digest
  matches returns them without importing grimp or reading any source file.
- result-variant.json: the same for a run with a variant (the Django door: its relations from
  the app registry and its rules), under the digest and the variant, so neither replaces the
  other's result. One file for every variant: a new one replaces the last instead of piling up.
- facts.json: the analysis's per-file facts (mmkit.checks.facts), one record per file keyed
  on its size and modification time, and a few project-wide entries. What a record holds is
  the checks' business: the cache only keeps the records of files that are still unchanged.

This module knows nothing of the checks and never calls them: `checks.run` takes a facts
provider built on the FactsStore this module loads, and `save` writes back what it holds.

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
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmkit import __version__
from mmkit.config import Config
from mmkit.files import read_regular
from mmkit.findings import Finding
from mmkit.project import Listing, Project, walk
from mmkit.shapes import ERRORS, array, integer, mapping, text

DIRNAME = ".mmkit_cache"
FORMAT = 3
"""The layout of the cache files. mmkit's own code is part of every key (its files' sizes and
times), so a change of what a record holds, a FileScan field say, needs no new FORMAT."""
RESULT_FILE = "result.json"
RESULT_VARIANT_FILE = "result-variant.json"
FACTS_FILE = "facts.json"
RACY_NS = 100_000_000
"""Files modified this recently before the run are not cached (timestamps come in ticks)."""
COARSE_RACY_NS = 2_000_000_000
"""The same when no file has a sub-second modification time (FAT keeps 2 s, HFS+ 1 s)."""

STALE_RECORDS = 16
"""Up to this many records (or 1% of the files) may differ from facts.json before it is
written again; their files are simply read again."""

Stat = tuple[int, int]


@dataclass(frozen=True)
class Manifest:
    """Every Python file under root with its (mtime_ns, size), and digests of the whole tree.

    It comes from the run's one walk of root (mmkit.project.walk), which discovery reads too.
    """

    stats: dict[str, Stat]
    digest: str
    newest_ns: int
    coarse: bool
    tree: tuple[Listing, ...] = field(compare=False, repr=False)

    @property
    def paths_digest(self) -> str:
        """A digest of the set of paths only: what an import's resolution depends on (a warm
        run with nothing changed never needs it)."""
        return _digest(list(self.stats))


@dataclass(frozen=True)
class Result:
    """What a run with nothing changed returns: the findings before the baseline, and counts."""

    findings: tuple[Finding, ...]
    modules: int
    files: int


@dataclass
class FactsStore:
    """The stored per-file records and project-wide entries of one project, for this run.

    `records` maps a file's relpath to a JSON list whose first two items are the stat it was
    made from; `shared` holds project-wide entries. mmkit.checks.facts reads and replaces
    them, sets `changed` when the file must be written (a project-wide entry changed, a record
    was damaged) and counts in `stale` the records that differ from the file's; `save` writes
    the records of files that are still unchanged.
    `stats` is every file's stat now, `scope` a digest of the set of paths and of the modules
    (what an import's resolution depends on), `racy` the newest modification time that may be
    kept.
    """

    stats: dict[str, Stat]
    scope: str
    racy: int
    records: dict[str, Any]
    shared: dict[str, Any]
    changed: bool = False
    stale: int = 0

    def must_write(self) -> bool:
        """Whether saving pays: a few edited files are cheaper to read again on the next run
        than rewriting every record (a large project's facts.json is megabytes)."""
        return self.changed or self.stale > max(STALE_RECORDS, len(self.stats) // 100)

    def settled(self, relpath: str) -> bool:
        """Whether the file's current stat may be stored (not modified just before the run)."""
        found = self.stats.get(relpath)
        return found is not None and found[0] < self.racy

    def dotted_names(self, prefix: str) -> set[str]:
        """The import names of every file under root, as grimp names its modules."""
        names = set()
        for relpath in self.stats:
            parts = relpath.removeprefix(prefix)[:-3].split("/")
            if parts[-1] == "__init__":
                parts.pop()
            names.add(".".join(parts))
        return names


def default_directory(config: Config) -> Path:
    """Where the cache of a project lives unless `--cache-dir` says otherwise."""
    return config.base_dir / DIRNAME


class Cache:
    """The cache of one project for one run; build it with `Cache.open`.

    `lookup` answers from result.json when nothing changed; otherwise a door builds its facts
    provider on `store(project)` and `save` writes back the findings and the store.
    """

    def __init__(self, config: Config, directory: Path) -> None:
        self.config = config
        self.directory = directory
        self.started_ns = time.time_ns()
        self._manifest: Manifest | None = None
        self._keys: dict[str, str] = {}
        self._store: FactsStore | None = None
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
            self._manifest = manifest(self.config, self.directory)
        return self._manifest

    def tree(self) -> tuple[Listing, ...]:
        """The run's walk of root, for discovery (mmkit.project.discover), so it walks no more."""
        return self.manifest().tree

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
            findings = tuple(decode_findings(record["findings"]))
            return Result(findings, integer(record["modules"]), integer(record["files"]))
        except ERRORS:
            return None

    # What the facts provider reads ---------------------------------------------------------

    def store(self, project: Project) -> FactsStore:
        """The stored facts of the project's files, read once per run (mmkit.checks.facts)."""
        if self._store is None:
            manifest = self.manifest()
            record = self._read(FACTS_FILE, self._key("settings"))
            records = _dict(record, "files")
            shared = _dict(record, "shared")
            scope = _digest(manifest.paths_digest, repr(project.modules))
            racy = self.started_ns - _racy_ns(manifest)
            self._store = FactsStore(dict(manifest.stats), scope, racy, records, shared)
        return self._store

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
        store = self._store
        if store is not None and store.must_write():
            records = {
                relpath: item
                for relpath, item in store.records.items()
                if store.settled(relpath) and _made_from(item, store.stats[relpath])
            }
            if records or store.shared:
                record = {"files": records, "shared": store.shared}
                self._write(FACTS_FILE, self._key("settings"), record)
        key = self.result_key(variant)
        if findings is not None and key is not None:
            record = {
                "modules": len(project.modules),
                "files": len(project.files),
                "findings": [encode_finding(finding) for finding in findings],
            }
            self._write(_result_file(variant), key, record)

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

    def _key(self, kind: str) -> str:
        """What a cache file is valid for; a file stored under another key is ignored.

        tool: mmkit's version and code, grimp's, Python's. settings: the tool and
        pyproject.toml's place and bytes. result: the settings and every file's stat.
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
        return _digest(self._keys["settings"], self.manifest().digest)


def _made_from(item: object, current: Stat) -> bool:
    """Whether a stored record was made from the file as it is now (its first two items)."""
    return type(item) is list and len(item) >= 2 and item[0] == current[0] and item[1] == current[1]


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


def _dict(record: dict[str, Any] | None, name: str) -> dict[str, Any]:
    value = record.get(name) if record is not None else None
    return value if isinstance(value, dict) else {}


# The walk ----------------------------------------------------------------------------------


def manifest(config: Config, cache_directory: Path | None = None) -> Manifest:
    """Walk root once (the walk discovery reads too) and stat every Python file, in sorted
    order, so the digests are stable.

    What cannot be read or listed is part of the digest too: it is a finding (W004). A cache
    directory inside root is walked like any folder (a user may point it at a module's
    folder), but the folder itself is no part of the digest: creating it changes nothing.
    """
    try:
        base = config.root.relative_to(config.base_dir).as_posix()
    except ValueError:
        base = config.root.as_posix()
    prefix = "" if base == "." else f"{base}/"
    stats: dict[str, Stat] = {}
    tree = walk(config.root, stats, prefix)
    skip = os.fspath(cache_directory) if cache_directory is not None else None
    folders: list[str] = []
    for directory, parts, _, problems in tree:
        if directory != skip:
            folders.append("/".join(parts))
        folders.extend(f"!{problem.relpath}" for problem in problems)
    newest = max((found[0] for found in stats.values()), default=0)
    fractions = any(found[0] % 1_000_000_000 for found in stats.values())
    return Manifest(stats, _digest(stats, folders), newest, not fractions, tree)


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
# Each decoder checks the shape of what it reads: a value of the wrong type raises TypeError,
# which makes the entry or the file count as missing.

_FINDING_FIELDS = {field.name for field in dataclasses.fields(Finding)}
_OPTIONAL_TEXT = ("module", "imported", "model", "field", "target")


def encode_finding(finding: Finding) -> dict[str, Any]:
    """A finding as JSON takes it: its fields as they are (tuples dump as lists), no deep copy
    as dataclasses.asdict makes."""
    return vars(finding)


def decode_findings(items: object) -> list[Finding]:
    """Stored findings: exactly Finding's fields, each of its type, rules mmkit knows."""
    return [_finding(item) for item in array(items)]


def _finding(item: object) -> Finding:
    from mmkit.findings import RULES

    values = mapping(item)
    if set(values) != _FINDING_FIELDS:
        raise TypeError("not a finding's fields")
    if text(values["rule"]) not in RULES:
        raise ValueError(f"unknown rule {values['rule']!r}")
    for name in ("path", "message", "hint"):
        text(values[name])
    integer(values["line"])
    integer(values["column"])
    for name in _OPTIONAL_TEXT:
        if values[name] is not None:
            text(values[name])
    extra = tuple(
        (text(key), text(value))
        for key, value in (array(pair, 2) for pair in array(values["extra"]))
    )
    return Finding(**{**values, "extra": extra})
