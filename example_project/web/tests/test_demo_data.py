"""`make demo`'s data: the fixtures load twice without duplicates, and every page of the
README's table shows content, /authors/1/ included."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

import authors.facade
import books.facade

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("loaddata", "demo_authors", "demo_books", verbosity=0)
    call_command("loaddata", "demo_authors", "demo_books", verbosity=0)


def test_loading_the_demo_data_twice_changes_nothing(demo: None) -> None:
    listed = authors.facade.list_authors()
    assert [(a.name, a.books_count) for a in listed] == [
        ("Italo Calvino", 2),
        ("Octavia E. Butler", 1),
        ("Ursula K. Le Guin", 3),
    ]
    assert len(books.facade.list_books()) == 6
    for author in listed:
        assert len(books.facade.list_books_by_author(author.id)) == author.books_count


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/books/", ["A Wizard of Earthsea", "Ursula K. Le Guin", "Kindred", "Octavia E. Butler"]),
        ("/authors/", ["Italo Calvino", "Octavia E. Butler", "Ursula K. Le Guin"]),
        ("/authors/1/", ["Ursula K. Le Guin", "A Wizard of Earthsea", "The Dispossessed"]),
        ("/admin/books/book/", ["Invisible Cities", "Kindred"]),
        ("/admin/authors/author/", ["Italo Calvino"]),
    ],
)
def test_every_page_of_the_readme_shows_the_demo_data(
    demo: None, client: Client, url: str, shown: list[str]
) -> None:
    if url.startswith("/admin/"):
        client.force_login(get_user_model().objects.create_superuser("admin", "", "pw"))

    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    for text in shown:
        assert text in page, f"{text!r} not on {url}"
