"""The AppConfig behind `"mmkit"` in INSTALLED_APPS: it registers mmkit's system checks.

Registering is all it does, so adding the app costs nothing at start-up: the project is
read and analysed only when Django runs the checks (`manage.py check`, `runserver`, ...).
"""

from __future__ import annotations

from django.apps import AppConfig

TAG = "mmkit"
RELATIONS_TAG = "mmkit_relations"
IMPORTS_TAG = "mmkit_imports"


class MmkitConfig(AppConfig):
    """mmkit's app: no models, only system checks tagged `mmkit`."""

    name = "mmkit"
    verbose_name = "mmkit"

    def ready(self) -> None:
        from django.core import checks

        from mmkit.checks import django as django_checks

        # One check reports a configuration problem, whichever subset of mmkit's tags runs,
        # so `--tag mmkit` shows it once and `--tag mmkit_relations` still shows it.
        checks.register(django_checks.check_configuration, TAG, RELATIONS_TAG, IMPORTS_TAG)
        checks.register(django_checks.check_relations, TAG, RELATIONS_TAG)
        checks.register(django_checks.check_imports, TAG, IMPORTS_TAG)
