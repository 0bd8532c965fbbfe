"""The long-running worker behind `manage.py mmkit_events`: poll, drain, stop gracefully."""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from types import FrameType

from mmkit.events import conf, delivery


def owner_id() -> str:
    """host:pid:random: unique per worker, readable in the outbox's locked_by column."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Delivers until stopped; SIGTERM/SIGINT finish the current handler and release the rest."""

    def __init__(self, database: str, settings: conf.EventSettings) -> None:
        self.database = database
        self.settings = settings
        self.owner = owner_id()
        self.stopping = threading.Event()
        self.delivered = 0

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stopping.set()

    def install_signals(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.stop)

    def run(self, once: bool = False, report: Callable[[str], None] | None = None) -> int:
        """Deliver what is due; with once, until nothing is; else until a stop signal."""
        while not self.stopping.is_set():
            counts = delivery.drain(self.database, self.owner, self.settings, self.stopping.is_set)
            self.delivered += counts[delivery.Outcome.DELIVERED]
            if report and any(counts[o] for o in delivery.Outcome if o != "skipped"):
                report(", ".join(f"{counts[o]} {o}" for o in delivery.Outcome))
            if once:
                break
            self.stopping.wait(self.settings.poll_interval)
        return self.delivered
