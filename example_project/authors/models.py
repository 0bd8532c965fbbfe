"""The authors module's ORM models: private, only `authors.use_cases` touches them."""

from __future__ import annotations

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=200)
    birth_date = models.DateField(null=True, blank=True)
    # A read model kept by the books module's events: the author list never asks books per row.
    books_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name
