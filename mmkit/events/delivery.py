"""Delivering publications: claim due rows under a lease, run each handler, record the outcome.

Each publication is delivered in one transaction: it marks the row completed (which locks it)
and runs the handler, so the handler's writes and the completion commit together, and a handler
that only writes to the database takes effect exactly once. A failure is recorded afterwards.
"""

from __future__ import annotations

import json
import logging
import random
import traceback
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mmkit.events import conf, payload, registry
from mmkit.events.errors import Permanent
from mmkit.events.models import COMPLETED, DEAD, FAILED, OPEN, PENDING, Publication

logger = logging.getLogger("mmkit.events")
ERROR_LIMIT = 10_000


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"
    SKIPPED = "skipped"


def backoff(attempts: int, settings: conf.EventSettings, rand: float | None = None) -> float:
    """Seconds to wait after the attempts-th failure: exponential, capped, "equal jitter".

    The delay lies in [d/2, d] for d = BACKOFF * 2**(attempts-1) (at most MAX_BACKOFF), so
    retries of many failed rows spread out instead of hitting a recovering service together.
    """
    ceiling = min(settings.backoff * 2 ** (attempts - 1), settings.max_backoff)
    share = random.random() if rand is None else rand
    return ceiling / 2 + ceiling / 2 * share


def _not_leased(now: datetime) -> Q:
    return Q(locked_until__isnull=True) | Q(locked_until__lte=now)


def _due(database: str, now: datetime) -> QuerySet[Publication]:
    """Publications of known handlers that nobody leases and whose next attempt is due."""
    return Publication.objects.using(database).filter(
        _not_leased(now), next_attempt_at__lte=now, handler__in=list(registry.by_id())
    )


def claim(database: str, owner: str, settings: conf.EventSettings, limit: int) -> list[int]:
    """Lease up to `limit` due publications of known handlers to `owner`; their ids, oldest first.

    SKIP LOCKED lets any number of workers claim side by side without waiting on each other.
    """
    now = timezone.now()
    with transaction.atomic(using=database):
        ids = list(
            _due(database, now)
            .select_for_update(skip_locked=True)
            .filter(status__in=OPEN)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Publication.objects.using(database).filter(pk__in=ids).update(
                locked_by=owner, locked_until=now + timedelta(seconds=settings.lease)
            )
    return ids


def release(database: str, owner: str) -> int:
    """Give back what `owner` claimed but did not deliver (a graceful stop)."""
    return (
        Publication.objects.using(database)
        .filter(locked_by=owner, status__in=OPEN)
        .update(locked_by=None, locked_until=None)
    )


def deliver(
    pk: int, database: str, settings: conf.EventSettings, owner: str | None = None
) -> Outcome:
    """Run one publication's handler and record the outcome.

    One transaction takes the row (marks it completed, or deletes it) and runs the handler:
    both commit or neither does. If the handler raises, that transaction is rolled back and
    the failure is recorded in a second one. With an owner only a row it still leases is
    delivered (a lease taken over by another worker is skipped); without one (on_commit)
    only a row nobody leases.
    """
    try:
        with transaction.atomic(using=database):
            taken = _take(pk, database, owner, settings.keep_completed)
            if taken is None:
                return Outcome.SKIPPED
            event_type, handler_id, data = taken
            handler = registry.by_id().get(handler_id)
            if handler is None:
                transaction.set_rollback(True, using=database)
                return Outcome.SKIPPED
            handler.function(_event_of(event_type, data, handler))
        return Outcome.DELIVERED
    except Exception as error:
        with transaction.atomic(using=database):
            row = _locked(pk, database, owner)
            if row is None:
                return Outcome.SKIPPED
            return _failed(row, error, settings, database)


def _lease_condition(owner: str | None, now: Any) -> tuple[str, list[Any]]:
    if owner:
        return "locked_by = %s", [owner]
    return "(locked_until IS NULL OR locked_until <= %s)", [now]


def _take(pk: int, database: str, owner: str | None, keep: bool) -> tuple[str, str, Any] | None:
    """Mark the row completed (or delete it) if it is ours to deliver: (type, handler, payload).

    One statement, so a delivery costs two round trips besides the handler's own: this and the
    commit. It waits for a row lock rather than skipping it: the holder is either a claim that
    only looked at the row (the delivery then goes on) or a worker that took the lease over
    (the condition, checked again once the lock is free, then no longer holds).
    """
    connection = connections[database]
    table = connection.ops.quote_name(Publication._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    lease, lease_params = _lease_condition(owner, now)
    condition = f"id = %s AND status IN ('{PENDING}', '{FAILED}') AND {lease}"
    if keep:
        change = (
            f"UPDATE {table} SET status = '{COMPLETED}', attempts = attempts + 1, "
            "completed_at = %s, locked_by = NULL, locked_until = NULL"
        )
        params: list[Any] = [now]
    else:
        change, params = f"DELETE FROM {table}", []
    with connection.cursor() as cursor:
        cursor.execute(
            f"{change} WHERE {condition} RETURNING event_type, handler, payload",
            [*params, pk, *lease_params],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    event_type, handler_id, data = found
    return event_type, handler_id, json.loads(data) if isinstance(data, str | bytes) else data


def _locked(pk: int, database: str, owner: str | None) -> Publication | None:
    """The open row, locked for this transaction, if it is ours to deliver (else None)."""
    now = timezone.now()
    rows = Publication.objects.using(database).select_for_update()
    rows = rows.filter(pk=pk, status__in=OPEN)
    rows = rows.filter(locked_by=owner) if owner else rows.filter(_not_leased(now))
    return rows.first()


def _event_of(name: str, data: Any, handler: registry.Handler) -> Any:
    event_type = handler.event if isinstance(handler.event, type) else registry.event_type(name)
    if event_type is None:
        raise LookupError(f"no events.py of an installed app declares {name!r}")
    return payload.decode(event_type, data)


def _failed(
    row: Publication, error: Exception, settings: conf.EventSettings, database: str
) -> Outcome:
    row.attempts += 1
    text = "".join(traceback.format_exception(error))
    row.last_error = text[-ERROR_LIMIT:]
    row.locked_by = row.locked_until = None
    if isinstance(error, Permanent) or row.attempts >= settings.max_attempts:
        row.status = DEAD
        outcome = Outcome.DEAD
    else:
        row.status = FAILED
        delay = backoff(row.attempts, settings)
        row.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        outcome = Outcome.FAILED
    row.save(
        using=database,
        update_fields=[
            "status",
            "attempts",
            "last_error",
            "locked_by",
            "locked_until",
            "next_attempt_at",
        ],
    )
    logger.warning(
        "handler %s failed on %s (attempt %d, now %s): %s",
        row.handler,
        row.event_type,
        row.attempts,
        row.status,
        error,
        exc_info=error,
    )
    return outcome


def deliver_after_commit(ids: Iterable[int], database: str) -> None:
    """on_commit delivery: this transaction's rows, then a batch of what else is due.

    What else: failed rows whose backoff is over, and pending rows older than a lease, which a
    process that died between its commit and this callback left behind.
    """
    settings = conf.current()
    for pk in ids:
        deliver(pk, database, settings)
    now = timezone.now()
    stale = now - timedelta(seconds=settings.lease)
    due = (
        _due(database, now)
        .filter(Q(status=FAILED) | Q(status=PENDING, created_at__lte=stale))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: settings.batch_size]
    )
    for pk in list(due):
        deliver(pk, database, settings)


def drain(
    database: str, owner: str, settings: conf.EventSettings, should_stop: Any = None
) -> dict[Outcome, int]:
    """Claim and deliver batches until nothing is due (or should_stop() says so)."""
    counts = dict.fromkeys(Outcome, 0)
    claimed = False
    try:
        while not (should_stop and should_stop()):
            ids = claim(database, owner, settings, settings.batch_size)
            if not ids:
                break
            claimed = True
            for pk in ids:
                if should_stop and should_stop():
                    break
                counts[deliver(pk, database, settings, owner)] += 1
    finally:
        if claimed:
            release(database, owner)
    return counts
