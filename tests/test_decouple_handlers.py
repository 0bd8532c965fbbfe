"""What replaces on_delete: the handler's source, the event, the delete use case publishing it,
and what happens when some of it exists already or has another shape."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mmkit.decouple import decouple

HANDLERS = '''"""What module books does when other modules' events arrive (private)."""

from __future__ import annotations

from mmkit.events import handles

from authors.events import AuthorDeleted

from .models import Book


@handles(AuthorDeleted)
def {name}(event: AuthorDeleted) -> None:
    """{doc}"""
    {body}
'''
EVENTS = '''"""The events of module authors: what other modules may react to."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AuthorDeleted"]


@dataclass(frozen=True)
class AuthorDeleted:
    """An author was deleted; modules that keep its id clean up after it."""

    author_id: int
'''
DELETE_AUTHOR = '''def delete_author(author_id: int) -> None:
    """Delete the one with this id; raises when there is none."""
    with transaction.atomic():
        found = Author.objects.filter(pk=author_id)
        deleted, _ = found.delete()
        if not deleted:
            raise AuthorNotFound(author_id)
        publish(AuthorDeleted(author_id=author_id))
'''


def makemigrations(project: Path) -> None:
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "books", "--skip-checks", "-v0"],
        cwd=project,
        env=env,
        check=True,
    )


def test_cascade_becomes_a_handler_and_the_use_case_publishes(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    outcome = decouple(project, "books.Book.author")
    assert outcome.notes == ()
    assert (project / "books/handlers.py").read_text() == HANDLERS.format(
        name="delete_books_of_deleted_author",
        doc="Delete the books of a deleted author, as on_delete=CASCADE did.",
        body="Book.objects.filter(author_id=event.author_id).delete()",
    )
    assert (project / "authors/events.py").read_text() == EVENTS
    use_cases = (project / "authors/use_cases.py").read_text()
    assert use_cases.endswith(DELETE_AUTHOR)
    assert (
        "from django.db import transaction\nfrom mmkit.events import publish\n\n"
        "from .events import AuthorDeleted\nfrom .models import Author\n"
    ) in use_cases


def test_set_null_unsets_the_id(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    models = project / "books/models.py"
    models.write_text(models.read_text().replace("models.CASCADE,", "models.SET_NULL, null=True,"))
    makemigrations(project)
    decouple(project, "books.Book.author")
    assert (project / "books/handlers.py").read_text() == HANDLERS.format(
        name="forget_deleted_author_of_books",
        doc="Unset the deleted author's id, as on_delete=SET_NULL did.",
        body="Book.objects.filter(author_id=event.author_id).update(author_id=None)",
    )
    assert "author_id = models.BigIntegerField(db_index=True, null=True)" in models.read_text()


def test_do_nothing_needs_no_handler(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    models = project / "books/models.py"
    models.write_text(models.read_text().replace("models.CASCADE", "models.DO_NOTHING"))
    makemigrations(project)
    outcome = decouple(project, "books.Book.author")
    assert not (project / "books/handlers.py").exists()
    assert not (project / "authors/events.py").exists()
    assert outcome.notes == ()


def test_an_existing_handler_of_the_event_is_left_alone(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    existing = (
        "from authors.events import AuthorDeleted\nfrom mmkit.events import handles\n\n\n"
        "@handles(AuthorDeleted)\ndef forget(event: AuthorDeleted) -> None:\n    pass\n"
    )
    (project / "books/handlers.py").write_text(existing)
    (project / "authors/events.py").write_text(EVENTS)
    outcome = decouple(project, "books.Book.author")
    assert (project / "books/handlers.py").read_text() == existing
    assert outcome.notes == (
        "books/handlers.py already handles AuthorDeleted: check that it does what "
        "on_delete=CASCADE did for Book",
    )


def test_a_delete_use_case_of_another_shape_gets_advice(copy_fixture) -> None:
    project = copy_fixture("dc_usages")
    use_cases = project / "authors/use_cases.py"
    use_cases.write_text(use_cases.read_text().replace("def delete_author(", "def remove_author("))
    before = use_cases.read_text()
    outcome = decouple(project, "books.Book.author")
    assert use_cases.read_text() == before
    assert outcome.notes == (
        "module authors must publish AuthorDeleted: add "
        "`publish(AuthorDeleted(author_id=author_id))` (from mmkit.events import publish) where "
        "it deletes an author, in the same transaction",
    )


def test_long_names_give_a_handler_ruff_formats_as_it_is(tmp_path: Path) -> None:
    from mmkit.decouple.on_delete import Cleanup, Target, handler_source

    ruff = Path(sys.executable).parent / "ruff"
    target = Target(tmp_path, "publishing", "InternationalPublishingHouse", "BigAutoField")
    for action in ("CASCADE", "SET_NULL"):
        cleanup = Cleanup(
            tmp_path,
            "catalogue",
            "CatalogueEntryWithLongName",
            "catalogue entries with long names",
            "international_publishing_house_id",
            action,
        )
        for width in (60, 88, 100):
            path = tmp_path / f"handler_{action}_{width}.py"
            path.write_text(handler_source(target, cleanup, width))
            done = subprocess.run(
                [str(ruff), "format", "--check", "--line-length", str(width), str(path)],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, path.read_text()
