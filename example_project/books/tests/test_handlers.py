"""The books module's answer to authors.events.AuthorDeleted: the replaced on_delete=CASCADE."""

from __future__ import annotations

import pytest
from mmkit.testing.events import outbox

import authors.facade
from authors.events import AuthorDeleted
from books import handlers, use_cases
from books.dto import NewBook
from books.events import BookAdded, BookDeleted

pytestmark = pytest.mark.django_db
HANDLER = "books.delete_books_of_deleted_author"


@pytest.fixture
def author() -> authors.facade.AuthorDTO:
    return authors.facade.add_author(authors.facade.NewAuthor(name="Italo Calvino"))


def add_books(author_id: int, *titles: str) -> list[int]:
    return [use_cases.add_book(NewBook(title=t, author_id=author_id)).id for t in titles]


def test_adding_a_book_publishes_book_added(author, captured_events) -> None:
    [book_id] = add_books(author.id, "Invisible Cities")

    captured_events.assert_published(BookAdded, book_id=book_id, author_id=author.id)


def test_deleting_an_author_deletes_their_books_and_only_theirs(
    author, captured_events, deliver_events
) -> None:
    other = authors.facade.add_author(authors.facade.NewAuthor(name="Primo Levi"))
    first, second = add_books(author.id, "Invisible Cities", "Cosmicomics")
    add_books(other.id, "The Periodic Table")

    authors.facade.delete_author(author.id)
    deliver_events()

    assert use_cases.list_books_by_author(author.id) == []
    assert [book.title for book in use_cases.list_books_by_author(other.id)] == [
        "The Periodic Table"
    ]
    captured_events.assert_published(BookDeleted, book_id=first, author_id=author.id)
    captured_events.assert_published(BookDeleted, book_id=second, author_id=author.id)
    assert [(row.status, row.attempts) for row in outbox(HANDLER)] == [("completed", 1)]


def test_the_handler_is_idempotent(author, captured_events) -> None:
    add_books(author.id, "Invisible Cities")

    handlers.delete_books_of_deleted_author(AuthorDeleted(author_id=author.id))
    handlers.delete_books_of_deleted_author(AuthorDeleted(author_id=author.id))

    assert use_cases.list_books_by_author(author.id) == []
    assert len(captured_events.of(BookDeleted)) == 1


def test_a_failing_handler_is_retried_and_then_deletes_the_books(
    author, deliver_events, monkeypatch
) -> None:
    add_books(author.id, "Invisible Cities")
    real = use_cases.delete_books_by_author
    calls = []

    def flaky(author_id: int) -> int:
        calls.append(author_id)
        if len(calls) == 1:
            raise ConnectionError("search index unavailable")
        return real(author_id)

    monkeypatch.setattr(use_cases, "delete_books_by_author", flaky)
    authors.facade.delete_author(author.id)

    deliver_events()
    [failed] = outbox(HANDLER)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "ConnectionError: search index unavailable" in failed.last_error
    assert [book.title for book in use_cases.list_books_by_author(author.id)] == [
        "Invisible Cities"
    ]

    deliver_events(retry_failed=True)
    assert [(row.status, row.attempts) for row in outbox(HANDLER)] == [("completed", 2)]
    assert use_cases.list_books_by_author(author.id) == []
