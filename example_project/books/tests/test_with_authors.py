"""The books module with the real authors module: what the fakes of test_use_cases.py stand for.

The marker says these tests need the authors module loaded: `mmkit test books --with none`
leaves it out and skips them; `mmkit test books` (--with direct) and plain pytest run them.
"""

from __future__ import annotations

import pytest

import authors.facade
from books import use_cases
from books.dto import NewBook

pytestmark = [pytest.mark.django_db, pytest.mark.uses_module("authors")]


def test_a_book_of_an_author_the_authors_module_stored() -> None:
    author = authors.facade.add_author(authors.facade.NewAuthor(name="Ursula K. Le Guin"))

    book = use_cases.add_book(NewBook(title="The Word for World Is Forest", author_id=author.id))

    assert use_cases.list_books_by_author(author.id) == [book]


def test_a_book_of_an_author_the_authors_module_does_not_know() -> None:
    with pytest.raises(use_cases.UnknownAuthor):
        use_cases.add_book(NewBook(title="Orphan", author_id=404))
