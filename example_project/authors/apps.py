"""Django app configuration of the authors module."""

from __future__ import annotations

from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "authors"
