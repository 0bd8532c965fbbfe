"""`mmkit decouple` on real databases: every row keeps its value, the constraint goes, the
state matches the models, and the migration reverses. SQLite and a throwaway PostgreSQL.

Each case copies tests/fixtures/dc_library, writes the models of the case, makes and applies
the initial migrations with rows in them (a subprocess with the project's settings), runs
`mmkit decouple`, and migrates forward and back in a fresh subprocess.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

STEPS = Path(__file__).parent / "decouple_steps.py"
EVENTS = importlib.util.find_spec("mmkit.events") is not None
"""Delivery needs the events runtime (issue 10); until it is merged, those checks are skipped."""
DELETE_ANN = """
from authors.models import Author
from authors.use_cases import delete_author
delete_author(Author.objects.get(name="Ann").pk)
"""
RUFF = Path(sys.executable).parent / "ruff"

AUTHORS_UUID = """import uuid

from django.db import models


class Author(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=200)
"""

BOOK = """from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    # who wrote it
    {field}

    class Meta:
        ordering = ("title",)
"""

INSERT = """
from authors.models import Author
from books.models import Book
ann, bob = Author.objects.create(name="Ann"), Author.objects.create(name="Bob")
Book.objects.create(title="First", {a})
Book.objects.create(title="Second", {b})
"""

INHERITED = {
    "common/models.py": '''"""Abstract bases every module may build on."""

from django.db import models


class Authored(models.Model):
    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE)

    class Meta:
        abstract = True
''',
    "books/models.py": """from django.db import models

from common.models import Authored


class Book(Authored):
    title = models.CharField(max_length=200)
""",
    "magazines/models.py": """from django.db import models

from common.models import Authored


class Magazine(Authored):
    title = models.CharField(max_length=200)
""",
}


@dataclass(frozen=True)
class Case:
    """One relation to decouple, the rows put in first, and what the tables must look like."""

    field: str
    files: dict[str, str]
    insert: str
    tables: tuple[str, ...] = ("books_book",)
    back: tuple[str, ...] = ("books:0001_initial",)
    column: str = "author_id"
    unique_after: list[list[str]] = field(default_factory=list)
    index_after: list[str] | None = None
    created: tuple[str, ...] = ("books/migrations/0002_decouple_book_author.py",)
    left: tuple[tuple[str, str], ...] = (("Second", "Bob"),)
    """(title, author name or None) of each row of the first table once Ann is deleted."""


def book(field_source: str) -> dict[str, str]:
    return {"books/models.py": BOOK.format(field=field_source)}


FK = 'author = models.ForeignKey("authors.Author", on_delete=models.CASCADE, related_name="books")'
META = """        indexes = [models.Index(fields=["author", "title"], name="book_author_title")]
        constraints = [
            models.UniqueConstraint(fields=["author", "title"], name="one_title_per_author")
        ]
"""
CASES = {
    "foreign_key": Case(
        "books.Book.author",
        {"books/models.py": BOOK.format(field=FK).replace('("title",)\n', '("title",)\n' + META)},
        INSERT.format(a="author=ann", b="author=bob"),
        unique_after=[["author_id", "title"]],
        index_after=["book_author_title", "author_id", "title"],
    ),
    "one_to_one": Case(
        "books.Book.author",
        book('author = models.OneToOneField("authors.Author", on_delete=models.CASCADE)'),
        INSERT.format(a="author=ann", b="author=bob"),
        unique_after=[["author_id"]],
    ),
    "set_null": Case(
        "books.Book.author",
        book(
            'author = models.ForeignKey("authors.Author", on_delete=models.SET_NULL, '
            "null=True, blank=True)"
        ),
        INSERT.format(a="author=ann", b="author=None"),
        left=(("First", None), ("Second", None)),
    ),
    "db_column": Case(
        "books.Book.author",
        book(
            'author = models.ForeignKey("authors.Author", on_delete=models.CASCADE, '
            'db_column="writer")'
        ),
        INSERT.format(a="author=ann", b="author=bob"),
        column="writer",
    ),
    "uuid": Case(
        "books.Book.author",
        {"authors/models.py": AUTHORS_UUID, **book(FK)},
        INSERT.format(a="author=ann", b="author=bob"),
    ),
    "many_to_many": Case(
        "books.Book.authors",
        book('authors = models.ManyToManyField("authors.Author", related_name="books")'),
        INSERT.format(a="", b="")
        .replace('title="First", )', 'title="First").authors.set([ann, bob])')
        .replace('title="Second", )', 'title="Second").authors.set([bob])'),
        tables=("books_book_authors", "books_bookauthor"),
        back=("books:0001_initial",),
        created=("books/migrations/0002_decouple_book_authors.py",),
        left=(("First", "Bob"), ("Second", "Bob")),
    ),
    "inherited": Case(
        "books.Book.author",
        INHERITED,
        INSERT.format(a="author=ann", b="author=bob")
        + "from magazines.models import Magazine\nMagazine.objects.create(title='M', author=bob)\n",
        tables=("books_book", "magazines_magazine"),
        back=("books:0001_initial", "magazines:0001_initial"),
        created=(
            "books/migrations/0002_decouple_book_author.py",
            "magazines/migrations/0002_decouple_magazine_author.py",
        ),
    ),
}


def step(project: Path, name: str, case: Case, database: dict[str, Any] | None, arg: str = ""):
    tables = list(dict.fromkeys([*case.tables, "authors_author", "books_book"]))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "DC_TABLES": json.dumps(tables)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if database is not None:
        env["DC_DATABASE"] = json.dumps(database)
    done = subprocess.run(
        [sys.executable, str(STEPS), name, str(project), arg],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepared(copy_fixture, case: Case, database: dict[str, Any] | None) -> tuple[Path, dict]:
    project = copy_fixture("dc_library")
    for relpath, text in case.files.items():
        (project / relpath).write_text(text)
    return project, step(project, "setup", case, database, case.insert)


def pairs(report: dict[str, Any], table: str, *columns: str) -> list[tuple[str, ...]]:
    return sorted(tuple(row[c] for c in columns) for row in report["rows"].get(table, []))


def fks_to_authors(report: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (table, column)
        for table, keys in report["foreign_keys"].items()
        for column, target in keys
        if target == "authors_author"
    )


def decouple_and_migrate(
    copy_fixture, check_project, case: Case, database: dict[str, Any] | None, mmkit_cli
) -> None:
    project, before = prepared(copy_fixture, case, database)
    assert fks_to_authors(before), "the relation has a foreign-key constraint to start with"
    result = mmkit_cli("decouple", case.field, "--path", str(project))
    assert result.exit_code == 0, result.output
    created = sorted(str(p.relative_to(project)) for p in project.glob("*/migrations/0002_*.py"))
    assert created == sorted(case.created)
    plan = {"back": list(case.back), "then": DELETE_ANN if EVENTS else ""}
    verified = step(project, "verify", case, database, json.dumps(plan))
    after = verified["after"]
    assert after["makemigrations_clean"]
    assert fks_to_authors(after) == []
    if case.tables[0] == "books_book_authors":
        assert pairs(after, "books_bookauthor", "book_id", "author_id") == pairs(
            before, "books_book_authors", "book_id", "author_id"
        )
        assert "books_book_authors" not in after["rows"]
    else:
        for table in case.tables:
            assert pairs(after, table, "id", case.column) == pairs(before, table, "id", case.column)
            assert after["rows"][table] == before["rows"][table]
    for expected in case.unique_after:
        assert expected in after["unique"]["books_book"]
    if case.index_after is not None:
        assert case.index_after in after["indexes"]["books_book"]
    assert [f for f in check_project(project) if f.rule == "mmkit.E001"] == []
    back = verified["back"]
    assert fks_to_authors(back) == fks_to_authors(before)
    for table in case.tables:
        if table in before["rows"]:
            assert back["rows"][table] == before["rows"][table]
    if EVENTS:
        deleted_ann(case, before, verified["then"])
    if database is None:
        changed = [str(p) for p in project.rglob("*.py") if "migrations" not in p.parts]
        formatted = subprocess.run(
            [str(RUFF), "format", "--check", *changed], capture_output=True, text=True
        )
        assert formatted.returncode == 0, formatted.stdout + formatted.stderr
        linted = subprocess.run(
            [str(RUFF), "check", "--select", "I,F", *changed], capture_output=True, text=True
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_decouple_on_sqlite(name: str, copy_fixture, check_project, mmkit_cli) -> None:
    decouple_and_migrate(copy_fixture, check_project, CASES[name], None, mmkit_cli)


@pytest.mark.parametrize("name", sorted(CASES))
def test_decouple_on_postgresql(
    name: str, copy_fixture, check_project, mmkit_cli, postgres
) -> None:
    database = postgres.django_database(postgres.create_database(f"decouple_{name}"))
    decouple_and_migrate(copy_fixture, check_project, CASES[name], database, mmkit_cli)


def deleted_ann(case: Case, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Migrated forward again, deleting an author deletes (or unsets) its rows by the event."""
    names = {row["id"]: row["name"] for row in before["rows"]["authors_author"]}
    table = case.tables[-1] if case.tables[0] == "books_book_authors" else case.tables[0]
    if table == "books_bookauthor":
        titles = {row["id"]: row["title"] for row in before["rows"]["books_book"]}
        left = sorted((titles[r["book_id"]], names[r["author_id"]]) for r in after["rows"][table])
    else:
        left = sorted((row["title"], names.get(row[case.column])) for row in after["rows"][table])
    assert left == sorted(case.left)


@pytest.mark.skipif(
    not EVENTS,
    reason="waits for issue 10 (mmkit.events): until it is merged, the deletion-through-the-event "
    "checks in test_decouple_on_* and test_decouple_example are skipped",
)
def test_deletion_through_the_event_is_checked() -> None:
    """Shows in the run whether the cases above also deleted an author through its event."""
    assert EVENTS
