"""The events the authors module publishes: other modules may import and handle them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AuthorDeleted"]


@dataclass(frozen=True)
class AuthorDeleted:
    """An author is gone: modules that keep its id clean up (what on_delete=CASCADE did)."""

    author_id: int
