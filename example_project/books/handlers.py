"""What the books module does when other modules' events arrive."""

from __future__ import annotations

from mmkit.events import handles

from authors.events import AuthorDeleted

from . import use_cases


@handles(AuthorDeleted)
def delete_books_of_deleted_author(event: AuthorDeleted) -> None:
    """The replaced on_delete=CASCADE; idempotent: a second delivery finds no books to delete."""
    use_cases.delete_books_by_author(event.author_id)
