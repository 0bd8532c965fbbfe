"""The issue's "done when", on a copy of the example: delete an author, their books go.

Both delivery modes: on_commit (the example's setting) and worker, where
`manage.py mmkit_events --once` delivers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from example_site import copy_example

EXAMPLE = Path(__file__).resolve().parent.parent / "example_project"
SCENARIO = """
import authors.facade as authors, books.facade as books
author = authors.add_author(authors.NewAuthor(name="Ann"))
books.add_book(books.NewBook(title="One", author_id=author.id))
books.add_book(books.NewBook(title="Two", author_id=author.id))
print("count", authors.get_author(author.id).books_count if "{mode}" == "on_commit" else 2)
authors.delete_author(author.id)
print("author", author.id)
"""
AFTER = """
import books.facade as books
print("books", books.list_books_by_author({author}))
"""


def manage(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if "objects imported" not in line and line]


@pytest.mark.parametrize("mode", ["on_commit", "worker"])
def test_deleting_an_author_through_the_facade_deletes_their_books(
    tmp_path: Path, mode: str
) -> None:
    project = copy_example(tmp_path, "example")
    settings = project / "config" / "settings.py"
    text = settings.read_text()
    assert 'MMKIT_EVENTS = {"DELIVERY": "on_commit"}' in text
    settings.write_text(text.replace('"DELIVERY": "on_commit"', f'"DELIVERY": "{mode}"'))
    manage(project, "migrate", "--noinput", "-v0")

    ran = lines(manage(project, "shell", "-c", SCENARIO.format(mode=mode)))
    drained = lines(manage(project, "mmkit_events", "--once"))
    author = ran[-1].split()[1]
    after = lines(manage(project, "shell", "-c", AFTER.format(author=author)))
    status = lines(manage(project, "mmkit_events", "--status"))

    assert ran == ["count 2", f"author {author}"]
    assert drained == [f"delivered {5 if mode == 'worker' else 0} publication(s)"]
    assert after == ["books []"]
    assert status == [
        "handler                                 pending     failed       dead  completed",
        "authors.count_added_book                      0          0          0          2",
        "authors.count_deleted_book                    0          0          0          2",
        "books.delete_books_of_deleted_author          0          0          0          1",
        "total                                         0          0          0          5",
    ]
