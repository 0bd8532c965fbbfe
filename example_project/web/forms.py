"""The site's forms: they check input shapes and build the facades' DTOs.

Business rules such as "the author must exist" stay in the use cases; a view turns their
domain errors into form errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

import authors.facade
import books.facade


class AuthorForm(forms.Form):
    name = forms.CharField(max_length=200)
    birth_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Optional."
    )

    def new_author(self) -> authors.facade.NewAuthor:
        """The validated input as the DTO `authors.facade.add_author` takes."""
        return authors.facade.NewAuthor(
            name=self.cleaned_data["name"], birth_date=self.cleaned_data["birth_date"]
        )


class BookForm(forms.Form):
    title = forms.CharField(max_length=200)
    author_id = forms.IntegerField(label="Author", min_value=1, widget=forms.Select)
    published_year = forms.IntegerField(
        required=False, min_value=1, max_value=9999, help_text="Optional."
    )

    def __init__(
        self,
        *args: Any,
        author_choices: Iterable[authors.facade.AuthorDTO] = (),
        **kwargs: Any,
    ) -> None:
        """Offer `author_choices` in the select; whether the author exists is for the use case."""
        super().__init__(*args, **kwargs)
        choices = [("", "Choose an author"), *((a.id, a.name) for a in author_choices)]
        self.fields["author_id"].widget.choices = choices

    def new_book(self) -> books.facade.NewBook:
        """The validated input as the DTO `books.facade.add_book` takes."""
        return books.facade.NewBook(
            title=self.cleaned_data["title"],
            author_id=self.cleaned_data["author_id"],
            published_year=self.cleaned_data["published_year"],
        )
