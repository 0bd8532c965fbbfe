"""The authors module's business logic: the only code that touches its models.

Every function takes plain values or DTOs and returns DTOs, so it can be tested without
views and no model ever leaves the module.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from mmkit.events import publish

from .dto import AuthorDTO, NewAuthor
from .events import AuthorDeleted
from .models import Author


class AuthorNotFound(Exception):
    """There is no author with the given id."""

    def __init__(self, author_id: int) -> None:
        super().__init__(f"There is no author with id {author_id}.")
        self.author_id = author_id


def add_author(new: NewAuthor) -> AuthorDTO:
    """Store a new author and return it with its id."""
    author = Author.objects.create(name=new.name.strip(), birth_date=new.birth_date)
    return _to_dto(author)


def get_author(author_id: int) -> AuthorDTO:
    """The author with this id; AuthorNotFound when there is none."""
    try:
        return _to_dto(Author.objects.get(pk=author_id))
    except Author.DoesNotExist:
        raise AuthorNotFound(author_id) from None


def get_authors(author_ids: Iterable[int]) -> dict[int, AuthorDTO]:
    """The authors with these ids, by id, in one query; unknown ids are left out.

    The batch lookup that lets another module show many authors without n+1 queries.
    """
    wanted = set(author_ids)
    if not wanted:
        return {}
    return {author.id: _to_dto(author) for author in Author.objects.filter(pk__in=wanted)}


def list_authors() -> list[AuthorDTO]:
    """Every author, by name."""
    return [_to_dto(author) for author in Author.objects.all()]


def author_exists(author_id: int) -> bool:
    """Whether an author with this id exists: what other modules ask before storing its id."""
    return Author.objects.filter(pk=author_id).exists()


def delete_author(author_id: int) -> None:
    """Delete the author and announce it, in one transaction; AuthorNotFound when there is none.

    Other modules keep the author's id and clean up on AuthorDeleted: the event replaces
    the on_delete=CASCADE a cross-module ForeignKey would have had.
    """
    with transaction.atomic():
        deleted, _ = Author.objects.filter(pk=author_id).delete()
        if not deleted:
            raise AuthorNotFound(author_id)
        publish(AuthorDeleted(author_id=author_id))


def count_book(author_id: int, change: int) -> None:
    """Move the author's books count by change; an author deleted meanwhile is left alone."""
    Author.objects.filter(pk=author_id).update(books_count=Greatest(F("books_count") + change, 0))


def _to_dto(author: Author) -> AuthorDTO:
    return AuthorDTO(
        id=author.id,
        name=author.name,
        birth_date=author.birth_date,
        books_count=author.books_count,
    )
