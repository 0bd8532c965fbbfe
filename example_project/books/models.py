"""The books module's ORM models: private, only `books.use_cases` touches them.

A book keeps its author's id, not a ForeignKey: the authors module owns its table, and a
database-level relation would tie the two modules' schemas and migrations together.
"""

from __future__ import annotations

from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    author_id = models.PositiveBigIntegerField(db_index=True)
    published_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("title", "id")

    def __str__(self) -> str:
        return self.title
