"""Each project file read at most once per run, and the small facts the checks take from it.

The relation scan asks whether a file has a class statement (and for its FileScan), the
suppressions for its `# mmkit:` comments, the import rules where a reported import sits. One
Sources object answers all three, so a cold run reads every file once. The facts are plain
data keyed on the file's modification time and size: the cache keeps them between runs, and
a warm run reads only the files that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mmkit.checks.imports import FilePlaces, Statement
from mmkit.checks.model_index import ScanReader
from mmkit.checks.model_scan import FileScan, ParseError, may_define_classes, scan
from mmkit.project import SourceFile
from mmkit.suppressions import Comment, comments_in

Stat = tuple[int, int]
"""A file's (modification time in ns, size): what says it is unchanged since last time."""
StatReader = Callable[[SourceFile], Stat | None]


@dataclass(eq=False)
class FileFacts:
    """What the checks know about one file's content; `places` grows as imports are placed.

    classes: whether the file has a class statement (model_scan.may_define_classes).
    """

    stat: Stat | None
    dotted: str
    classes: bool
    comments: tuple[Comment, ...]
    places: dict[tuple[int, str], tuple[int, bool]]


@dataclass(frozen=True, eq=False)
class StoredScan:
    """A FileScan kept from an earlier run, with the stat and name it was made for."""

    stat: Stat
    dotted: str
    scan: FileScan


class Sources:
    """The facts of the project's files for one run; `facts` and `scans` are those stored.

    A stored entry is used when its file's stat (from `stat`) and dotted name are unchanged.
    Without `stat` nothing stored is trusted. `modified` and `new_scans` tell the cache what
    to write back; `reads` counts the files read.
    """

    def __init__(
        self,
        stat: StatReader | None = None,
        facts: Mapping[str, FileFacts] | None = None,
        scans: Mapping[str, StoredScan] | None = None,
    ) -> None:
        self._stat = stat
        self._stored_facts = facts or {}
        self._stored_scans = scans or {}
        self.facts: dict[str, FileFacts] = {}
        self.scans: dict[str, FileScan] = {}
        self.modified: set[str] = set()
        self.new_scans: set[str] = set()
        self.reads = 0
        self._places: dict[str, FilePlaces] = {}
        self._last: tuple[str, bytes] | None = None

    def scan(self, file: SourceFile, required: bool) -> FileScan | None:
        """A ScanReader, as model_index.read_scan: None for a file without a class statement
        unless `required` (a name leads there)."""
        facts = self.file_facts(file)
        if isinstance(facts, OSError):
            return FileScan(error=ParseError(1, 1, facts.strerror or str(facts)))
        if not required and not facts.classes:
            return None
        found = self.scans.get(file.relpath)
        if found is None:
            stored = self._stored_scans.get(file.relpath)
            if stored is not None and self._unchanged(file, stored.stat, stored.dotted):
                found = stored.scan
            else:
                data = self._bytes(file)
                if isinstance(data, OSError):
                    return FileScan(error=ParseError(1, 1, data.strerror or str(data)))
                found = scan(data, file.dotted, file.path.name == "__init__.py")
                self.new_scans.add(file.relpath)
            self.scans[file.relpath] = found
        return found

    def comments(self, file: SourceFile) -> tuple[Comment, ...]:
        """A CommentReader: the file's `# mmkit:` comments; none when it cannot be read."""
        facts = self.file_facts(file)
        return () if isinstance(facts, OSError) else facts.comments

    def statement(self, file: SourceFile, line: int, imported: str) -> Statement:
        """A StatementFinder: where the statement importing `imported` on `line` sits."""
        facts = self.file_facts(file)
        key = (line, imported)
        if not isinstance(facts, OSError) and key in facts.places:
            column, type_checking = facts.places[key]
            return Statement(line, column, type_checking)
        places = self._places.get(file.relpath)
        if places is None:
            data = self._bytes(file)
            places = FilePlaces(b"" if isinstance(data, OSError) else data)
            self._places[file.relpath] = places
        found = places.statement(line, imported)
        if not isinstance(facts, OSError):
            facts.places[key] = (found.column, found.type_checking)
            self.modified.add(file.relpath)
        return found

    def text(self, file: SourceFile) -> bytes | None:
        """A TextReader (mmkit.checks.exports): the file's bytes, None when it cannot be read."""
        data = self._bytes(file)
        return None if isinstance(data, OSError) else data

    def file_facts(self, file: SourceFile) -> FileFacts | OSError:
        """The file's facts: stored ones if it is unchanged, else read from its bytes."""
        known = self.facts.get(file.relpath)
        if known is not None:
            return known
        stored = self._stored_facts.get(file.relpath)
        if stored is not None and self._unchanged(file, stored.stat, stored.dotted):
            facts = stored
        else:
            stat = self._stat(file) if self._stat is not None else None
            data = self._bytes(file)
            if isinstance(data, OSError):
                return data
            facts = FileFacts(stat, file.dotted, may_define_classes(data), comments_in(data), {})
            self.modified.add(file.relpath)
        self.facts[file.relpath] = facts
        return facts

    def _unchanged(self, file: SourceFile, stat: Stat | None, dotted: str) -> bool:
        return (
            self._stat is not None
            and stat is not None
            and dotted == file.dotted
            and stat == self._stat(file)
        )

    def _bytes(self, file: SourceFile) -> bytes | OSError:
        """The file's bytes; the last file read is kept, as its next question usually follows."""
        if self._last is not None and self._last[0] == file.relpath:
            return self._last[1]
        try:
            data = file.path.read_bytes()
        except OSError as error:
            return error
        self.reads += 1
        self._last = (file.relpath, data)
        return data


class ScanLog:
    """A ScanReader that notes the files it was asked about: what a result depends on.

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
