"""The AppConfig behind `"mmkit"` in INSTALLED_APPS: system checks and the events runtime.

At start-up it only registers checks and imports each app's events.py and handlers.py; the
project is read and analysed only when Django runs the checks (`manage.py check`, ...).
The app is the `mmkit` package (label `mmkit`), wherever this class lives, so settings that
name `"mmkit"` or `"mmkit.apps.MmkitConfig"` keep working.
"""

from __future__ import annotations

from django.apps import AppConfig

TAG = "mmkit"
RELATIONS_TAG = "mmkit_relations"
IMPORTS_TAG = "mmkit_imports"
EVENTS_TAG = "mmkit_events"


class MmkitConfig(AppConfig):
    """mmkit's app: the events outbox model, and system checks tagged `mmkit`."""

    name = "mmkit"
    label = "mmkit"
    verbose_name = "mmkit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from mmkit.django import checks as door

        # One check reports a configuration problem, whichever subset of mmkit's tags runs,
        # so `--tag mmkit` shows it once and `--tag mmkit_relations` still shows it.
        checks.register(door.check_configuration, TAG, RELATIONS_TAG, IMPORTS_TAG)
        checks.register(door.check_relations, TAG, RELATIONS_TAG)
        checks.register(door.check_imports, TAG, IMPORTS_TAG)
        _start_events()


def _start_events() -> None:
    """The events runtime: its checks, and every installed app's events.py and handlers.py."""
    from mmkit.events import checks as event_checks
    from mmkit.events import discovery

    event_checks.register(TAG, EVENTS_TAG)
    discovery.autodiscover()
