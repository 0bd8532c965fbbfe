"""Import every installed app's events.py and handlers.py, as the admin imports admin.py."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from mmkit.events import registry


@dataclass(frozen=True)
class ImportProblem:
    """A handlers.py or events.py that could not be imported: reported by the system checks."""

    module: str
    error: str


problems: list[ImportProblem] = []


def autodiscover() -> None:
    """Register each app's event classes and handlers; import errors become check errors."""
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    problems.clear()
    for config in apps.get_app_configs():
        for submodule in ("events", "handlers"):
            if not module_has_submodule(config.module, submodule):
                continue
            dotted = f"{config.name}.{submodule}"
            try:
                module = importlib.import_module(dotted)
            except ImportError as error:
                problems.append(ImportProblem(dotted, f"{type(error).__name__}: {error}"))
                continue
            if submodule == "events":
                _remember_events(module)


def _remember_events(module: object) -> None:
    for _, value in inspect.getmembers(module, inspect.isclass):
        if value.__module__ == getattr(module, "__name__", None) and registry.is_event_class(value):
            registry.remember(value)
