"""`mmkit check --format sarif`: exact on out_small, and valid against the SARIF 2.1.0 schema.

The schema is not part of the project: it is read from ../shared/data beside the checkout,
and the validation is skipped, saying so, when it is not there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from mmkit import __version__, explain
from mmkit.findings import RULES

Cli = Callable[..., Result]
FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = Path(__file__).parents[2] / "shared/data/sarif-schema-2.1.0.json"
E003_HINT = (
    "Import the public interface of module 'authors' (authors.facade, authors.events) "
    "instead, and add the "
    "function you need there if it is missing."
)


def sarif_of(cli: Cli, project: Path) -> tuple[int, dict[str, Any]]:
    result = cli("check", str(project), "--format", "sarif", "--path-prefix", "")
    return result.exit_code, json.loads(result.stdout)


def validate(document: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SCHEMA}; cannot validate")
    import jsonschema

    jsonschema.validate(document, json.loads(SCHEMA.read_text()))


def location(path: str, line: int) -> list[dict[str, Any]]:
    return [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": line, "startColumn": 1},
            }
        }
    ]


def test_sarif_is_exact(mmkit_cli: Cli) -> None:
    code, document = sarif_of(mmkit_cli, FIXTURES / "out_small")
    run = document["runs"][0]
    results = run["results"]
    fingerprints = [r.pop("partialFingerprints")["mmkitFindingKey/v1"] for r in results]

    assert code == 1
    assert document["version"] == "2.1.0"
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert list(run) == ["tool", "results"]
    assert {k: v for k, v in run["tool"]["driver"].items() if k != "rules"} == {
        "name": "mmkit",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": "https://github.com/mmkit/mmkit",
    }
    assert results == [
        {
            "ruleId": "mmkit.W001",
            "ruleIndex": 6,
            "level": "warning",
            "message": {
                "text": "module 'web' has no public interface (looked for: facade, events)"
            },
            "locations": location("web/__init__.py", 1),
            "properties": {"hint": RULES["mmkit.W001"].fix},
        },
        {
            "ruleId": "mmkit.E003",
            "ruleIndex": 2,
            "level": "error",
            "message": {"text": "web.views imports authors.models, private to module 'authors'"},
            "locations": location("web/views.py", 3),
            "properties": {"hint": E003_HINT},
        },
    ]
    assert [len(f) for f in fingerprints] == [34, 34]
    assert [f.endswith(":1") for f in fingerprints] == [True, True]


def test_sarif_rules_come_from_the_catalogue_with_the_explain_text(mmkit_cli: Cli) -> None:
    _, document = sarif_of(mmkit_cli, FIXTURES / "out_small")
    rules = document["runs"][0]["tool"]["driver"]["rules"]

    assert [r["id"] for r in rules] == list(RULES)
    for descriptor, rule in zip(rules, RULES.values(), strict=True):
        assert descriptor == {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": " ".join(rule.why.split())},
            "help": {"text": explain.text(rule), "markdown": explain.markdown(rule)},
            "defaultConfiguration": {"level": rule.severity.value},
            "properties": {"tags": ["architecture", "maintainability"], "precision": "very-high"},
        }
        assert rule.bad in descriptor["help"]["markdown"]


def test_sarif_validates_against_the_schema(mmkit_cli: Cli) -> None:
    _, document = sarif_of(mmkit_cli, FIXTURES / "out_small")

    validate(document)


def test_fingerprints_follow_content_not_lines(
    copy_fixture: Callable[[str], Path], mmkit_cli: Cli
) -> None:
    project = copy_fixture("out_small")
    _, before = sarif_of(mmkit_cli, project)
    views = project / "web" / "views.py"
    views.write_text("import os\nimport sys\n\n" + views.read_text())

    _, after = sarif_of(mmkit_cli, project)

    def fingerprints(document: dict[str, Any]) -> list[tuple[int, str]]:
        return [
            (
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["partialFingerprints"]["mmkitFindingKey/v1"],
            )
            for r in document["runs"][0]["results"]
        ]

    (_, w001), (line_before, e003) = fingerprints(before)
    assert fingerprints(after) == [(1, w001), (line_before + 3, e003)]


def test_stale_entries_are_error_notifications_and_still_valid(
    copy_fixture: Callable[[str], Path], mmkit_cli: Cli
) -> None:
    project = copy_fixture("out_small")
    assert mmkit_cli("baseline", str(project)).exit_code == 0
    views = project / "web" / "views.py"
    views.write_text(views.read_text().replace("from authors.models import Author", "Author = 1"))

    code, document = sarif_of(mmkit_cli, project)

    assert code == 1
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {
                        "text": "stale baseline entry: mmkit.E003 web.views imports "
                        "authors.models: 1 of 1 recorded no longer occurs; run `mmkit baseline` "
                        "to drop it from the baseline"
                    },
                }
            ],
        }
    ]
    validate(document)
