"""What an operator does to the outbox: counts per handler and state, requeue, purge, discard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from mmkit.events import registry
from mmkit.events.models import COMPLETED, DEAD, OPEN, PENDING, STATES, Publication


@dataclass(frozen=True)
class HandlerStatus:
    """Counts of one handler's publications per state; known is False for a vanished handler."""

    handler: str
    counts: tuple[tuple[str, int], ...]
    known: bool

    def count(self, state: str) -> int:
        return dict(self.counts).get(state, 0)


def status(database: str) -> list[HandlerStatus]:
    """Every handler (registered or still in the table) with its counts per state."""
    known = registry.by_id()
    found: dict[str, dict[str, int]] = {handler: {} for handler in known}
    rows = (
        Publication.objects.using(database)
        .values_list("handler", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for handler, state, n in rows:
        found.setdefault(handler, {})[state] = n
    return [
        HandlerStatus(
            handler=handler,
            counts=tuple((state, counts.get(state, 0)) for state in STATES),
            known=handler in known,
        )
        for handler, counts in sorted(found.items())
    ]


def unknown_open(database: str) -> dict[str, int]:
    """Open publications of handler ids that no registered handler has: never delivered."""
    rows = (
        Publication.objects.using(database)
        .filter(status__in=OPEN)
        .exclude(handler__in=list(registry.by_id()))
        .values_list("handler")
        .annotate(n=Count("pk"))
        .order_by("handler")
    )
    return dict(rows)


def retry_dead(database: str, handler: str | None = None) -> int:
    """Requeue dead publications (of one handler): due now, with a fresh count of attempts."""
    rows = Publication.objects.using(database).filter(status=DEAD)
    if handler is not None:
        rows = rows.filter(handler=handler)
    return rows.update(
        status=PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        locked_by=None,
        locked_until=None,
    )


def purge_completed(database: str, older_than_days: float) -> int:
    """Delete completed publications completed more than that many days ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = (
        Publication.objects.using(database)
        .filter(status=COMPLETED, completed_at__lt=cutoff)
        .delete()
    )
    return deleted


def discard(database: str, handler: str) -> int:
    """Delete the open publications of a handler id that no longer exists (deliberately)."""
    deleted, _ = (
        Publication.objects.using(database).filter(handler=handler, status__in=OPEN).delete()
    )
    return deleted
