"""The books module's business logic, tested through its use cases without any view.

Books knows authors only through `authors.facade.author_exists`; these tests fake it, so they
pass with the authors module left out (`mmkit test books --with none`). test_with_authors.py
uses the real authors module.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from books import use_cases
from books.dto import BookDTO, NewBook

pytestmark = pytest.mark.django_db

LE_GUIN, AUSTEN, MISSING = 1, 2, 404


@pytest.fixture(autouse=True)
def known_authors(fake_module: Callable[..., object]) -> None:
    """Authors LE_GUIN and AUSTEN exist; any other id is unknown to the authors module."""
    fake_module("authors", author_exists=lambda author_id: author_id in {LE_GUIN, AUSTEN})


def test_add_book_returns_the_stored_book() -> None:
    book = use_cases.add_book(
        NewBook(title=" The Dispossessed ", author_id=LE_GUIN, published_year=1974)
    )

    assert book == BookDTO(
        id=book.id, title="The Dispossessed", author_id=LE_GUIN, published_year=1974
    )
    assert use_cases.get_book(book.id) == book


def test_add_book_for_a_missing_author_raises_a_domain_error() -> None:
    with pytest.raises(use_cases.UnknownAuthor) as raised:
        use_cases.add_book(NewBook(title="Orphan", author_id=MISSING))

    assert raised.value.author_id == MISSING
    assert str(raised.value) == "There is no author with id 404."
    assert use_cases.list_books() == []


def test_get_book_raises_for_an_unknown_id() -> None:
    with pytest.raises(use_cases.BookNotFound):
        use_cases.get_book(404)


def test_list_books_is_sorted_by_title() -> None:
    use_cases.add_book(NewBook(title="The Lathe of Heaven", author_id=LE_GUIN))
    use_cases.add_book(NewBook(title="A Wizard of Earthsea", author_id=LE_GUIN))

    assert [book.title for book in use_cases.list_books()] == [
        "A Wizard of Earthsea",
        "The Lathe of Heaven",
    ]


def test_list_books_by_author_keeps_to_that_author() -> None:
    mine = use_cases.add_book(NewBook(title="Always Coming Home", author_id=LE_GUIN))
    use_cases.add_book(NewBook(title="Emma", author_id=AUSTEN))

    assert use_cases.list_books_by_author(LE_GUIN) == [mine]
    assert use_cases.list_books_by_author(MISSING) == []
