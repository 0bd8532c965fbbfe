"""Django app configuration of the web module (the gateway)."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "web"
