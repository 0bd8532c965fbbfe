"""What the authors module publishes, and its books-count read model, without the books module."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from authors import handlers, use_cases
from authors.dto import NewAuthor
from authors.events import AuthorDeleted

pytestmark = pytest.mark.django_db


def test_delete_author_deletes_and_publishes_author_deleted(captured_events) -> None:
    author = use_cases.add_author(NewAuthor(name="Mary Shelley"))

    use_cases.delete_author(author.id)

    assert not use_cases.author_exists(author.id)
    captured_events.assert_published(AuthorDeleted, author_id=author.id)


def test_deleting_an_unknown_author_raises_and_publishes_nothing(captured_events) -> None:
    with pytest.raises(use_cases.AuthorNotFound):
        use_cases.delete_author(404)

    captured_events.assert_not_published(AuthorDeleted)


def test_the_books_count_follows_books_added_and_deleted() -> None:
    author = use_cases.add_author(NewAuthor(name="Mary Shelley"))
    # books' events arrive by name; a stand-in with the fields the handlers read is enough here.
    added = SimpleNamespace(book_id=1, author_id=author.id)

    handlers.count_added_book(added)
    handlers.count_added_book(SimpleNamespace(book_id=2, author_id=author.id))
    handlers.count_deleted_book(added)

    assert use_cases.get_author(author.id).books_count == 1


def test_the_books_count_never_goes_below_zero_or_fails_for_a_deleted_author() -> None:
    author = use_cases.add_author(NewAuthor(name="Mary Shelley"))

    handlers.count_deleted_book(SimpleNamespace(book_id=1, author_id=author.id))
    handlers.count_added_book(SimpleNamespace(book_id=2, author_id=404))

    assert use_cases.get_author(author.id).books_count == 0
