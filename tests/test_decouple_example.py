"""The issue's done-when: a copy of the example with the ForeignKey put back into Book (its
migration made and applied, rows present), then `mmkit decouple books.Book.author` and
`manage.py migrate`: every book keeps its author's id, both checks are clean, and deleting an
author deletes their books. On SQLite and on a throwaway PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from example_site import copy_example
from test_decouple_migrations import EVENTS, STEPS

EXAMPLE = Path(__file__).resolve().parent.parent / "example_project"
FOREIGN_KEY = (
    '    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE, '
    'related_name="books")\n'
)
DATABASE_FROM_ENV = """
import json as _json
import os as _os

if "DC_DATABASE" in _os.environ:
    DATABASES = {"default": _json.loads(_os.environ["DC_DATABASE"])}
"""
INSERT = """
from authors.models import Author
from books.models import Book
ann, bob = Author.objects.create(name="Ann"), Author.objects.create(name="Bob")
for title, author in (("First", ann), ("Second", bob), ("Third", ann)):
    Book.objects.create(title=title, author=author)
"""
DELETE_ANN = """MIGRATE
from authors import facade
from authors.models import Author
facade.delete_author(Author.objects.get(name="Ann").pk)
"""


def legacy_example(tmp_path: Path) -> Path:
    """The example as a code base that still has the ForeignKey, before any migration ran."""
    project = copy_example(tmp_path)
    models = project / "books/models.py"
    text, count = re.subn(r"    author_id = models\.\w+\(.*\)\n", FOREIGN_KEY, models.read_text())
    assert count == 1
    models.write_text(text)
    for migration in (project / "books/migrations").glob("0*.py"):
        migration.unlink()
    settings = project / "config/settings.py"
    settings.write_text(settings.read_text() + DATABASE_FROM_ENV)
    return project


def run(project: Path, database: dict[str, Any] | None, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DC_TABLES"] = json.dumps(["books_book", "authors_author"])
    if database is not None:
        env["DC_DATABASE"] = json.dumps(database)
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def report(project: Path, database: dict[str, Any] | None, step: str, arg: str = "") -> dict:
    done = run(project, database, str(STEPS), step, str(project), arg)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def authors_of_books(found: dict[str, Any]) -> list[tuple[str, str]]:
    names = {row["id"]: row["name"] for row in found["rows"]["authors_author"]}
    return sorted((row["title"], names[row["author_id"]]) for row in found["rows"]["books_book"])


def decouple_the_example(tmp_path: Path, database: dict[str, Any] | None, mmkit_cli) -> None:
    project = legacy_example(tmp_path)
    for command in (
        ("manage.py", "makemigrations", "books", "--skip-checks"),
        ("manage.py", "migrate", "--skip-checks"),
        ("manage.py", "shell", "-c", INSERT),
    ):
        done = run(project, database, *command)
        assert done.returncode == 0, done.stderr
    before = report(project, database, "run", "")
    assert [column for column, _ in before["foreign_keys"]["books_book"]] == ["author_id"]

    recorded = mmkit_cli("baseline", str(project))
    assert recorded.stdout == "mmkit-baseline.json: recorded 1 finding (+1 new, -0 fixed)\n"

    result = mmkit_cli("decouple", "books.Book.author", "--path", str(project))
    assert result.exit_code == 0, result.output
    assert json.loads((project / "mmkit-baseline.json").read_text())["findings"] == []

    migrated = run(project, database, "manage.py", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    after = report(project, database, "run", "")
    assert authors_of_books(after) == authors_of_books(before)
    assert after["foreign_keys"]["books_book"] == []
    assert after["makemigrations_clean"]
    checked = run(project, database, "manage.py", "check")
    assert checked.returncode == 0, checked.stderr
    static = mmkit_cli("check", str(project))
    assert static.exit_code == 0, static.output
    if EVENTS:
        deleted = report(project, database, "run", DELETE_ANN)
        assert authors_of_books(deleted) == [("Second", "Bob")]


def test_the_example_on_sqlite(tmp_path: Path, mmkit_cli) -> None:
    decouple_the_example(tmp_path, None, mmkit_cli)


def test_the_example_on_postgresql(tmp_path: Path, mmkit_cli, postgres) -> None:
    database = postgres.django_database(postgres.create_database("decouple_example"))
    decouple_the_example(tmp_path, database, mmkit_cli)


pytestmark = pytest.mark.skipif(not (EXAMPLE / "manage.py").is_file(), reason="no example")
