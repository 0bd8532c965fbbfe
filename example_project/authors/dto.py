"""The data that crosses the authors module's boundary: frozen dataclasses, never models.

Callers get values they cannot save or lazily load from, so the module stays free to
change its tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NewAuthor:
    """What it takes to add an author."""

    name: str
    birth_date: date | None = None


@dataclass(frozen=True)
class AuthorDTO:
    """An author as other modules see it; books_count is kept up to date by books' events."""

    id: int
    name: str
    birth_date: date | None = None
    books_count: int = 0
