"""Text output for terminals and CI logs: one clickable `path:line:col:` line per finding."""

from __future__ import annotations

import re

from mmkit.findings import Finding
from mmkit.output import Report

STALE_HINT = "the finding no longer occurs; run `mmkit baseline` to drop it from the baseline"


def render(report: Report) -> str:
    """Each finding with its hint line, stale baseline entries, then one summary line."""
    lines: list[str] = []
    for finding in report.findings:
        lines.append(finding_line(finding))
        if finding.hint:
            lines.append(f"    hint: {finding.hint}")
    for entry in report.stale:
        lines.append(f"stale baseline entry: {escaped(entry)}")
        lines.append(f"    hint: {STALE_HINT}")
    lines.append(summary(report))
    return "".join(line + "\n" for line in lines)


def finding_line(finding: Finding) -> str:
    """`books/views.py:3:1: mmkit.E003 <message>`, the form editors and CI logs link.

    A path that is not plain (a space, a colon, a newline in a file name) is quoted, and
    characters that do not print are escaped, so one finding is always one line.
    """
    path = shown_path(finding.path)
    return f"{path}:{finding.line}:{finding.column}: {finding.rule} {escaped(finding.message)}"


PLAIN_PATH = re.compile(r"[\w./@+-]+\Z")


def shown_path(path: str) -> str:
    """The path as it is when plain, else quoted Python-style (`'web/my file.py'`)."""
    if PLAIN_PATH.match(path):
        return path
    return "'" + escaped(path).replace("'", "\\'") + "'"


def escaped(text: str) -> str:
    """Text with each character that does not print written as its escape (`\\n`, `\\x1b`)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def summary(report: Report) -> str:
    """`3 findings in 2 modules (14 modules, 212 files, 0.31 s)` or `no findings (...)`."""
    if report.findings:
        count = _plural(len(report.findings), "finding")
        modules = {f.module for f in report.findings if f.module is not None}
        head = f"{count} in {_plural(len(modules), 'module')}" if modules else count
    else:
        head = "no findings"
    if report.stale:
        head += f", {_plural(len(report.stale), 'stale baseline entry', 'stale baseline entries')}"
    counts = [_plural(report.modules, "module"), _plural(report.files, "file")]
    if report.baselined:
        counts.append(f"{report.baselined} baselined")
    counts.append(f"{report.seconds:.2f} s")
    return f"{head} ({', '.join(counts)})"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
