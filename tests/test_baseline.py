"""The baseline, through the CLI on a legacy code base: switch mmkit on, block new violations.

`mmkit baseline` records today's findings keyed by content; `mmkit check` then fails only on
new ones, survives code moving inside a file, and reports recorded findings that are gone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mmkit import baseline
from mmkit.findings import RULES, Finding

Cli = Callable[..., Result]
FIXTURES = Path(__file__).parent / "fixtures"

LEGACY = {
    ("mmkit.E004", "authors/facade.py", 1),
    ("mmkit.E003", "books/models.py", 3),
    ("mmkit.E001", "books/models.py", 9),
    ("mmkit.E001", "books/models.py", 10),
    ("mmkit.E002", "books/models.py", 13),
    ("mmkit.E003", "books/views.py", 1),
    ("mmkit.E003", "books/views.py", 2),
    ("mmkit.E003", "books/views.py", 10),
    ("mmkit.W001", "reviews/__init__.py", 1),
    ("mmkit.E001", "reviews/models.py", 5),
    ("mmkit.E001", "shop/models.py", 5),
    ("mmkit.E005", "shop/services.py", 1),
    ("mmkit.E003", "shop/services.py", 2),
    ("mmkit.E003", "shop/services.py", 3),
    ("mmkit.E005", "shop/services.py", 3),
}

LEGACY_BASELINE = [
    {"rule": "mmkit.E001", "model": "books.Book", "field": "author", "target": "authors.Author"},
    {"rule": "mmkit.E001", "model": "books.Book", "field": "editor", "target": "authors.Author"},
    {"rule": "mmkit.E001", "model": "reviews.Review", "field": "book", "target": "books.Book"},
    {"rule": "mmkit.E001", "model": "shop.Order", "field": "book", "target": "books.Book"},
    {"rule": "mmkit.E002", "model": "books.Biographer", "target": "authors.Author"},
    {"rule": "mmkit.E003", "importer": "books.models", "imported": "authors.models"},
    {"rule": "mmkit.E003", "importer": "books.views", "imported": "authors.models", "count": 2},
    {"rule": "mmkit.E003", "importer": "books.views", "imported": "authors.use_cases"},
    {"rule": "mmkit.E003", "importer": "shop.services", "imported": "books.models"},
    {"rule": "mmkit.E003", "importer": "shop.services", "imported": "reviews.models"},
    {"rule": "mmkit.E004", "modules": "authors, books"},
    {"rule": "mmkit.E005", "importer": "shop.services", "imported": "authors.facade"},
    {"rule": "mmkit.E005", "importer": "shop.services", "imported": "reviews.models"},
    {"rule": "mmkit.W001", "module": "reviews"},
]


def check_json(cli: Cli, project: Path, *options: str) -> tuple[int, dict]:
    result = cli("check", str(project), "--format", "json", *options)
    return result.exit_code, json.loads(result.stdout)


def found(document: dict) -> set[tuple[str, str, int]]:
    return {(f["rule"], f["path"], f["line"]) for f in document["findings"]}


@pytest.fixture
def legacy(copy_fixture: Callable[[str], Path], mmkit_cli: Cli) -> Path:
    """A copy of the legacy fixture with today's findings recorded in its baseline."""
    project = copy_fixture("legacy")
    result = mmkit_cli("baseline", str(project))
    assert (result.exit_code, result.stdout) == (
        0,
        "mmkit-baseline.json: recorded 15 findings (+15 new, -0 fixed)\n",
    )
    return project


def append(path: Path, text: str) -> int:
    """Append a line; returns its line number."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, text]) + "\n")
    return len(lines) + 1


def test_the_legacy_fixture_has_many_findings_of_several_rules(
    check_project: Callable[[Path], list[Finding]], locations: Callable[..., set]
) -> None:
    assert locations(check_project(FIXTURES / "legacy")) == LEGACY


def test_the_baseline_file_is_keyed_by_content_counted_and_sorted(legacy: Path) -> None:
    document = json.loads((legacy / "mmkit-baseline.json").read_text())

    assert document["schema_version"] == 1
    assert document["generated_by"].startswith("mmkit ")
    assert document["findings"] == [{"count": 1} | entry for entry in LEGACY_BASELINE]
    assert list(document["findings"][0]) == ["rule", "model", "field", "target", "count"]


def test_check_with_the_baseline_passes(legacy: Path, mmkit_cli: Cli) -> None:
    code, document = check_json(mmkit_cli, legacy)

    assert code == 0
    assert document["findings"] == []
    assert (document["summary"]["baselined"], document["summary"]["stale"]) == (15, [])


def test_a_new_violation_fails_the_check_and_is_the_only_one_reported(
    legacy: Path, mmkit_cli: Cli
) -> None:
    line = append(legacy / "books" / "views.py", "from authors.dto import AuthorDTO")

    code, document = check_json(mmkit_cli, legacy)

    assert code == 1
    assert found(document) == {("mmkit.E003", "books/views.py", line)}
    assert document["summary"]["baselined"] == 15


def test_one_more_occurrence_of_a_recorded_import_is_new(legacy: Path, mmkit_cli: Cli) -> None:
    line = append(legacy / "books" / "views.py", "from authors.models import Author as Again")

    code, document = check_json(mmkit_cli, legacy)

    assert code == 1
    assert found(document) == {("mmkit.E003", "books/views.py", line)}


def test_inserting_lines_at_the_top_of_files_changes_nothing(legacy: Path, mmkit_cli: Cli) -> None:
    for name in ("books/models.py", "books/views.py", "shop/services.py", "authors/facade.py"):
        path = legacy / name
        path.write_text('"""Moved down."""\n\nimport os\nimport sys\n\n' + path.read_text())

    code, document = check_json(mmkit_cli, legacy)

    assert code == 0
    assert document["summary"]["baselined"] == 15


def test_a_fixed_violation_is_stale_until_the_baseline_is_rewritten(
    legacy: Path, mmkit_cli: Cli
) -> None:
    models = legacy / "books" / "models.py"
    models.write_text(models.read_text().replace("    editor = models.ForeignKey(", "    # ("))
    views = legacy / "books" / "views.py"
    views.write_text(views.read_text().replace("from authors.models import Author as Legacy", "#"))

    code, document = check_json(mmkit_cli, legacy)

    assert code == 1
    assert document["findings"] == []
    assert document["summary"]["stale"] == [
        "mmkit.E001 books.Book.editor -> authors.Author: 1 of 1 recorded no longer occurs",
        "mmkit.E003 books.views imports authors.models: 1 of 2 recorded no longer occurs",
    ]
    text = mmkit_cli("check", str(legacy))
    assert text.exit_code == 1
    assert "stale baseline entry: mmkit.E001 books.Book.editor -> authors.Author" in text.stdout

    rewritten = mmkit_cli("baseline", str(legacy))
    code, document = check_json(mmkit_cli, legacy)

    assert rewritten.stdout == (
        "fixed: mmkit.E001 books.Book.editor -> authors.Author\n"
        "fixed: mmkit.E003 books.views imports authors.models\n"
        "mmkit-baseline.json: recorded 13 findings (+0 new, -2 fixed)\n"
    )
    assert (code, document["findings"], document["summary"]["stale"]) == (0, [], [])
    entries = json.loads((legacy / "mmkit-baseline.json").read_text())["findings"]
    assert {"rule": "mmkit.E003", "importer": "books.views", "imported": "authors.models"} | {
        "count": 1
    } in entries


def test_baseline_says_what_it_adds_and_check_fails_when_it_would_grow(
    legacy: Path, mmkit_cli: Cli
) -> None:
    """The baseline records today's findings, new ones included, and says so: `+N new`."""
    recorded = (legacy / "mmkit-baseline.json").read_bytes()
    append(legacy / "books" / "views.py", "from authors.models import Author as Again")
    append(legacy / "shop" / "services.py", "from authors.use_cases import create_author")

    check = mmkit_cli("baseline", str(legacy), "--check")

    assert (check.exit_code, check.stdout) == (
        1,
        "new: mmkit.E003 books.views imports authors.models\n"
        "new: mmkit.E003 shop.services imports authors.use_cases\n"
        "new: mmkit.E005 shop.services imports authors.use_cases\n"
        "mmkit-baseline.json: would grow (+3 new, -0 fixed)\n",
    )
    assert (legacy / "mmkit-baseline.json").read_bytes() == recorded

    grown = mmkit_cli("baseline", str(legacy))

    assert (grown.exit_code, grown.stdout) == (
        0,
        "new: mmkit.E003 books.views imports authors.models\n"
        "new: mmkit.E003 shop.services imports authors.use_cases\n"
        "new: mmkit.E005 shop.services imports authors.use_cases\n"
        "mmkit-baseline.json: recorded 18 findings (+3 new, -0 fixed)\n",
    )
    again = mmkit_cli("baseline", str(legacy), "--check")
    assert (again.exit_code, again.stdout) == (
        0,
        "mmkit-baseline.json: would not grow (+0 new, -0 fixed)\n",
    )


def test_baseline_check_without_a_baseline_fails_on_any_finding(
    copy_fixture: Callable[[str], Path], mmkit_cli: Cli
) -> None:
    project = copy_fixture("legacy")

    result = mmkit_cli("baseline", str(project), "--check")

    assert result.exit_code == 1
    assert result.stdout.endswith("mmkit-baseline.json: would grow (+15 new, -0 fixed)\n")
    assert not (project / "mmkit-baseline.json").exists()


def test_no_baseline_reports_every_finding(legacy: Path, mmkit_cli: Cli) -> None:
    code, document = check_json(mmkit_cli, legacy, "--no-baseline")

    assert code == 1
    assert found(document) == LEGACY
    assert document["summary"]["baselined"] == 0


def test_an_invalid_baseline_is_a_one_line_error_with_exit_2(legacy: Path, mmkit_cli: Cli) -> None:
    (legacy / "mmkit-baseline.json").write_text('{"schema_version": 1, "findings": [')

    result = mmkit_cli("check", str(legacy))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {legacy / 'mmkit-baseline.json'} is not a valid")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[]", "the top level must be an object"),
        ('{"schema_version": 2, "findings": []}', "unsupported schema_version 2 (expected 1)"),
        ('{"schema_version": 1, "findings": {}}', "'findings' must be a list"),
        (
            '{"schema_version": 1, "findings": [{"rule": "mmkit.E999", "count": 1}]}',
            "findings[0] has an unknown rule 'mmkit.E999'",
        ),
        (
            '{"schema_version": 1, "findings": [{"rule": "mmkit.W001", "module": "a"}]}',
            "findings[0] needs a positive integer 'count'",
        ),
    ],
)
def test_invalid_baselines_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(baseline.BaselineError) as error:
        baseline.loads(text, "mmkit-baseline.json")

    assert str(error.value) == (
        f"mmkit-baseline.json is not a valid mmkit baseline: {problem}; "
        "fix it or delete it and run `mmkit baseline`"
    )


def import_finding(line: int, importer: str = "books.views") -> Finding:
    return Finding(
        rule="mmkit.E003",
        path=importer.replace(".", "/") + ".py",
        line=line,
        column=1,
        message=f"{importer} imports authors.models, private to module 'authors'",
        hint=RULES["mmkit.E003"].fix,
        module=importer.split(".")[0],
        imported="authors.models",
    )


def test_a_count_absorbs_that_many_findings_in_file_order() -> None:
    recorded = baseline.record([import_finding(3), import_finding(9)])

    open_findings, baselined, stale = baseline.apply(
        recorded, [import_finding(20), import_finding(4), import_finding(7)]
    )

    assert recorded == Counter(
        {("mmkit.E003", (("imported", "authors.models"), ("importer", "books.views"))): 2}
    )
    assert (open_findings, baselined, stale) == ([import_finding(20)], 2, [])


def test_fewer_findings_than_recorded_leave_a_stale_entry() -> None:
    recorded = baseline.record([import_finding(3), import_finding(9), import_finding(2, "a.b")])

    open_findings, baselined, stale = baseline.apply(recorded, [import_finding(30)])

    assert (open_findings, baselined) == ([], 1)
    assert stale == [
        "mmkit.E003 a.b imports authors.models: 1 of 1 recorded no longer occurs",
        "mmkit.E003 books.views imports authors.models: 1 of 2 recorded no longer occurs",
    ]


def test_the_file_round_trips() -> None:
    recorded = baseline.record([import_finding(3), import_finding(9), import_finding(2, "a.b")])

    assert baseline.loads(baseline.dumps(recorded)) == recorded


def test_without_a_baseline_file_every_finding_is_open() -> None:
    from mmkit.project import load_project

    project = load_project(FIXTURES / "legacy")
    outcome = baseline.filter_for_project(project, [import_finding(3)])

    assert not (FIXTURES / "legacy" / "mmkit-baseline.json").exists()
    assert outcome == baseline.Outcome(open=(import_finding(3),))


def test_a_baseline_path_that_cannot_be_written_is_named_in_one_line(
    copy_fixture: Callable[[str], Path], mmkit_cli: Callable[..., Result]
) -> None:
    project = copy_fixture("legacy")
    (project / "mmkit-baseline.json").mkdir()
    before = sorted(p.name for p in project.iterdir())

    result = mmkit_cli("baseline", str(project))

    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: cannot write {project / 'mmkit-baseline.json'}: Is a directory"
    ]
    assert sorted(p.name for p in project.iterdir()) == before


def test_an_invalid_baseline_is_rewritten_by_baseline_and_refused_by_check(
    copy_fixture: Callable[[str], Path], mmkit_cli: Callable[..., Result]
) -> None:
    project = copy_fixture("legacy")
    (project / "mmkit-baseline.json").write_text("{not json")

    checked = mmkit_cli("baseline", str(project), "--check")
    written = mmkit_cli("baseline", str(project))

    assert checked.exit_code == 2
    assert "is not a valid mmkit baseline" in checked.stderr
    assert (written.exit_code, written.stdout) == (
        0,
        "mmkit-baseline.json: recorded 15 findings (+15 new, -0 fixed)\n",
    )
