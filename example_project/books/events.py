"""The events the books module publishes: other modules may import and handle them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BookAdded", "BookDeleted"]


@dataclass(frozen=True)
class BookAdded:
    """A book was added to an author's works."""

    book_id: int
    author_id: int


@dataclass(frozen=True)
class BookDeleted:
    """A book was deleted."""

    book_id: int
    author_id: int
