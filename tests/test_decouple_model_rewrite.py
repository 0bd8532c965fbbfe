"""The model rewrite alone (libcst): comments and formatting around the field survive, Meta
names follow the field, the other module's import goes when nothing else uses it, and the
result is what `ruff format` writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mmkit.decouple.model_rewrite import IdField, Rewrite, rewrite

RUFF = Path(sys.executable).parent / "ruff"
COMMENT = "id of an authors.Author, owned by module authors (no ForeignKey across modules)"

SOURCE = '''"""Books."""

from authors.models import Author  # the other module's model
from django.db import models as m


class Book(m.Model):
    """A book."""

    # the title, as printed
    title = m.CharField(max_length=200)  # keep this comment
    # who wrote it
    author = m.ForeignKey(
        Author,  # the writer
        on_delete=m.CASCADE,
    )

    class Meta:
        ordering = ["-author", "title"]
        constraints = [m.UniqueConstraint(fields=("author", "title"), name="one_title")]
'''

EXPECTED = '''"""Books."""

from django.db import models as m


class Book(m.Model):
    """A book."""

    # the title, as printed
    title = m.CharField(max_length=200)  # keep this comment
    # who wrote it
    # id of an authors.Author, owned by module authors (no ForeignKey across modules)
    author_id = m.BigIntegerField(db_index=True)

    class Meta:
        ordering = ["-author_id", "title"]
        constraints = [m.UniqueConstraint(fields=("author_id", "title"), name="one_title")]
'''


def change(options: tuple[tuple[str, str], ...], width: int = 100) -> Rewrite:
    return Rewrite(
        "Book",
        "author",
        IdField("author_id", "BigIntegerField", options, COMMENT),
        target_name="Author",
        width=width,
    )


def ruff_formatted(source: str, tmp_path: Path, width: int) -> bool:
    path = tmp_path / "models.py"
    path.write_text(source)
    done = subprocess.run(
        [str(RUFF), "format", "--check", "--line-length", str(width), str(path)],
        capture_output=True,
    )
    return done.returncode == 0


def test_the_field_is_replaced_and_everything_around_it_kept(tmp_path: Path) -> None:
    result = rewrite(SOURCE, change((("db_index", "True"),)))
    assert result == EXPECTED
    assert ruff_formatted(result, tmp_path, 100)


def test_long_options_are_wrapped_as_ruff_wraps_them(tmp_path: Path) -> None:
    options = (
        ("db_index", "True"),
        ("unique", "True"),
        ("null", "True"),
        ("blank", "True"),
        ("db_column", '"the_writer_of_this_book"'),
    )
    short = SOURCE.partition("\n    class Meta:")[0]
    for width in (60, 88, 100):
        result = rewrite(short, change(options, width))
        assert ruff_formatted(result, tmp_path, width), result


def test_an_import_still_used_elsewhere_stays(tmp_path: Path) -> None:
    source = SOURCE + "\n\ndef first() -> Author:\n    return Author.objects.first()\n"
    assert "from authors.models import Author" in rewrite(source, change((("db_index", "True"),)))


def test_a_file_without_the_field_is_returned_unchanged() -> None:
    other = Rewrite("Shelf", "author", change(()).replacement)
    assert rewrite(SOURCE, other) == SOURCE


def test_django_models_is_imported_when_the_file_names_fields_directly(tmp_path: Path) -> None:
    source = (
        "from django.db.models import CASCADE, ForeignKey, Model\n\n\n"
        "class Book(Model):\n"
        '    author = ForeignKey("authors.Author", on_delete=CASCADE)\n'
    )
    result = rewrite(source, change((("db_index", "True"),)))
    assert result.startswith(
        "from django.db import models\nfrom django.db.models import CASCADE, ForeignKey, Model\n"
    )
    assert "    author_id = models.BigIntegerField(db_index=True)\n" in result
