"""The books module's business logic, tested through its use cases without any view.

Authors are created through `authors.facade`, as any other module would create them.
"""

from __future__ import annotations

import pytest

import authors.facade
from books import use_cases
from books.dto import BookDTO, NewBook

pytestmark = pytest.mark.django_db


@pytest.fixture
def author() -> authors.facade.AuthorDTO:
    return authors.facade.add_author(authors.facade.NewAuthor(name="Ursula K. Le Guin"))


def test_add_book_returns_the_stored_book(author: authors.facade.AuthorDTO) -> None:
    book = use_cases.add_book(
        NewBook(title=" The Dispossessed ", author_id=author.id, published_year=1974)
    )

    assert book == BookDTO(
        id=book.id, title="The Dispossessed", author_id=author.id, published_year=1974
    )
    assert use_cases.get_book(book.id) == book


def test_add_book_for_a_missing_author_raises_a_domain_error() -> None:
    with pytest.raises(use_cases.UnknownAuthor) as raised:
        use_cases.add_book(NewBook(title="Orphan", author_id=404))

    assert raised.value.author_id == 404
    assert str(raised.value) == "There is no author with id 404."
    assert use_cases.list_books() == []


def test_get_book_raises_for_an_unknown_id() -> None:
    with pytest.raises(use_cases.BookNotFound):
        use_cases.get_book(404)


def test_list_books_is_sorted_by_title(author: authors.facade.AuthorDTO) -> None:
    use_cases.add_book(NewBook(title="The Lathe of Heaven", author_id=author.id))
    use_cases.add_book(NewBook(title="A Wizard of Earthsea", author_id=author.id))

    assert [book.title for book in use_cases.list_books()] == [
        "A Wizard of Earthsea",
        "The Lathe of Heaven",
    ]


def test_list_books_by_author_keeps_to_that_author(author: authors.facade.AuthorDTO) -> None:
    other = authors.facade.add_author(authors.facade.NewAuthor(name="Jane Austen"))
    mine = use_cases.add_book(NewBook(title="Always Coming Home", author_id=author.id))
    use_cases.add_book(NewBook(title="Emma", author_id=other.id))

    assert use_cases.list_books_by_author(author.id) == [mine]
    assert use_cases.list_books_by_author(404) == []
