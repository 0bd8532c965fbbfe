"""JSON output: the findings and the summary as data, with a schema version for consumers."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from mmkit.findings import Finding
from mmkit.output import Report

SCHEMA_VERSION = 1
OPTIONAL_FIELDS = ("imported", "model", "field", "target")


def render(report: Report) -> str:
    """`{"schema_version": 1, "findings": [...], "summary": {...}}`, indented, newline-ended."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "findings": [finding_data(finding) for finding in report.findings],
        "summary": summary(report),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def finding_data(finding: Finding) -> dict[str, Any]:
    """One finding as a JSON object; the fields that do not apply to its rule are left out."""
    data: dict[str, Any] = {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "hint": finding.hint,
        "module": finding.module,
    }
    for name in OPTIONAL_FIELDS:
        value = getattr(finding, name)
        if value is not None:
            data[name] = value
    if finding.extra:
        data["details"] = dict(finding.extra)
    return data


def summary(report: Report) -> dict[str, Any]:
    """Counts per rule and of the project, time taken, what the baseline absorbed, and notes
    on how the modules were found (only when there are any)."""
    data: dict[str, Any] = {
        "findings": len(report.findings),
        "rules": dict(sorted(Counter(f.rule for f in report.findings).items())),
        "modules": report.modules,
        "files": report.files,
        "seconds": round(report.seconds, 3),
        "baselined": report.baselined,
        "stale": list(report.stale),
    }
    if report.notes:
        data["notes"] = list(report.notes)
    return data
