"""Inline suppressions: each form of `# mmkit: ignore[...]`, and mmkit.W003 where one is unused.

The fixture legacy_suppressions holds every form: used ones, an unused rule in a used comment,
an unknown rule, W003 itself, a comment without ids, and the marker inside a string and a
docstring (which must not count).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mmkit import suppressions
from mmkit.findings import RULES, Finding
from mmkit.project import load_project

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "legacy_suppressions"
W003_HINT = RULES["mmkit.W003"].fix


def test_suppressed_findings_are_dropped_and_unused_suppressions_reported(
    check_project: Callable[[Path], list[Finding]], locations: Callable[..., set]
) -> None:
    findings = check_project(PROJECT)

    assert locations(findings) == {
        ("mmkit.E001", "books/models.py", 9),
        ("mmkit.W003", "books/views.py", 1),
        ("mmkit.E003", "books/views.py", 2),
        ("mmkit.W003", "books/views.py", 2),
        ("mmkit.E003", "books/views.py", 3),
        ("mmkit.W003", "books/views.py", 3),
        ("mmkit.W003", "books/views.py", 4),
        ("mmkit.W003", "books/views.py", 15),
    }


def test_each_unused_suppression_says_why_at_the_comment(
    check_project: Callable[[Path], list[Finding]],
) -> None:
    warnings = [f for f in check_project(PROJECT) if f.rule == "mmkit.W003"]

    assert [(f.path, f.line, f.column, f.message) for f in warnings] == [
        ("books/views.py", 1, 29, "unused suppression: no mmkit.E003 finding on this line"),
        (
            "books/views.py",
            2,
            36,
            "unknown rule 'E03' in suppression (did you mean 'E003'?); it suppresses nothing",
        ),
        (
            "books/views.py",
            3,
            46,
            "mmkit.W003 cannot be suppressed; remove the unused suppression it warns about",
        ),
        ("books/views.py", 4, 76, "unused suppression: no mmkit.E005 finding on this line"),
        (
            "books/views.py",
            15,
            5,
            "suppression without rule ids suppresses nothing; "
            "write # mmkit: ignore[E003], naming the rule",
        ),
    ]
    assert {(f.hint, f.module, f.severity.value) for f in warnings} == {
        (W003_HINT, "books", "warning")
    }


@pytest.mark.parametrize(
    ("comment", "rule_ids", "reason", "column"),
    [
        ("# mmkit: ignore[E003]", ("E003",), None, 1),
        ("# mmkit: ignore[mmkit.E003]", ("mmkit.E003",), None, 1),
        ("# mmkit: ignore[E003, mmkit.E005] -- reason", ("E003", "mmkit.E005"), "reason", 1),
        ("#mmkit:ignore[e003,E005]--moved in #12, soon", ("e003", "E005"), "moved in #12, soon", 1),
        ("# noqa: F401  # mmkit: ignore[E003]", ("E003",), None, 15),
        ("# mmkit: ignore[E003, E003]", ("E003",), None, 1),
    ],
)
def test_the_forms_of_a_suppression_comment(
    comment: str, rule_ids: tuple[str, ...], reason: str | None, column: int
) -> None:
    suppression = suppressions.parse(comment, "a.py", 3, 1)

    assert suppression == suppressions.Suppression(
        path="a.py", line=3, column=column, rule_ids=rule_ids, reason=reason
    )


@pytest.mark.parametrize(
    "comment", ["# a comment", "# see the mmkit docs", "# mmkit is great", "#: mmkit"]
)
def test_comments_without_the_marker_are_no_suppressions(comment: str) -> None:
    assert suppressions.parse(comment, "a.py", 1, 1) is None


def test_a_misspelt_directive_is_reported() -> None:
    suppression = suppressions.parse("# mmkit: ignroe[E003]", "a.py", 1, 1)

    assert suppression is not None
    assert suppression.problem == (
        "unknown mmkit comment '# mmkit: ignroe[E003]' (did you mean 'ignore'?); it suppresses "
        "nothing, write # mmkit: ignore[E003]"
    )


def finding(rule: str, path: str, line: int) -> Finding:
    return Finding(rule, path, line, 1, "a message", RULES[rule].fix, module="books")


def test_one_comment_suppresses_every_finding_of_its_rules_on_its_line() -> None:
    project = load_project(PROJECT)
    given = [
        finding("mmkit.E003", "books/views.py", 4),
        finding("mmkit.E003", "books/views.py", 4),
        finding("mmkit.E005", "books/views.py", 4),
        finding("mmkit.E001", "books/views.py", 4),
        finding("mmkit.E003", "books/models.py", 3),
        finding("mmkit.E001", "books/models.py", 8),
        finding("mmkit.E002", "books/models.py", 12),
    ]

    kept = suppressions.apply(project, given)

    assert [(f.rule, f.path, f.line) for f in kept] == [
        ("mmkit.W003", "books/views.py", 1),
        ("mmkit.W003", "books/views.py", 2),
        ("mmkit.W003", "books/views.py", 3),
        ("mmkit.E001", "books/views.py", 4),
        ("mmkit.W003", "books/views.py", 15),
    ]


def test_a_file_that_does_not_tokenize_keeps_its_earlier_suppressions(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mmkit]\nmodules = ["m"]\n')
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "__init__.py").write_text("x = (\n")
    (tmp_path / "m" / "broken.py").write_text("y = 1  # mmkit: ignore[E003]\nz = (\n")

    found = list(suppressions.scan(load_project(tmp_path).files))

    assert [(s.path, s.line, s.rule_ids) for s in found] == [("m/broken.py", 1, ("E003",))]


def test_a_run_of_some_rules_leaves_the_other_rules_suppressions_alone(
    copy_fixture: Callable[[str], Path],
) -> None:
    from mmkit.checks import RELATION_RULES, run

    project = load_project(copy_fixture("legacy_suppressions"))
    rules = RELATION_RULES | {"mmkit.W003"}
    found = {(f.rule, f.path, f.line) for f in run(project, rules=rules)}
    assert ("mmkit.W003", "books/views.py", 1) not in found  # an E003 id: not checked this run
    assert ("mmkit.W003", "books/views.py", 2) in found  # an unknown rule id is still wrong
    assert {rule for rule, _, _ in found} <= rules
