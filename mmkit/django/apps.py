"""The AppConfig behind `"mmkit"` in INSTALLED_APPS: it registers mmkit's system checks.

Registering is all it does, so adding the app costs nothing at start-up: the project is
read and analysed only when Django runs the checks (`manage.py check`, `runserver`, ...).
The app is the `mmkit` package (label `mmkit`), wherever this class lives, so settings that
name `"mmkit"` or `"mmkit.apps.MmkitConfig"` keep working.
"""

from __future__ import annotations

from django.apps import AppConfig

TAG = "mmkit"
RELATIONS_TAG = "mmkit_relations"
IMPORTS_TAG = "mmkit_imports"


class MmkitConfig(AppConfig):
    """mmkit's app: no models, only system checks tagged `mmkit`."""

    name = "mmkit"
    label = "mmkit"
    verbose_name = "mmkit"

    def ready(self) -> None:
        from django.core import checks

        from mmkit.django import checks as door

        # One check reports a configuration problem, whichever subset of mmkit's tags runs,
        # so `--tag mmkit` shows it once and `--tag mmkit_relations` still shows it.
        checks.register(door.check_configuration, TAG, RELATIONS_TAG, IMPORTS_TAG)
        checks.register(door.check_relations, TAG, RELATIONS_TAG)
        checks.register(door.check_imports, TAG, IMPORTS_TAG)
