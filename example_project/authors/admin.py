"""Django admin for the authors module: it belongs to the module, so it may use its models."""

from __future__ import annotations

from django.contrib import admin

from .models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "birth_date")
    search_fields = ("name",)
