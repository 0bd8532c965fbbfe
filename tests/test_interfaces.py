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
        ("iface_all", w002("authors/facade.py", 3, 5)),
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
    [finding] = [f for f in interface_findings("iface_all") if f.model is not None]
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


def test_unannotated_public_functions_that_visibly_return_models() -> None:
    found = interface_findings("iface_returns")
    assert places(found) == w002("authors/facade.py", 3, 6, 20) | w002(
        "books/facade.py", 3, 6, 10, 15, 19
    )
    assert messages(found) >= {
        "authors.facade exports Author, a model",
        "authors.facade.first_author returns Author.objects.order_by('name').first(), an "
        "instance of Author, a model (no return annotation)",
        "books.facade.book returns Book.objects.get(pk=book_id), an instance of Book, "
        "a model (no return annotation)",
        "books.facade.books_titled returns found, a QuerySet of Book (no return annotation)",
        "books.facade.new_book returns Book(title=title), an instance of Book, a "
        "model (no return annotation)",
        "books.facade.all_books returns list(Book.objects.all()), Book instances, models "
        "(no return annotation)",
    }


def test_a_model_listed_in_all_is_reported_at_its_listing() -> None:
    [exported] = [f for f in interface_findings("iface_returns") if "exports Author" in f.message]
    assert (exported.path, exported.line, exported.column) == ("authors/facade.py", 6, 1)


def test_w002_of_returned_models_in_both_doors() -> None:
    from doors import cli_door, django_door

    expected = w002("authors/facade.py", 3, 6, 20) | w002("books/facade.py", 3, 6, 10, 15, 19)
    assert cli_door(FIXTURES / "iface_returns") == expected
    assert django_door(FIXTURES / "iface_returns") == expected
