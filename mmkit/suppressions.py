"""Inline suppressions: `# mmkit: ignore[E003, E005] -- reason` on the line a finding points at.

A suppression that suppresses nothing is itself a finding (mmkit.W003), so exceptions to the
rules cannot outlive the code they excused. Comments are read with `tokenize`, so text inside
strings never counts, and only in files that mention the marker at all, so the check stays
cheap on large code bases. mmkit.W003 cannot be suppressed by a comment: a comment that would
silence it is the very comment that should be deleted (a baseline can still record it).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from mmkit.config import did_you_mean
from mmkit.findings import RULES, Finding, rule
from mmkit.project import Project, SourceFile

MARKER = b"mmkit:"
UNUSED_RULE = "mmkit.W003"
DIRECTIVE = "ignore"
_COMMENT = re.compile(r"#\s*mmkit:\s*(?P<directive>[A-Za-z_-]*)(?P<rest>.*)")
_IDS = re.compile(r"\s*\[(?P<ids>[^\]]*)\](?:\s*--\s*(?P<reason>.*))?")

Comment = tuple[int, int, str]
"""(line, 1-based column, text) of a comment token that mentions `mmkit:`."""
CommentReader = Callable[[SourceFile], Iterable[Comment]]
"""Gives a file's `mmkit:` comments; a cache passes its own to skip unchanged files."""


@dataclass(frozen=True)
class Suppression:
    """One `# mmkit: ignore[...]` comment; `problem` is set when the comment is malformed."""

    path: str
    line: int
    column: int
    rule_ids: tuple[str, ...]
    reason: str | None
    module: str | None = None
    problem: str | None = None


def apply(
    project: Project,
    findings: Iterable[Finding],
    comments: CommentReader | None = None,
    rules: Collection[str] | None = None,
) -> list[Finding]:
    """Drop the findings a suppression covers, and add mmkit.W003 for each unused rule id.

    When only some `rules` ran, a suppression of another rule may well be in use: it is not
    reported, and W003 only when it is among the rules.
    """
    suppressions = list(scan(project.files, comments))
    by_place: dict[tuple[str, int], list[Suppression]] = {}
    for suppression in suppressions:
        by_place.setdefault((suppression.path, suppression.line), []).append(suppression)

    used: set[tuple[Suppression, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        covering = [
            s
            for s in by_place.get((finding.path, finding.line), ())
            if finding.rule != UNUSED_RULE and finding.rule in _known_ids(s)
        ]
        if covering:
            used.update((s, finding.rule) for s in covering)
        else:
            kept.append(finding)

    if rules is None or UNUSED_RULE in rules:
        for suppression in suppressions:
            kept.extend(_unused(suppression, used, rules))
    return sorted(kept, key=lambda f: f.sort_key)


def scan(
    files: Iterable[SourceFile], comments: CommentReader | None = None
) -> Iterator[Suppression]:
    """Every suppression comment in the files, in file and line order."""
    read = comments if comments is not None else read_comments
    for source in files:
        module = source.module.name if source.module is not None else None
        for line, column, comment in read(source):
            suppression = parse(comment, source.relpath, line, column, module)
            if suppression is not None:
                yield suppression


def read_comments(source: SourceFile) -> tuple[Comment, ...]:
    """The `mmkit:` comments of one file; an unreadable file has none."""
    try:
        data = source.path.read_bytes()
    except OSError:
        return ()
    return comments_in(data)


def comments_in(data: bytes) -> tuple[Comment, ...]:
    """The `mmkit:` comments of a file's bytes; tokenized only when the marker occurs at all."""
    return tuple(_comments(data)) if MARKER in data else ()


def parse(
    comment: str, path: str, line: int, column: int, module: str | None = None
) -> Suppression | None:
    """The suppression in one comment token (column 1-based, of the `#`), or None if there is none.

    Other tools' directives may share the comment (`# noqa: F401  # mmkit: ignore[E003]`).
    """
    match = _COMMENT.search(comment)
    if match is None:
        return None
    where = {"path": path, "line": line, "column": column + match.start(), "module": module}
    directive = match["directive"]
    if directive != DIRECTIVE:
        hint = did_you_mean(directive, [DIRECTIVE]) if directive else ""
        return Suppression(
            **where,
            rule_ids=(),
            reason=None,
            problem=f"unknown mmkit comment '{match[0].strip()}'{hint}; it suppresses nothing, "
            "write # mmkit: ignore[E003]",
        )
    ids = _IDS.match(match["rest"])
    names = [n.strip() for n in ids["ids"].split(",") if n.strip()] if ids else []
    if not names:
        return Suppression(
            **where,
            rule_ids=(),
            reason=None,
            problem="suppression without rule ids suppresses nothing; "
            "write # mmkit: ignore[E003], naming the rule",
        )
    reason = ids["reason"].strip() if ids and ids["reason"] else None
    return Suppression(**where, rule_ids=tuple(dict.fromkeys(names)), reason=reason)


def _comments(data: bytes) -> Iterator[tuple[int, int, str]]:
    """(line, 1-based column, text) of each comment token; stops quietly where tokenizing fails.

    A file that does not tokenize is reported by the checks (W004); its earlier comments count.
    """
    tokens = tokenize.tokenize(io.BytesIO(data).readline)
    try:
        for token in tokens:
            if token.type == tokenize.COMMENT and "mmkit:" in token.string:
                yield token.start[0], token.start[1] + 1, token.string
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return


def _canonical(rule_id: str) -> str | None:
    try:
        return rule(rule_id).id
    except KeyError:
        return None


def _known_ids(suppression: Suppression) -> set[str]:
    return {c for c in map(_canonical, suppression.rule_ids) if c and c != UNUSED_RULE}


def _unused(
    suppression: Suppression,
    used: set[tuple[Suppression, str]],
    rules: Collection[str] | None = None,
) -> Iterator[Finding]:
    if suppression.problem is not None:
        yield _w003(suppression, suppression.problem)
        return
    for written in suppression.rule_ids:
        canonical = _canonical(written)
        if canonical is None:
            choices = [r.short_id for r in RULES.values()]
            suggestion = did_you_mean(written.upper().removeprefix("MMKIT."), choices)
            yield _w003(
                suppression,
                f"unknown rule '{written}' in suppression{suggestion}; it suppresses nothing",
            )
        elif canonical == UNUSED_RULE:
            yield _w003(
                suppression,
                f"{UNUSED_RULE} cannot be suppressed; remove the unused suppression it warns about",
            )
        elif (suppression, canonical) not in used and (rules is None or canonical in rules):
            yield _w003(suppression, f"unused suppression: no {canonical} finding on this line")


def _w003(suppression: Suppression, message: str) -> Finding:
    return Finding(
        rule=UNUSED_RULE,
        path=suppression.path,
        line=suppression.line,
        column=suppression.column,
        message=message,
        hint=RULES[UNUSED_RULE].fix,
        module=suppression.module,
    )
