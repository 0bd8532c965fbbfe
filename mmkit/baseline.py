"""The baseline: today's findings, recorded so that only new ones fail the build.

Entries are keyed by what a finding is about (which module imports which, which field points
where), never by line number, so moving code around inside a file keeps them valid. Each key
has a count. Findings beyond the count are new; recorded findings that no longer occur are
stale and fail the check until `mmkit baseline` rewrites the file, so it only ever shrinks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmkit import __version__
from mmkit.config import ConfigError
from mmkit.files import read_regular, write_atomically
from mmkit.findings import RULES, Finding
from mmkit.project import Project

FILENAME = "mmkit-baseline.json"
SCHEMA_VERSION = 1
GENERATED_BY = (
    f"mmkit {__version__} (`mmkit baseline`): recorded findings that do not fail "
    "`mmkit check`; do not add entries by hand, fix findings and run `mmkit baseline` again"
)

Key = tuple[str, tuple[tuple[str, str], ...]]
"""A rule id and the (field, value) pairs that identify what a finding is about."""

_FIELD_ORDER = ("importer", "imported", "model", "field", "target", "modules", "module", "path")
_IMPORT_RULES = frozenset({"mmkit.E003", "mmkit.E005"})
# Patterns, not compiled ones: re compiles (and caches) them on first use, so a check without
# a baseline file does not pay for them at start-up.
_IMPORT_MESSAGE = r"^(?P<importer>[\w.]+) imports (?P<imported>[\w.]+)"
_CYCLE_MESSAGE = r"cycle: (?P<path>[\w.]+(?: -> [\w.]+)+)"
_MODULE_MESSAGE = r"module '(?P<module>[^']+)'"
_VOLATILE = (
    (r"\b(line|col|column|offset) \d+", r"\1 N"),
    (r"(\.py):\d+(?::\d+)?", r"\1"),
)


class BaselineError(ConfigError):
    """An unreadable or invalid baseline file, with a one-line message for the user."""

    hint = (
        "Restore mmkit-baseline.json from version control, or delete it and run "
        "`mmkit baseline` to record today's findings again."
    )


@dataclass(frozen=True)
class Outcome:
    """Findings after the baseline: the open ones, how many it absorbed, and stale entries."""

    open: tuple[Finding, ...]
    baselined: int = 0
    stale: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.open or self.stale)


def path_for(project: Project) -> Path:
    """Where the baseline of a project lives: beside its pyproject.toml."""
    return project.base_dir / FILENAME


def key(finding: Finding) -> Key:
    """What a finding is about, independent of line numbers (and of paths where possible)."""
    return finding.rule, tuple(sorted((name, value) for name, value in _fields(finding) if value))


def _fields(finding: Finding) -> list[tuple[str, str]]:
    if finding.rule in _IMPORT_RULES:
        match = re.match(_IMPORT_MESSAGE, finding.message)
        if match is not None:
            return [
                ("importer", match["importer"]),
                ("imported", finding.imported or match["imported"]),
            ]
    elif finding.rule == "mmkit.E001" and finding.model and finding.field and finding.target:
        return [("model", finding.model), ("field", finding.field), ("target", finding.target)]
    elif finding.rule == "mmkit.E002" and finding.model and finding.target:
        return [("model", finding.model), ("target", finding.target)]
    elif finding.rule == "mmkit.E004":
        match = re.search(_CYCLE_MESSAGE, finding.message)
        cycle = dict(finding.extra).get("cycle") or (match["path"] if match else None)
        if cycle:
            modules = sorted({part.strip() for part in cycle.split("->")})
            return [("modules", ", ".join(modules))]
    elif finding.rule == "mmkit.W001":
        match = re.search(_MODULE_MESSAGE, finding.message)
        module = finding.module or (match["module"] if match else None)
        if module:
            return [("module", module)]
    return [("path", finding.path), ("message", _stable(finding.message))]


def _stable(message: str) -> str:
    """The message without the positions some messages quote (a syntax error's line)."""
    for pattern, replacement in _VOLATILE:
        message = re.sub(pattern, replacement, message)
    return message


def describe(entry: Key) -> str:
    """A short human description of an entry, for stale reports."""
    rule, fields = entry
    values = dict(fields)
    if "importer" in values:
        text = f"{values['importer']} imports {values.get('imported', '?')}"
    elif "field" in values:
        text = f"{values['model']}.{values['field']} -> {values.get('target', '?')}"
    elif "model" in values:
        text = f"{values['model']} -> {values.get('target', '?')}"
    elif "modules" in values:
        text = f"cycle between {values['modules']}"
    elif "module" in values:
        text = f"module '{values['module']}'"
    else:
        text = f"{values.get('path', '?')}: {values.get('message', '')}"
    return f"{rule} {text}"


def record(findings: Iterable[Finding]) -> Counter[Key]:
    """Count the findings per key: the content of a baseline."""
    return Counter(key(finding) for finding in findings)


def apply(
    baseline: Mapping[Key, int], findings: Iterable[Finding]
) -> tuple[list[Finding], int, list[str]]:
    """Split findings into open ones and baselined ones; report entries that no longer occur.

    A key recorded n times absorbs up to n findings (in path and line order); the rest are new.
    """
    remaining = dict(baseline)
    open_findings: list[Finding] = []
    baselined = 0
    for finding in sorted(findings, key=lambda f: f.sort_key):
        entry = key(finding)
        if remaining.get(entry, 0) > 0:
            remaining[entry] -= 1
            baselined += 1
        else:
            open_findings.append(finding)
    stale = [
        f"{describe(entry)}: {left} of {baseline[entry]} recorded no longer "
        f"{'occurs' if left == 1 else 'occur'}"
        for entry, left in sorted(remaining.items())
        if left > 0
    ]
    return open_findings, baselined, stale


def filter_for_project(
    project: Project, findings: Iterable[Finding], rules: Collection[str] | None = None
) -> Outcome:
    """Apply the project's baseline, if it has one: what both doors call after checks.run.

    When only some `rules` ran, entries of the other rules are neither used nor stale.
    Raises BaselineError when the file exists but is not a valid baseline.
    """
    findings = list(findings)
    baseline = load(path_for(project))
    if baseline is None:
        return Outcome(open=tuple(sorted(findings, key=lambda f: f.sort_key)))
    if rules is not None:
        baseline = Counter({entry: n for entry, n in baseline.items() if entry[0] in rules})
    open_findings, baselined, stale = apply(baseline, findings)
    return Outcome(open=tuple(open_findings), baselined=baselined, stale=tuple(stale))


def dumps(counts: Mapping[Key, int]) -> str:
    """The file's text: sorted, indented, one entry per key, so diffs read well in review."""
    displayed = sorted(
        (rule, tuple(sorted(fields, key=_display_order)), count)
        for (rule, fields), count in counts.items()
        if count > 0
    )
    entries = [{"rule": rule, **dict(fields), "count": count} for rule, fields, count in displayed]
    document = {"schema_version": SCHEMA_VERSION, "generated_by": GENERATED_BY, "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _display_order(pair: tuple[str, str]) -> tuple[int, str]:
    name = pair[0]
    return (_FIELD_ORDER.index(name) if name in _FIELD_ORDER else len(_FIELD_ORDER), name)


def loads(text: str, where: str = FILENAME) -> Counter[Key]:
    """Parse and validate a baseline file's text; BaselineError says what is wrong in one line."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(where, f"not valid JSON ({error})") from None
    except RecursionError:
        raise _invalid(where, "not valid JSON (nested too deeply)") from None
    if not isinstance(document, dict):
        raise _invalid(where, "the top level must be an object")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _invalid(where, f"unsupported schema_version {version!r} (expected 1)")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise _invalid(where, "'findings' must be a list")
    counts: Counter[Key] = Counter()
    for index, entry in enumerate(entries):
        rule, fields, count = _entry(entry, f"findings[{index}]", where)
        counts[(rule, fields)] += count
    return counts


def _entry(entry: Any, at: str, where: str) -> tuple[str, tuple[tuple[str, str], ...], int]:
    if not isinstance(entry, dict):
        raise _invalid(where, f"{at} must be an object")
    rule = entry.get("rule")
    if rule not in RULES:
        raise _invalid(where, f"{at} has an unknown rule {rule!r}")
    count = entry.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise _invalid(where, f"{at} needs a positive integer 'count'")
    fields = {name: value for name, value in entry.items() if name not in ("rule", "count")}
    if not fields or not all(isinstance(value, str) for value in fields.values()):
        raise _invalid(where, f"{at} needs string fields besides 'rule' and 'count'")
    return rule, tuple(sorted(fields.items())), count


def _invalid(where: str, problem: str) -> BaselineError:
    return BaselineError(
        f"{where} is not a valid mmkit baseline: {problem}; "
        "fix it or delete it and run `mmkit baseline`"
    )


def load(path: Path) -> Counter[Key] | None:
    """The baseline at `path`, or None when there is no file."""
    try:
        text = read_regular(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise BaselineError(f"cannot read {path}: {reason}") from None
    return loads(text, str(path))


@dataclass(frozen=True)
class Change:
    """What recording today's findings does to the baseline: occurrences added and dropped."""

    new: tuple[tuple[str, int], ...] = ()
    fixed: tuple[tuple[str, int], ...] = ()
    first: bool = False

    @property
    def added(self) -> int:
        return sum(count for _, count in self.new)

    @property
    def removed(self) -> int:
        return sum(count for _, count in self.fixed)

    @property
    def summary(self) -> str:
        """`+N new, -M fixed`, as `mmkit baseline` prints it."""
        return f"+{self.added} new, -{self.removed} fixed"


def change(project: Project, findings: Iterable[Finding], replacing: bool = False) -> Change:
    """Compare today's findings with the recorded baseline (none recorded: all are new).

    `replacing`: the caller rewrites the file, so one that cannot be read or is invalid counts
    as none (rewriting it is the fix its error message gives); otherwise BaselineError.
    """
    try:
        loaded = load(path_for(project))
    except BaselineError:
        if not replacing:
            raise
        loaded = None
    recorded = loaded if loaded is not None else Counter()
    today = record(findings)
    return Change(
        new=tuple((describe(entry), n) for entry, n in sorted((today - recorded).items())),
        fixed=tuple((describe(entry), n) for entry, n in sorted((recorded - today).items())),
        first=loaded is None,
    )


def write(project: Project, findings: Iterable[Finding]) -> tuple[Path, int]:
    """Record the findings beside pyproject.toml (atomically); returns the path and the count.

    A baseline that already says exactly this is left untouched, so a repeated run changes
    no file.
    """
    findings = list(findings)
    target = path_for(project)
    text = dumps(record(findings))
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            return target, len(findings)
    except (OSError, UnicodeDecodeError):
        pass
    try:
        write_atomically(target, text)
    except OSError as error:
        raise BaselineError(f"cannot write {target}: {error.strerror or error}") from None
    return target, len(findings)
