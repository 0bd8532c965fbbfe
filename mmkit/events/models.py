"""The outbox: one Publication row per (event, handler), kept in the `mmkit` app's tables."""

from __future__ import annotations

from django.db import models

PENDING = "pending"
FAILED = "failed"
DEAD = "dead"
COMPLETED = "completed"
OPEN = (PENDING, FAILED)
STATES = (PENDING, FAILED, DEAD, COMPLETED)


class Publication(models.Model):
    """One event waiting for, or delivered to, one handler.

    locked_by/locked_until are a worker's lease on the row; once it runs out, another worker
    takes the row over, so a crashed worker's claims are never stuck.
    """

    event_type = models.CharField(max_length=200)
    handler = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=[(state, state) for state in STATES], default=PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    locked_by = models.CharField(max_length=100, null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        app_label = "mmkit"
        indexes = (
            models.Index(fields=["status", "next_attempt_at"], name="mmkit_pub_due"),
            models.Index(fields=["handler", "status"], name="mmkit_pub_handler"),
        )

    def __str__(self) -> str:
        return f"{self.event_type} -> {self.handler} ({self.status})"
