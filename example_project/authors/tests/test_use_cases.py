"""The authors module's business logic, tested through its use cases without any view."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_django import DjangoAssertNumQueries

from authors import use_cases
from authors.dto import AuthorDTO, NewAuthor

pytestmark = pytest.mark.django_db


def test_add_author_returns_the_stored_author() -> None:
    author = use_cases.add_author(
        NewAuthor(name="  Ursula K. Le Guin ", birth_date=date(1929, 10, 21))
    )

    assert author == AuthorDTO(
        id=author.id, name="Ursula K. Le Guin", birth_date=date(1929, 10, 21)
    )
    assert use_cases.get_author(author.id) == author


def test_birth_date_is_optional() -> None:
    author = use_cases.add_author(NewAuthor(name="Anonymous"))

    assert author.birth_date is None


def test_get_author_raises_for_an_unknown_id() -> None:
    with pytest.raises(use_cases.AuthorNotFound) as raised:
        use_cases.get_author(404)

    assert raised.value.author_id == 404


def test_get_authors_returns_the_known_ones_by_id_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    tolkien = use_cases.add_author(NewAuthor(name="J. R. R. Tolkien"))
    austen = use_cases.add_author(NewAuthor(name="Jane Austen"))
    use_cases.add_author(NewAuthor(name="Not Asked For"))

    with django_assert_num_queries(1):
        found = use_cases.get_authors([tolkien.id, austen.id, tolkien.id, 404])

    assert found == {tolkien.id: tolkien, austen.id: austen}


def test_get_authors_of_no_ids_needs_no_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(0):
        assert use_cases.get_authors([]) == {}


def test_list_authors_is_sorted_by_name() -> None:
    use_cases.add_author(NewAuthor(name="Zadie Smith"))
    use_cases.add_author(NewAuthor(name="Chinua Achebe"))

    assert [author.name for author in use_cases.list_authors()] == ["Chinua Achebe", "Zadie Smith"]


def test_author_exists() -> None:
    author = use_cases.add_author(NewAuthor(name="Octavia E. Butler"))

    assert use_cases.author_exists(author.id)
    assert not use_cases.author_exists(author.id + 1)
