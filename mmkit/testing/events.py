"""Test helpers for events: see what a block of code published, and deliver it now.

Usable from any test (Django's TestCase or pytest); deliver_now goes through the real delivery
path (claim, handler in its own transaction or savepoint, completion), so a test inside a
transaction that is rolled back afterwards sees exactly what production would do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from mmkit.events import publishing

E = TypeVar("E")


@dataclass(frozen=True)
class OutboxRow:
    """One publication as a test sees it: which handler, in which state, after how many tries."""

    event_type: str
    handler: str
    status: str
    attempts: int
    last_error: str


def outbox(handler: str | None = None, using: str | None = None) -> list[OutboxRow]:
    """The publications in the outbox (of one handler id), oldest first."""
    from django.db import DEFAULT_DB_ALIAS

    from mmkit.events.models import Publication

    rows = Publication.objects.using(using or DEFAULT_DB_ALIAS).order_by("id")
    if handler is not None:
        rows = rows.filter(handler=handler)
    return [
        OutboxRow(row.event_type, row.handler, row.status, row.attempts, row.last_error)
        for row in rows
    ]


class CapturedEvents(list[Any]):
    """The events published while capturing, in order, whether or not anyone handles them."""

    def of(self, event_type: type[E]) -> list[E]:
        """The captured events of one type."""
        return [event for event in self if isinstance(event, event_type)]

    def assert_published(self, event_type: type[E], **expected: Any) -> E:
        """The one event of this type whose fields equal `expected`; AssertionError otherwise."""
        candidates = self.of(event_type)
        names = {field.name for field in fields(event_type)}  # type: ignore[arg-type]
        unknown = sorted(set(expected) - names)
        if unknown:
            raise AssertionError(f"{event_type.__name__} has no field(s) {', '.join(unknown)}")
        matching = [
            event
            for event in candidates
            if all(getattr(event, name) == value for name, value in expected.items())
        ]
        if len(matching) != 1:
            raise AssertionError(
                f"expected one {event_type.__name__} with {expected or 'any fields'}, "
                f"found {len(matching)}; published: {list(self)!r}"
            )
        return matching[0]

    def assert_not_published(self, event_type: type) -> None:
        """AssertionError naming them when any event of this type was published."""
        found = self.of(event_type)
        if found:
            raise AssertionError(f"expected no {event_type.__name__}, published: {found!r}")


@contextmanager
def capture_events() -> Iterator[CapturedEvents]:
    """`with capture_events() as events:` collects every event published inside the block."""
    captured = CapturedEvents()
    publishing.listeners.append(captured.append)
    try:
        yield captured
    finally:
        publishing.listeners.remove(captured.append)


def deliver_now(*, retry_failed: bool = False, using: str | None = None) -> int:
    """Deliver every due publication through the real delivery path; how many were delivered.

    Failed publications wait for their backoff; retry_failed=True makes them due now, so a
    test can show that a failing handler is retried.
    """
    from django.db import DEFAULT_DB_ALIAS
    from django.utils import timezone

    from mmkit.events import conf, delivery
    from mmkit.events.models import FAILED, Publication
    from mmkit.events.worker import owner_id

    database = using or DEFAULT_DB_ALIAS
    if retry_failed:
        Publication.objects.using(database).filter(status=FAILED).update(
            next_attempt_at=timezone.now()
        )
    counts = delivery.drain(database, owner_id(), conf.current())
    return counts[delivery.Outcome.DELIVERED]
