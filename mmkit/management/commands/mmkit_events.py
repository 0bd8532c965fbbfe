"""`manage.py mmkit_events`: the outbox worker, and the operator's view of the outbox.

A thin door over mmkit.events.worker and mmkit.events.operations; every problem is one line
and a non-zero exit (CommandError), never a traceback.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from mmkit.events import conf, operations
from mmkit.events.errors import EventSettingsError
from mmkit.events.models import STATES
from mmkit.events.worker import Worker

ACTIONS = ("status", "retry_dead", "purge_completed", "discard")


class Command(BaseCommand):
    # A worker starts often (deploys, cron): it checks its own settings, not the whole project.
    requires_system_checks: ClassVar[list[str]] = []
    help = (
        "Deliver published events to their handlers (a long-running worker; --once drains and "
        "exits), or inspect and repair the outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Deliver everything due, then exit."
        )
        parser.add_argument(
            "--status", action="store_true", help="Print counts per state and handler."
        )
        parser.add_argument(
            "--retry-dead", action="store_true", help="Requeue dead publications (see --handler)."
        )
        parser.add_argument(
            "--purge-completed",
            action="store_true",
            help="Delete completed publications older than --older-than DAYS.",
        )
        parser.add_argument(
            "--discard",
            action="store_true",
            help="Delete the waiting publications of a --handler that no longer exists.",
        )
        parser.add_argument("--handler", help="Limit --retry-dead to one handler id.")
        parser.add_argument(
            "--older-than", type=float, metavar="DAYS", help="For --purge-completed."
        )
        parser.add_argument("--batch-size", type=int, help="Publications claimed at a time.")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database of the outbox."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            settings = conf.current()
        except EventSettingsError as error:
            raise CommandError(str(error)) from None
        chosen = [action for action in ACTIONS if options[action]]
        if len(chosen) > 1 or (chosen and options["once"]):
            names = ", ".join("--" + a.replace("_", "-") for a in chosen)
            raise CommandError(f"choose one of {names}{', --once' if options['once'] else ''}")
        if options["batch_size"] is not None:
            if options["batch_size"] < 1:
                raise CommandError("--batch-size must be at least 1")
            settings = dataclasses.replace(settings, batch_size=options["batch_size"])
        database = options["database"]
        try:
            if chosen:
                getattr(self, chosen[0])(database, options)
            else:
                self.work(database, settings, options["once"])
        except DatabaseError as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
            raise CommandError(
                f"the outbox in database {database!r} cannot be used ({first}); "
                "has `manage.py migrate` run?"
            ) from None

    def work(self, database: str, settings: conf.EventSettings, once: bool) -> None:
        for handler, n in operations.unknown_open(database).items():
            self.stderr.write(
                f"warning: {n} publication(s) wait for handler {handler}, which no longer "
                f"exists (see manage.py check --database {database})"
            )
        worker = Worker(database, settings)
        worker.install_signals()
        if not once:
            self.stdout.write(f"mmkit_events worker {worker.owner} started")
        delivered = worker.run(once=once, report=None if once else self.stdout.write)
        self.stdout.write(f"delivered {delivered} publication(s)")

    def status(self, database: str, options: dict[str, Any]) -> None:
        rows = operations.status(database)
        width = max([len("handler"), *(len(row.handler) for row in rows)])
        self.stdout.write(f"{'handler':<{width}}  " + "  ".join(f"{s:>9}" for s in STATES))
        for row in rows:
            note = "" if row.known else "  (no such handler)"
            counts = "  ".join(f"{row.count(s):>9}" for s in STATES)
            self.stdout.write(f"{row.handler:<{width}}  {counts}{note}")
        totals = "  ".join(f"{sum(row.count(s) for row in rows):>9}" for s in STATES)
        self.stdout.write(f"{'total':<{width}}  {totals}")

    def retry_dead(self, database: str, options: dict[str, Any]) -> None:
        n = operations.retry_dead(database, options["handler"])
        self.stdout.write(f"requeued {n} dead publication(s)")

    def purge_completed(self, database: str, options: dict[str, Any]) -> None:
        days = options["older_than"]
        if days is None or days < 0:
            raise CommandError("--purge-completed needs --older-than DAYS (0 or more)")
        n = operations.purge_completed(database, days)
        self.stdout.write(f"deleted {n} completed publication(s)")

    def discard(self, database: str, options: dict[str, Any]) -> None:
        handler = options["handler"]
        if not handler:
            raise CommandError("--discard needs --handler ID")
        if handler in operations.registry.by_id():
            raise CommandError(
                f"handler {handler} exists: its publications are delivered, not discarded"
            )
        n = operations.discard(database, handler)
        self.stdout.write(f"discarded {n} publication(s) of {handler}")
