"""Every refusal of `mmkit decouple` is one line and exit status 2, and like --dry-run it leaves
the project byte-for-byte as it was; the plan (no argument) changes nothing either."""

from __future__ import annotations

from pathlib import Path

import pytest

PROTECT = 'author = models.ForeignKey("authors.Author", on_delete=models.PROTECT)'


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file of the project and of the folders beside it (vendor/), byte for byte."""
    return {
        str(path.relative_to(project.parent)): path.read_bytes()
        for path in sorted(project.parent.rglob("*"))
        if path.is_file()
    }


def edit(project: Path, relpath: str, old: str, new: str) -> None:
    path = project / relpath
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


FK_LINE = (
    'author = models.ForeignKey("authors.Author", on_delete=models.CASCADE, related_name="books")'
)
OUTSIDE_BASE = """from django.db import models


class Owned(models.Model):
    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
"""


def outside_the_project(project: Path) -> None:
    """Book gets `author` from an abstract base in a package outside the project's root."""
    package = project.parent / "vendor" / "thirdparty"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(OUTSIDE_BASE)
    edit(
        project,
        "config/settings.py",
        "BASE_DIR = Path(__file__).resolve().parent.parent\n",
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        "import sys\nsys.path.append(str(BASE_DIR.parent / 'vendor'))\n",
    )
    (project / "books/models.py").write_text(
        "from django.db import models\nfrom thirdparty.models import Owned\n\n\n"
        "class Book(Owned):\n    title = models.CharField(max_length=200)\n"
    )


def migrations_elsewhere(project: Path) -> None:
    """MIGRATION_MODULES puts books' migrations in a package outside the project."""
    package = project.parent / "vendor" / "bookmigrations"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    initial = project / "books/migrations/0001_initial.py"
    (package / "0001_initial.py").write_text(initial.read_text())
    edit(
        project,
        "config/settings.py",
        "BASE_DIR = Path(__file__).resolve().parent.parent\n",
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        "import sys\nsys.path.append(str(BASE_DIR.parent / 'vendor'))\n"
        'MIGRATION_MODULES = {"books": "bookmigrations"}\n',
    )


def same_module(project: Path) -> None:
    edit(
        project,
        "books/models.py",
        "class Book(models.Model):\n",
        "class Shelf(models.Model):\n    pass\n\n\nclass Book(models.Model):\n"
        '    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="+")\n',
    )


def unknown_key(project: Path) -> None:
    edit(
        project,
        "authors/models.py",
        "    name = models.CharField(max_length=200)\n",
        "    name = models.CharField(max_length=200)\n"
        "    born = models.DateField(primary_key=True)\n",
    )


def pending_changes(project: Path) -> None:
    edit(
        project,
        "books/models.py",
        "    title = models.CharField(max_length=200)\n",
        "    title = models.CharField(max_length=300)\n",
    )


def legitimate_sharer(project: Path) -> None:
    (project / "common").mkdir()
    (project / "common/models.py").write_text(
        "from django.db import models\n\n\nclass Authored(models.Model):\n"
        '    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE, '
        'related_name="+")\n\n    class Meta:\n        abstract = True\n'
    )
    (project / "common/__init__.py").write_text("")
    edit(
        project,
        "books/models.py",
        "from django.db import models\n",
        "from common.models import Authored\nfrom django.db import models\n",
    )
    edit(project, "books/models.py", "class Book(models.Model):", "class Book(Authored):")
    edit(project, "books/models.py", f"    {FK_LINE}\n", "")
    (project / "authors/models.py").write_text(
        "from common.models import Authored\nfrom django.db import models\n\n\n"
        "class Author(models.Model):\n    name = models.CharField(max_length=200)\n\n\n"
        "class Profile(Authored):\n    bio = models.TextField()\n"
    )


REFUSALS = {
    "not_model_field": ("books.Book", None, "is not MODEL_FIELD"),
    "no_model": ("books.Nope.author", None, "there is no model books.Nope"),
    "no_field": ("books.Book.nope", None, "books.Book has no field 'nope'"),
    "not_a_relation": ("books.Book.title", None, "books.Book.title is not a relation"),
    "same_module": ("books.Book.shelf", same_module, "not a cross-module relation"),
    "outside": ("books.Book.author", outside_the_project, "declared in code outside the project"),
    "unknown_key": ("books.Book.author", unknown_key, "primary key type is unknown (DateField"),
    "protect": (
        "books.Book.author",
        lambda p: edit(p, "books/models.py", FK_LINE, PROTECT),
        "has on_delete=PROTECT, which cannot cross a module boundary",
    ),
    "to_field": (
        "books.Book.author",
        lambda p: edit(p, "books/models.py", 'related_name="books"', 'to_field="name"'),
        "points at a field other than the primary key",
    ),
    "broken_settings": (
        "books.Book.author",
        lambda p: (p / "config/settings.py").write_text('raise RuntimeError("broken")\n'),
        "Django could not load the project: RuntimeError: broken",
    ),
    "no_settings": (
        "books.Book.author",
        lambda p: edit(p, "pyproject.toml", 'settings = "config.settings"\n', ""),
        "decouple needs the Django settings to write a migration",
    ),
    "migrations_elsewhere": (
        "books.Book.author",
        migrations_elsewhere,
        "0002_decouple_book_author.py is outside the project",
    ),
    "pending": ("books.Book.author", pending_changes, "have changes without a migration"),
    "shared_legitimately": (
        "books.Book.author",
        legitimate_sharer,
        "authors.Profile keeps it legitimately",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refusal_is_one_line_and_changes_nothing(
    name: str, copy_fixture, mmkit_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    field, prepare, message = REFUSALS[name]
    project = copy_fixture("dc_usages")
    if prepare is not None:
        prepare(project)
    before = snapshot(project)
    result = mmkit_cli("decouple", field, "--path", str(project))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert snapshot(project) == before


def test_dry_run_shows_the_diffs_and_changes_nothing(copy_fixture, mmkit_cli) -> None:
    project = copy_fixture("dc_usages")
    before = snapshot(project)
    result = mmkit_cli("decouple", "books.Book.author", "--path", str(project), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+    author_id = models.BigIntegerField(db_index=True)\n" in result.stdout
    assert "+++ b/books/migrations/0002_decouple_book_author.py" in result.stdout
    assert result.stdout.endswith("dry run: nothing was written\n")
    assert snapshot(project) == before


def test_the_plan_lists_every_e001_and_changes_nothing(copy_fixture, mmkit_cli) -> None:
    project = copy_fixture("dc_usages")
    legitimate_sharer(project)
    (project / "books/models.py").write_text(
        (project / "books/models.py").read_text()
        + '\n\nclass Shelf(models.Model):\n    books = models.ManyToManyField("authors.Author")\n'
        '    owner = models.OneToOneField("authors.Author", on_delete=models.PROTECT, '
        'related_name="+")\n'
    )
    before = snapshot(project)
    result = mmkit_cli("decouple", "--path", str(project))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "books/models.py:5: books.Book.author ForeignKey to authors.Author: inherited from "
        "common.models.Authored; authors.Profile keeps it legitimately: override it",
        "books/models.py:13: books.Shelf.books ManyToManyField to authors.Author: a link model "
        "keeping authors.Author ids, with a migration that copies the rows",
        "books/models.py:14: books.Shelf.owner OneToOneField to authors.Author: an id field, a "
        "migration that keeps every row; on_delete=PROTECT cannot cross a module boundary: "
        "choose first",
        "3 cross-module relations; decouple one field at a time, e.g.:",
        "  mmkit decouple books.Shelf.books",
    ]
    assert snapshot(project) == before


def test_the_plan_of_a_field_every_inheritor_crosses_with(copy_fixture, mmkit_cli) -> None:
    from test_decouple_migrations import INHERITED

    project = copy_fixture("dc_library")
    for relpath, text in INHERITED.items():
        (project / relpath).write_text(text)
    result = mmkit_cli("decouple", "--path", str(project))
    assert result.stdout.splitlines() == [
        "books/models.py:6: books.Book.author ForeignKey to authors.Author: inherited from "
        "common.models.Authored by 2 models: decoupled at the base, one migration per app "
        "(books, magazines)",
        "magazines/models.py:6: magazines.Magazine.author ForeignKey to authors.Author: "
        "inherited from common.models.Authored by 2 models: decoupled at the base, one "
        "migration per app (books, magazines)",
        "2 cross-module relations; decouple one field at a time, e.g.:",
        "  mmkit decouple books.Book.author",
    ]
