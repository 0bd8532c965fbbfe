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

    from mmkit.events.models import Publication

    settings = conf.current()
    data = payload.encode(event)
    name = registry.remember(type(event))
    for listener in listeners:
        listener(event)
    handler_ids = registry.for_event(name)
    if not handler_ids:
        return 0
    database = using or router.db_for_write(Publication)
    ids = _insert(database, name, handler_ids, data)
    if settings.delivery == conf.ON_COMMIT:
        from mmkit.events import delivery

        transaction.on_commit(
            lambda: delivery.deliver_after_commit(ids, database), using=database, robust=True
        )
    return len(ids)


def _insert(database: str, event_type: str, handler_ids: list[str], data: Any) -> list[int]:
    """One INSERT of the rows, returning their ids; plain SQL, as publish sits in requests."""
    from django.db import connections
    from django.utils import timezone

    from mmkit.events.models import PENDING, Publication

    connection = connections[database]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    stored = Publication._meta.get_field("payload").get_db_prep_save(data, connection)
    table = connection.ops.quote_name(Publication._meta.db_table)
    row = "(%s, %s, %s, %s, 0, %s, %s, '')"
    params: list[Any] = []
    for handler_id in handler_ids:
        params += [event_type, handler_id, stored, PENDING, now, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_type, handler, payload, status, attempts, created_at, "
            f"next_attempt_at, last_error) VALUES {', '.join([row] * len(handler_ids))} "
            "RETURNING id",
            params,
        )
        return [found[0] for found in cursor.fetchall()]
