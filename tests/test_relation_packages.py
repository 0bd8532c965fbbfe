"""Relation fields of third-party packages, relation_fields, and W004 for fields mmkit does not
know that pass another module's model.

rel_packages installs django-taggit and django-modelcluster (the test extra): both doors are
compared. rel_tree_fields uses django-mptt's and django-sortedm2m's fields, known by import
path; they need not be installed for the source door.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from doors import cli_door, django_door

from mmkit.checks import run
from mmkit.config import ConfigError
from mmkit.project import load_project

FIXTURES = Path(__file__).parent / "fixtures"
PACKAGES = FIXTURES / "rel_packages"

COMMON = {
    ("mmkit.E001", "books/models.py", 11),  # Book.tagged_items, taggit's GenericRelation
    ("mmkit.E001", "books/models.py", 13),  # TaggableManager(through="tagging.TaggedItem")
    ("mmkit.E001", "books/models.py", 15),  # ParentalManyToManyField
    ("mmkit.E001", "books/models.py", 16),  # MoneyLink, listed in relation_fields
    ("mmkit.E001", "books/models.py", 20),  # Edition.tagged_items
    ("mmkit.E001", "books/models.py", 21),  # BookTags, a project subclass of TaggableManager
    ("mmkit.E001", "reviews/models.py", 6),  # ParentalKey
}


def test_package_fields_are_relations_in_the_source_door(locations) -> None:
    assert locations(run(load_project(PACKAGES))) == COMMON | {
        ("mmkit.W004", "books/models.py", 17)
    }


def test_messages_name_the_field_class_and_say_what_cannot_be_told() -> None:
    messages = {(f.line, f.field): f.message for f in run(load_project(PACKAGES))}

    assert messages[(13, "tags")] in {
        "books.Book.tags is a TaggableManager to tagging.Tag, a model of module 'tagging'",
        "books.Book.tags uses through model tagging.TaggedItem of module 'tagging'",
    }
    assert messages[(16, "payee")] == (
        "books.Book.payee is a MoneyLink to authors.Author, a model of module 'authors'"
    )
    assert messages[(17, None)] == (
        "cannot tell whether books.Book.price_source relates to authors.Author, a model of "
        "module 'authors': it is a fieldkit.fields.PriceLink, a field mmkit does not know; "
        "not checked"
    )


def test_both_sides_of_a_taggable_manager_are_reported() -> None:
    found = {(f.line, f.target) for f in run(load_project(PACKAGES)) if f.rule == "mmkit.E001"}
    assert {(13, "tagging.Tag"), (13, "tagging.TaggedItem"), (11, "tagging.TaggedItem")} <= found


def test_the_django_door_sees_the_unknown_field_as_the_relation_it_is() -> None:
    assert cli_door(PACKAGES) == COMMON | {("mmkit.W004", "books/models.py", 17)}
    assert django_door(PACKAGES, "taggit") == COMMON | {("mmkit.E001", "books/models.py", 17)}


def test_listing_the_field_in_relation_fields_turns_the_w004_into_e001(
    copy_fixture, locations
) -> None:
    project = copy_fixture("rel_packages")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '["fieldkit.fields.MoneyLink"]',
            '["fieldkit.fields.MoneyLink", "fieldkit.fields.PriceLink"]',
        )
    )
    assert locations(run(load_project(project))) == COMMON | {("mmkit.E001", "books/models.py", 17)}


def test_tree_and_sorted_fields_are_known_by_import_path(locations) -> None:
    assert locations(run(load_project(FIXTURES / "rel_tree_fields"))) == {
        ("mmkit.E001", "catalog/models.py", 8),  # TreeOneToOneField
        ("mmkit.E001", "catalog/models.py", 9),  # tree.TreeForeignKey, a module alias
        ("mmkit.E001", "catalog/models.py", 10),  # TreeManyToManyField
        ("mmkit.E001", "catalog/models.py", 11),  # Sorted, an alias of SortedManyToManyField
    }


@pytest.mark.parametrize("value", ['"myapp.fields.X"', '["MoneyLink"]', '["a..b"]', "[1]"])
def test_relation_fields_must_be_import_paths(copy_fixture, value: str) -> None:
    project = copy_fixture("rel_packages")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('["fieldkit.fields.MoneyLink"]', value))
    with pytest.raises(ConfigError, match="relation_fields"):
        load_project(project)
