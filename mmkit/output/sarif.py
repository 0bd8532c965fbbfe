"""SARIF 2.1.0 output, as GitHub code scanning accepts it.

Rules carry the catalogue's documentation (the same text as `mmkit explain`). Each result
gets a partial fingerprint made of its baseline key, not its line, so GitHub keeps tracking
an alert when code moves. Paths are relative to the repository root (`%SRCROOT%`), which
GitHub resolves them against: the project's paths behind the report's path_prefix.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from mmkit import __version__, baseline, explain
from mmkit.findings import RULES, Finding, Rule, Severity
from mmkit.output import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/mmkit/mmkit"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "mmkitFindingKey/v1"
TAGS = ("architecture", "maintainability")
STALE_HINT = "run `mmkit baseline` to drop it from the baseline"


def render(report: Report) -> str:
    """One run of the `mmkit` driver with every catalogue rule and one result per finding."""
    rules = list(RULES.values())
    index = {r.id: position for position, r in enumerate(rules)}
    seen: Counter[str] = Counter()
    results = []
    for finding in report.findings:
        fingerprint = _fingerprint(finding)
        seen[fingerprint] += 1
        key = f"{fingerprint}:{seen[fingerprint]}"
        results.append(_result(finding, index[finding.rule], key, report.path_prefix))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mmkit",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(r) for r in rules],
            }
        },
        "results": results,
    }
    if report.stale:
        run["invocations"] = [_invocation(report.stale)]
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def _descriptor(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": " ".join(r.why.split())},
        "help": {"text": explain.text(r), "markdown": explain.markdown(r)},
        "defaultConfiguration": {"level": _level(r.severity)},
        "properties": {"tags": list(TAGS), "precision": "very-high"},
    }


def _result(finding: Finding, rule_index: int, fingerprint: str, prefix: str) -> dict[str, Any]:
    uri = prefix + finding.path
    location: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if finding.line > 0:
        location["region"] = {"startLine": finding.line, "startColumn": max(finding.column, 1)}
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _level(finding.severity),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {"hint": finding.hint},
    }


def _fingerprint(finding: Finding) -> str:
    """A hash of the baseline key: what the finding is about, independent of its line."""
    rule, fields = baseline.key(finding)
    text = json.dumps([rule, fields], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _invocation(stale: tuple[str, ...]) -> dict[str, Any]:
    """Stale baseline entries have no place in the code; they fail the run as notifications."""
    return {
        "executionSuccessful": True,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"stale baseline entry: {entry}; {STALE_HINT}"}}
            for entry in stale
        ],
    }
