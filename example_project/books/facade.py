"""The public interface of the books module: the only part other modules may import.

Plain functions over the use cases, taking and returning DTOs; the DTOs and domain errors
are re-exported here so callers never reach into `books.dto` or `books.use_cases`.
"""

from __future__ import annotations

from . import use_cases
from .dto import BookDTO, NewBook
from .use_cases import BookNotFound, UnknownAuthor

__all__ = [
    "BookDTO",
    "BookNotFound",
    "NewBook",
    "UnknownAuthor",
    "add_book",
    "get_book",
    "list_books",
    "list_books_by_author",
]


def add_book(new: NewBook) -> BookDTO:
    """Add a book; raises UnknownAuthor when its author does not exist."""
    return use_cases.add_book(new)


def get_book(book_id: int) -> BookDTO:
    """The book with this id; raises BookNotFound when there is none."""
    return use_cases.get_book(book_id)


def list_books() -> list[BookDTO]:
    """Every book, by title."""
    return use_cases.list_books()


def list_books_by_author(author_id: int) -> list[BookDTO]:
    """The books of one author, by title."""
    return use_cases.list_books_by_author(author_id)
