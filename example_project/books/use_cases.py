"""The books module's business logic: the only code that touches its models.

It knows authors only by id and asks `authors.facade` about them: never the authors
module's models, so the two modules can change their tables independently.
"""

from __future__ import annotations

from django.db import transaction
from mmkit.events import publish

import authors.facade

from .dto import BookDTO, NewBook
from .events import BookAdded, BookDeleted
from .models import Book


class BookNotFound(Exception):
    """There is no book with the given id."""

    def __init__(self, book_id: int) -> None:
        super().__init__(f"There is no book with id {book_id}.")
        self.book_id = book_id


class UnknownAuthor(Exception):
    """A book names an author that does not exist."""

    def __init__(self, author_id: int) -> None:
        super().__init__(f"There is no author with id {author_id}.")
        self.author_id = author_id


def add_book(new: NewBook) -> BookDTO:
    """Store a new book; UnknownAuthor when its author does not exist.

    No foreign key guards author_id, so this rule lives here, in the business logic.
    """
    if not authors.facade.author_exists(new.author_id):
        raise UnknownAuthor(new.author_id)
    with transaction.atomic():
        book = Book.objects.create(
            title=new.title.strip(), author_id=new.author_id, published_year=new.published_year
        )
        publish(BookAdded(book_id=book.id, author_id=book.author_id))
    return _to_dto(book)


def get_book(book_id: int) -> BookDTO:
    """The book with this id; BookNotFound when there is none."""
    try:
        return _to_dto(Book.objects.get(pk=book_id))
    except Book.DoesNotExist:
        raise BookNotFound(book_id) from None


def list_books() -> list[BookDTO]:
    """Every book, by title."""
    return [_to_dto(book) for book in Book.objects.all()]


def list_books_by_author(author_id: int) -> list[BookDTO]:
    """The books of one author, by title."""
    return [_to_dto(book) for book in Book.objects.filter(author_id=author_id)]


def delete_books_by_author(author_id: int) -> int:
    """Delete the author's books, announcing each; how many there were (0 the second time)."""
    with transaction.atomic():
        doomed = list(Book.objects.select_for_update().filter(author_id=author_id))
        Book.objects.filter(pk__in=[book.pk for book in doomed]).delete()
        for book in doomed:
            publish(BookDeleted(book_id=book.id, author_id=author_id))
    return len(doomed)


def _to_dto(book: Book) -> BookDTO:
    return BookDTO(
        id=book.id,
        title=book.title,
        author_id=book.author_id,
        published_year=book.published_year,
    )
