"""The per-file scan (plain, picklable data), the reader hook a cache uses, and findings()."""

from __future__ import annotations

import pickle
from pathlib import Path

from mmkit.checks import relations
from mmkit.checks.model_index import read_scan
from mmkit.checks.model_scan import (
    Binding,
    Expr,
    FileScan,
    ParseError,
    StarImport,
    may_define_classes,
    scan,
)
from mmkit.checks.relations import Relation
from mmkit.project import SourceFile, load_project

FIXTURES = Path(__file__).parent / "fixtures"

SOURCE = b"""
from django.db import models
from . import models as own
from ..authors.models import Author as Writer
from .author import *
import authors.models
import authors.models as am

__all__ = ["Book"]
AUTHOR = "authors.Author"


class Book(models.Model):
    author = models.ForeignKey(Writer, on_delete=models.CASCADE)
    tags = models.ManyToManyField(to="tags.Tag", through=am.Tagging)
    title = models.CharField(max_length=100)

    class Meta:
        proxy = True


def find(name: "str", limit: int = 3) -> list[Writer] | None:
    return None
"""


def test_scan_reads_imports_relative_to_the_package() -> None:
    result = scan(SOURCE, "books.models", is_package=True)
    origins = {b.name: b.origin for b in result.bindings if b.origin}
    assert origins == {
        "models": "django.db.models",
        "own": "books.models.models",
        "Writer": "books.authors.models.Author",
        "authors": "authors",
        "am": "authors.models",
    }
    assert result.stars == (StarImport("books.models.author", 5, 0),)
    assert result.exports == ("Book",)
    assert Binding("AUTHOR", 10, 0, value=Expr("string", "authors.Author", "'authors.Author'")) in (
        result.bindings
    )


def test_scan_of_a_plain_module_climbs_from_its_package() -> None:
    result = scan(SOURCE, "shop.books.models", is_package=False)
    origins = {b.name: b.origin for b in result.bindings if b.origin}
    assert (origins["own"], origins["Writer"]) == (
        "shop.books.models",
        "shop.authors.models.Author",
    )


def test_scan_reads_classes_fields_meta_and_signatures() -> None:
    result = scan(SOURCE, "books.models", is_package=False)
    [book] = result.classes
    assert (book.name, book.line, book.column, book.proxy, book.abstract) == (
        "Book",
        13,
        0,
        True,
        False,
    )
    assert book.bases == (Expr("name", "models.Model", "models.Model"),)
    assert [(f.name, f.callee, f.target.value, f.through) for f in book.fields] == [
        ("author", "models.ForeignKey", "Writer", None),
        ("tags", "models.ManyToManyField", "tags.Tag", Expr("name", "am.Tagging", "am.Tagging")),
    ]
    assert book.assigned == ("author", "tags", "title")
    [find] = result.functions
    assert [(name, a.text, a.refs) for name, a in find.params] == [
        ("name", "str", ("str",)),
        ("limit", "int", ("int",)),
    ]
    assert find.returns is not None
    assert find.returns.refs == ("list", "Writer")


def test_scan_is_plain_data_that_pickles() -> None:
    result = scan(SOURCE, "books.models", is_package=False)
    assert pickle.loads(pickle.dumps(result)) == result


def test_scan_never_raises_on_bad_source() -> None:
    assert scan(b"type X = int\n", "a", False).error == ParseError(1, 6, "invalid syntax")
    assert scan(b"x = 1\0\n", "a", False).error is not None
    assert scan(b"class A(:\n", "a", False).error is not None


def test_prefilter_finds_class_statements_only() -> None:
    assert may_define_classes(b"import x\n\nclass A:\n    pass\n")
    assert may_define_classes(b"if True:\n\tclass A: pass\n")
    assert not may_define_classes(b"from .models import Author\n# a class of its own\n")
    assert not may_define_classes(b"def f():\n    return classify()\n")


def test_files_without_a_class_are_parsed_only_when_a_name_leads_there() -> None:
    project = load_project(FIXTURES / "rel_reexport")
    parsed: list[str] = []

    def spy(file: SourceFile, required: bool) -> FileScan | None:
        result = read_scan(file, required)
        if result is not None:
            parsed.append(file.relpath)
        return result

    relations.from_source(project, reader=spy)
    assert sorted(parsed) == [
        "authors/__init__.py",
        "authors/models/__init__.py",
        "authors/models/author.py",
        "authors/models/publisher.py",
        "books/models.py",
    ]


def test_a_reader_may_return_stored_scans() -> None:
    project = load_project(FIXTURES / "rel_abstract")
    stored: dict[Path, bytes] = {}

    def caching(file: SourceFile, required: bool) -> FileScan | None:
        result = read_scan(file, required)
        stored[file.path] = pickle.dumps(result)
        return pickle.loads(stored[file.path])

    assert relations.from_source(project, reader=caching) == relations.from_source(project)


def relation(model: str, target: str, kind: str = "ForeignKey") -> Relation:
    field = None if kind in ("parent", "proxy") else "other"
    return Relation(kind, model, field, target, FIXTURES / "rel_clean/books/models.py", 3, 5)


def test_findings_decides_by_module_of_model_and_target() -> None:
    project = load_project(FIXTURES / "rel_clean")
    given = [
        relation("books.Book", "authors.Author"),
        relation("books.Book", "books.Shelf"),
        relation("books.Book", "common.Tag"),
        relation("books.Book", "auth.User"),
        relation("auth.User", "books.Book"),
        relation("books.Book", "authors.Author", kind="proxy"),
    ]
    found = relations.findings(project, given)
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        ("mmkit.E001", "books/models.py", 3, 5),
        ("mmkit.E002", "books/models.py", 3, 5),
    ]
    assert found[1].message == (
        "books.Book inherits from authors.Author, a concrete model of module 'authors' "
        "(proxy model)"
    )
