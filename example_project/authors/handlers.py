"""What the authors module does when other modules' events arrive: its books-count read model.

The events are named, not imported: books already depends on authors, and importing
books.events here would make the two modules import each other.
"""

from __future__ import annotations

from typing import Any

from mmkit.events import handles

from . import use_cases


@handles("books.BookAdded")
def count_added_book(event: Any) -> None:
    use_cases.count_book(event.author_id, +1)


@handles("books.BookDeleted")
def count_deleted_book(event: Any) -> None:
    use_cases.count_book(event.author_id, -1)
