"""The code that used a decoupled relation: every site listed exactly, the safe ones rewritten.

tests/fixtures/dc_usages has one use of each kind (attribute, select_related, lookups, F, Q,
OuterRef, the reverse accessor and lookups, admin options, a form, a serializer, a template).
"""

from __future__ import annotations

from pathlib import Path

from test_decouple_handlers import makemigrations

from mmkit.decouple import decouple

SITES = [
    ("authors/reports.py", 9, "reverse-accessor", False),
    ("authors/reports.py", 13, "reverse-lookup", False),
    ("authors/reports.py", 17, "reverse-lookup", False),
    ("authors/reports.py", 21, "attribute-id", False),
    ("books/admin.py", 8, "admin", False),
    ("books/admin.py", 9, "admin", False),
    ("books/admin.py", 10, "admin", False),
    ("books/admin.py", 11, "admin", False),
    ("books/admin.py", 12, "admin", False),
    ("books/forms.py", 9, "form", False),
    ("books/models.py", 10, "attribute", False),
    ("books/serializers.py", 9, "serializer", False),
    ("books/templates/books/book.html", 2, "template", False),
    ("books/templates/books/book.html", 3, "template", False),
    ("books/use_cases.py", 9, "attribute-id", True),
    ("books/use_cases.py", 13, "attribute-id", True),
    ("books/use_cases.py", 17, "attribute", False),
    ("books/use_cases.py", 21, "keyword", True),
    ("books/use_cases.py", 25, "keyword", True),
    ("books/use_cases.py", 29, "lookup", True),
    ("books/use_cases.py", 33, "lookup", False),
    ("books/use_cases.py", 33, "select_related", False),
    ("books/use_cases.py", 37, "prefetch_related", False),
    ("books/use_cases.py", 41, "lookup", False),
    ("books/use_cases.py", 45, "expression", False),
    ("books/use_cases.py", 46, "expression", False),
    ("books/use_cases.py", 50, "expression", False),
    ("books/use_cases.py", 50, "keyword", False),
]

REWRITTEN = {
    "    return book.author.id\n": "    return book.author_id\n",
    "return book.author.pk  # the primary key": "return book.author_id  # the primary key",
    "Book.objects.filter(author=author)": "Book.objects.filter(author_id=author.id)",
    "Book.objects.exclude(author=None)": "Book.objects.exclude(author_id=None)",
    "filter(author__id=author_id, title__isnull=False)": (
        "filter(author_id=author_id, title__isnull=False)"
    ),
}


def test_every_usage_site_is_listed_with_its_kind(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    outcome = decouple(project, "books.Book.author", dry_run=True)
    listed = [(s.path, s.line, s.kind, s.rewritten) for s in outcome.sites]
    assert listed == SITES


def test_safe_sites_are_rewritten_and_nothing_else(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    original = (project / "books/use_cases.py").read_text()
    others = {
        path: path.read_bytes()
        for path in (project / "authors/reports.py", project / "books/admin.py")
    }
    decouple(project, "books.Book.author")
    expected = original
    for before, after in REWRITTEN.items():
        assert before in expected
        expected = expected.replace(before, after)
    assert (project / "books/use_cases.py").read_text() == expected
    assert {path: path.read_bytes() for path in others} == others


def test_sites_outside_the_owning_module_keep_their_code(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    decouple(project, "books.Book.author")
    assert "return book.author.id" in Path(project / "authors/reports.py").read_text()


M2M_MODELS = """from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    authors = models.ManyToManyField("authors.Author", related_name="books")
"""
M2M_USE_CASES = """from .models import Book


def names(book: Book) -> list[str]:
    return [author.name for author in book.authors.all()]


def prefetched() -> list[Book]:
    return list(Book.objects.prefetch_related("authors"))


def by(author) -> list[Book]:
    return list(Book.objects.filter(authors=author))


def by_name(name: str) -> list[Book]:
    return list(Book.objects.filter(authors__name=name))
"""


def test_many_to_many_sites_are_listed_and_left_as_they_are(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    for relpath in ("books/admin.py", "books/forms.py", "books/serializers.py"):
        (project / relpath).unlink()
    (project / "books/models.py").write_text(M2M_MODELS)
    (project / "books/use_cases.py").write_text(M2M_USE_CASES)
    (project / "books/migrations/0001_initial.py").unlink()
    makemigrations(project)
    outcome = decouple(project, "books.Book.authors")
    listed = [(s.path, s.line, s.kind, s.rewritten) for s in outcome.sites]
    assert [site for site in listed if site[0] == "books/use_cases.py"] == [
        ("books/use_cases.py", 5, "attribute", False),
        ("books/use_cases.py", 9, "prefetch_related", False),
        ("books/use_cases.py", 13, "keyword", False),
        ("books/use_cases.py", 17, "lookup", False),
    ]
    assert (project / "books/use_cases.py").read_text() == M2M_USE_CASES
    keyword = next(s for s in outcome.sites if s.kind == "keyword")
    assert keyword.advice == "author_links__author_id=author.id"
