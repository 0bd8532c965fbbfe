"""Django admin for the books module: it belongs to the module, so it may use its models."""

from __future__ import annotations

from django.contrib import admin

from .models import Book


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ("title", "author_id", "published_year")
    list_filter = ("published_year",)
    search_fields = ("title",)
