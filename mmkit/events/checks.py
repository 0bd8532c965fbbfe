"""System checks of the events runtime: settings, handlers and the outbox's rows.

The ids are in mmkit's rule catalogue (`mmkit explain mmkit.E102`); this file only uses them,
so the runtime imports nothing of the analysis.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.core import checks

from mmkit.events import conf, discovery, registry

SETTINGS_ID = "mmkit.E102"
HANDLER_ID = "mmkit.E103"
ORPHANS_ID = "mmkit.E104"


def register(*tags: str) -> None:
    """Register the checks; the outbox check is a database check (`check --database default`)."""
    checks.register(check_settings, *tags)
    checks.register(check_handlers, *tags)
    checks.register(check_orphans, *tags, checks.Tags.database)


def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    from django.conf import settings

    return [
        checks.Error(
            problem,
            hint="See the README's section 'Events between modules' for each key.",
            id=SETTINGS_ID,
        )
        for problem in conf.problems(getattr(settings, "MMKIT_EVENTS", None))
    ]


def check_handlers(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    """handlers.py/events.py that fail to import, unknown event names, duplicate handler ids."""
    found = [
        checks.Error(
            f"{problem.module} cannot be imported: {problem.error}",
            hint="Fix the import: a handler's event class must exist in the publishing "
            "module's events.py.",
            id=HANDLER_ID,
        )
        for problem in discovery.problems
    ]
    handlers = registry.all_handlers()
    known = registry.known_event_names()
    for handler in handlers:
        if isinstance(handler.event, str) and handler.event not in known:
            if not _label_installed(handler.event.rpartition(".")[0]):
                continue  # the publishing module is left out (`mmkit test`): nothing to receive
            close = difflib.get_close_matches(handler.event, known, n=1)
            maybe = f" (did you mean {close[0]!r}?)" if close else ""
            found.append(
                checks.Error(
                    f"handler {handler.id} ({handler.where}) handles {handler.event!r}, which "
                    f"no installed app's events.py declares{maybe}",
                    hint="Name the event 'label.ClassName' as its module's events.py declares it.",
                    obj=handler.where,
                    id=HANDLER_ID,
                )
            )
    duplicates = [hid for hid, n in Counter(h.id for h in handlers).items() if n > 1]
    for handler_id in duplicates:
        where = ", ".join(h.where for h in handlers if h.id == handler_id)
        found.append(
            checks.Error(
                f"two handlers share the id {handler_id}: {where}",
                hint="Give each handler function of an app its own name.",
                id=HANDLER_ID,
            )
        )
    return found


def _label_installed(label: str) -> bool:
    from django.apps import apps

    try:
        apps.get_app_config(label)
    except LookupError:
        return False
    return True


def check_orphans(
    app_configs: Sequence[Any] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[Any]:
    """Open publications of handlers that no longer exist: they would wait forever."""
    from django.db import DatabaseError

    from mmkit.events import operations

    found = []
    for database in databases or ():
        try:
            orphans = operations.unknown_open(database)
        except DatabaseError:
            continue  # not migrated yet: nothing can be waiting
        for handler, n in orphans.items():
            found.append(
                checks.Error(
                    f"{n} publication(s) in database {database!r} wait for handler {handler}, "
                    "which no longer exists",
                    hint=f"Restore the handler (an app's handlers.py, function name "
                    f"{handler.rpartition('.')[2]}), or drop them deliberately: "
                    f"manage.py mmkit_events --discard --handler {handler}",
                    id=ORPHANS_ID,
                )
            )
    return found
