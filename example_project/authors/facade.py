"""The public interface of the authors module: the only part other modules may import.

Plain functions over the use cases, taking and returning DTOs; the DTOs and domain errors
are re-exported here so callers never reach into `authors.dto` or `authors.use_cases`.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import use_cases
from .dto import AuthorDTO, NewAuthor
from .use_cases import AuthorNotFound

__all__ = [
    "AuthorDTO",
    "AuthorNotFound",
    "NewAuthor",
    "add_author",
    "author_exists",
    "delete_author",
    "get_author",
    "get_authors",
    "list_authors",
]


def add_author(new: NewAuthor) -> AuthorDTO:
    """Add an author and return it with its id."""
    return use_cases.add_author(new)


def get_author(author_id: int) -> AuthorDTO:
    """The author with this id; raises AuthorNotFound when there is none."""
    return use_cases.get_author(author_id)


def get_authors(author_ids: Iterable[int]) -> dict[int, AuthorDTO]:
    """The authors with these ids, by id, in one query: use it instead of a loop of get_author."""
    return use_cases.get_authors(author_ids)


def list_authors() -> list[AuthorDTO]:
    """Every author, by name."""
    return use_cases.list_authors()


def delete_author(author_id: int) -> None:
    """Delete the author and publish authors.events.AuthorDeleted; raises AuthorNotFound."""
    use_cases.delete_author(author_id)


def author_exists(author_id: int) -> bool:
    """Whether an author with this id exists."""
    return use_cases.author_exists(author_id)
