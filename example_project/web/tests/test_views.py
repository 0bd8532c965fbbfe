"""The site's pages through Django's test client; data is set up through the facades only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

import authors.facade
import books.facade

pytestmark = pytest.mark.django_db


def add_author(name: str) -> authors.facade.AuthorDTO:
    return authors.facade.add_author(authors.facade.NewAuthor(name=name))


def add_book(title: str, author: authors.facade.AuthorDTO) -> books.facade.BookDTO:
    return books.facade.add_book(books.facade.NewBook(title=title, author_id=author.id))


def test_home_redirects_to_the_book_list(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("web:book_list")


def test_author_list_shows_every_author(client: Client) -> None:
    add_author("Jane Austen")
    add_author("Chinua Achebe")

    response = client.get(reverse("web:author_list"))

    assert response.status_code == 200
    assert [author.name for author in response.context["authors"]] == [
        "Chinua Achebe",
        "Jane Austen",
    ]
    assert b"Jane Austen" in response.content


def test_adding_an_author_redirects_to_the_list(client: Client) -> None:
    response = client.post(
        reverse("web:author_list"), {"name": "Octavia E. Butler", "birth_date": "1947-06-22"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:author_list")
    [author] = authors.facade.list_authors()
    assert (author.name, str(author.birth_date)) == ("Octavia E. Butler", "1947-06-22")


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"name": "Someone", "birth_date": "not a date"}, "birth_date")],
)
def test_adding_an_invalid_author_shows_the_form_errors(
    client: Client, data: dict[str, str], field: str
) -> None:
    response = client.post(reverse("web:author_list"), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert authors.facade.list_authors() == []


def test_author_page_shows_their_books_only(client: Client) -> None:
    le_guin = add_author("Ursula K. Le Guin")
    austen = add_author("Jane Austen")
    add_book("The Dispossessed", le_guin)
    add_book("Emma", austen)

    response = client.get(reverse("web:author_detail", args=[le_guin.id]))

    assert response.status_code == 200
    assert response.context["author"] == le_guin
    assert [book.title for book in response.context["books"]] == ["The Dispossessed"]
    assert b"Emma" not in response.content


def test_author_page_of_a_missing_author_is_not_found(client: Client) -> None:
    response = client.get(reverse("web:author_detail", args=[404]))

    assert response.status_code == 404


def test_book_list_shows_each_book_with_its_author(client: Client) -> None:
    le_guin = add_author("Ursula K. Le Guin")
    austen = add_author("Jane Austen")
    emma = add_book("Emma", austen)
    dispossessed = add_book("The Dispossessed", le_guin)

    response = client.get(reverse("web:book_list"))

    assert response.status_code == 200
    assert response.context["rows"] == [(emma, austen), (dispossessed, le_guin)]
    assert b"Ursula K. Le Guin" in response.content


def test_adding_a_book_redirects_to_the_list(client: Client) -> None:
    author = add_author("Ursula K. Le Guin")

    response = client.post(
        reverse("web:book_list"),
        {"title": "The Left Hand of Darkness", "author_id": author.id, "published_year": "1969"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:book_list")
    [book] = books.facade.list_books()
    assert (book.title, book.author_id, book.published_year) == (
        "The Left Hand of Darkness",
        author.id,
        1969,
    )


def test_adding_a_book_without_a_title_shows_the_form_error(client: Client) -> None:
    author = add_author("Ursula K. Le Guin")

    response = client.post(reverse("web:book_list"), {"title": "", "author_id": author.id})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["title"]
    assert books.facade.list_books() == []


def test_adding_a_book_for_a_missing_author_shows_a_form_error(client: Client) -> None:
    response = client.post(reverse("web:book_list"), {"title": "Orphan", "author_id": "999"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"author_id": ["There is no author with id 999."]}
    assert b"There is no author with id 999." in response.content
    assert books.facade.list_books() == []


@pytest.mark.parametrize(("author_count", "books_each"), [(1, 1), (4, 3)])
def test_book_list_queries_do_not_grow_with_the_books(
    client: Client,
    django_assert_num_queries: DjangoAssertNumQueries,
    author_count: int,
    books_each: int,
) -> None:
    for a in range(author_count):
        author = add_author(f"Author {a}")
        for b in range(books_each):
            add_book(f"Book {a}-{b}", author)

    # One query each: the authors for the form's select, the books, their authors' names.
    with django_assert_num_queries(3):
        response = client.get(reverse("web:book_list"))

    assert len(response.context["rows"]) == author_count * books_each
    assert all(author is not None for _, author in response.context["rows"])


def test_author_page_offers_deleting_after_a_confirmation(client: Client) -> None:
    author = add_author("Jane Austen")

    page = client.get(reverse("web:author_detail", args=[author.id]))
    confirm = client.get(reverse("web:author_delete", args=[author.id]))

    assert reverse("web:author_delete", args=[author.id]).encode() in page.content
    assert confirm.status_code == 200
    assert b"Yes, delete Jane Austen" in confirm.content
    assert authors.facade.author_exists(author.id)


def test_deleting_an_author_deletes_their_books_after_commit(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    author = add_author("Jane Austen")
    add_book("Emma", author)
    add_book("Persuasion", author)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:author_delete", args=[author.id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:author_list")
    assert not authors.facade.author_exists(author.id)
    assert books.facade.list_books_by_author(author.id) == []


def test_deleting_an_unknown_author_is_a_404(client: Client) -> None:
    assert client.post(reverse("web:author_delete", args=[404])).status_code == 404


def test_author_list_shows_each_authors_books_count_from_the_read_model(
    client: Client, deliver_events, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    austen = add_author("Jane Austen")
    add_author("Chinua Achebe")
    add_book("Emma", austen)
    add_book("Persuasion", austen)
    deliver_events()

    with django_assert_num_queries(1):  # the authors only: books is never asked per author
        counts = {a.name: a.books_count for a in authors.facade.list_authors()}
    response = client.get(reverse("web:author_list"))

    assert counts == {"Chinua Achebe": 0, "Jane Austen": 2}
    assert b"<td>2</td>" in response.content
