"""GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding.

Escaping follows the runner's rules: `%`, CR and LF in the message; also `:` and `,` in
the properties (file, line, col, title), where they would end a value.
"""

from __future__ import annotations

from mmkit.findings import Finding, Severity
from mmkit.output import Report

STALE_TITLE = "mmkit baseline"
STALE_HINT = "run `mmkit baseline` to drop it from the baseline"


def render(report: Report) -> str:
    """One workflow command per finding and per stale baseline entry."""
    lines = [_finding(finding, report.path_prefix) for finding in report.findings]
    lines.extend(
        _command("error", {"title": STALE_TITLE}, f"stale baseline entry: {entry}; {STALE_HINT}")
        for entry in report.stale
    )
    return "".join(line + "\n" for line in lines)


def _finding(finding: Finding, prefix: str) -> str:
    level = "error" if finding.severity is Severity.ERROR else "warning"
    properties: dict[str, str] = {"file": prefix + finding.path}
    if finding.line > 0:
        properties["line"] = str(finding.line)
        if finding.column > 0:
            properties["col"] = str(finding.column)
    properties["title"] = finding.rule
    return _command(level, properties, f"{finding.message}\nhint: {finding.hint}")


def _command(level: str, properties: dict[str, str], message: str) -> str:
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    return f"::{level} {rendered}::{escape_data(message)}"


def escape_data(value: str) -> str:
    """Escape a command's message: `%` first, so the escapes themselves survive."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value: like a message, plus `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
