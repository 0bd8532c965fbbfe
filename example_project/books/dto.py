"""The data that crosses the books module's boundary: frozen dataclasses, never models."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NewBook:
    """What it takes to add a book; the author is named by the id the authors module gave it."""

    title: str
    author_id: int
    published_year: int | None = None


@dataclass(frozen=True)
class BookDTO:
    """A book as other modules see it."""

    id: int
    title: str
    author_id: int
    published_year: int | None = None
