"""A copy of example_project for tests that edit it: without its database and caches.

`with_foreign_key` turns Book.author_id back into the cross-module ForeignKey the README and
the Django door's tests start from.
"""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "example_project"
FOREIGN_KEY = 'author = models.ForeignKey("authors.Author", on_delete=models.CASCADE)'
AUTHOR_ID = "author_id = models.PositiveBigIntegerField(db_index=True)"


def copy_example(destination: Path, name: str = "example_project") -> Path:
    """destination/name, a fresh copy of the example (no db.sqlite3, __pycache__ or .*cache)."""
    target = destination / name
    shutil.copytree(
        EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__", ".*cache", "*.sqlite3")
    )
    return target


def with_foreign_key(project: Path) -> Path:
    """Book.author_id replaced by a ForeignKey to authors.Author (mmkit.E001)."""
    models = project / "books" / "models.py"
    text = models.read_text()
    assert AUTHOR_ID in text
    models.write_text(text.replace(AUTHOR_ID, FOREIGN_KEY))
    return project
