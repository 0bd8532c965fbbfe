"""W001 (no public interface) and W002 (a public interface hands out models)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmkit.checks import interfaces
from mmkit.findings import RULES, Finding
from mmkit.project import load_project

FIXTURES = Path(__file__).parent / "fixtures"


def interface_findings(name: str) -> list[Finding]:
    return interfaces.findings(load_project(FIXTURES / name))


def places(findings: list[Finding]) -> set[tuple[str, str, int]]:
    return {(f.rule, f.path, f.line) for f in findings}


def messages(findings: list[Finding]) -> set[str]:
    return {f.message for f in findings}


def w002(path: str, *lines: int) -> set[tuple[str, str, int]]:
    return {("mmkit.W002", path, line) for line in lines}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "iface_missing",
            {("mmkit.W001", "books/__init__.py", 1), ("mmkit.W001", "billing/__init__.py", 1)},
        ),
        ("iface_models", w002("authors/facade.py", 1, 6, 10, 14, 18, 22, 26, 30, 34, 38, 51)),
        ("iface_all", w002("authors/facade.py", 2, 3)),
        (
            "iface_package",
            w002("books/facade/queries.py", 1, 8),
        ),
        ("iface_clean", set()),
    ],
)
def test_interface_findings(fixture: str, expected: set[tuple[str, str, int]]) -> None:
    assert places(interface_findings(fixture)) == expected


def test_missing_interface_message_lists_what_was_looked_for() -> None:
    assert messages(interface_findings("iface_missing")) == {
        "module 'books' has no public interface (looked for: facade, events)",
        "module 'billing' has no public interface (looked for: api, events)",
    }
    assert {f.hint for f in interface_findings("iface_missing")} == {RULES["mmkit.W001"].fix}


def test_models_handed_out_by_a_facade() -> None:
    found = messages(interface_findings("iface_models"))
    assert found == {
        "authors.facade exports User, a model",
        "authors.facade exports Author, a model",
        "authors.facade.get_author returns Author, a model",
        "authors.facade.find_author returns Author | None, which names a model (Author)",
        "authors.facade.list_authors returns list[Author], which names a model (Author)",
        "authors.facade.all_authors returns QuerySet[Author], a QuerySet",
        "authors.facade.recent_authors returns models.QuerySet, a QuerySet",
        "authors.facade.custom_authors returns AuthorQuerySet, a QuerySet",
        "authors.facade.quoted_author returns Author, a model",
        "authors.facade.rename takes author: Author, a model",
        "authors.facade.owner returns User, a model",
    }


def test_exported_model_names_its_label() -> None:
    [finding, _] = sorted(interface_findings("iface_all"), key=lambda f: f.line)
    assert (finding.message, finding.model, finding.module, finding.column) == (
        "authors.facade exports Author, a model",
        "authors.Author",
        "authors",
        1,
    )


def test_a_re_exported_function_is_checked_where_the_facade_imports_it() -> None:
    assert messages(interface_findings("iface_all")) == {
        "authors.facade exports Author, a model",
        "authors.facade.find_author returns Author | None, which names a model (Author)",
    }


def test_a_facade_package_reports_each_name_in_the_file_that_binds_it() -> None:
    assert messages(interface_findings("iface_package")) == {
        "books.facade.queries exports Book, a model",
        "books.facade.queries.books returns list[Book], which names a model (Book)",
    }
