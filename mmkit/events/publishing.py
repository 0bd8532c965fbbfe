"""publish(): the outbox rows of one event, written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mmkit.events import conf, payload, registry

# Test helpers (mmkit.testing.events) append a list here to see every published event.
listeners: list[Callable[[Any], None]] = []


def publish(event: Any, *, using: str | None = None) -> int:
    """Write one outbox row per handler of the event's type; returns how many were written.

    The rows are part of the current transaction: a rollback takes the event with it. With
    DELIVERY = "on_commit" the handlers run in this process once the transaction commits.
    """
    from django.db import router, transaction
    from django.utils import timezone

    from mmkit.events.models import PENDING, Publication

    settings = conf.current()
    data = payload.encode(event)
    name = registry.remember(type(event))
    for listener in listeners:
        listener(event)
    handlers = registry.for_event(name)
    if not handlers:
        return 0
    database = using or router.db_for_write(Publication)
    now = timezone.now()
    rows = Publication.objects.using(database).bulk_create(
        Publication(
            event_type=name,
            handler=handler.id,
            payload=data,
            status=PENDING,
            created_at=now,
            next_attempt_at=now,
        )
        for handler in handlers
    )
    if settings.delivery == conf.ON_COMMIT:
        from mmkit.events import delivery

        ids = [row.pk for row in rows]
        transaction.on_commit(
            lambda: delivery.deliver_after_commit(ids, database), using=database, robust=True
        )
    return len(rows)
