"""Measure the events runtime: publish overhead and delivery throughput, SQLite and PostgreSQL.

    python benchmarks/events.py [--events 4000] [--rounds 30] [--no-doc]

Runs on a copy of tests/fixtures/ev_project (one no-op handler, `ledger.ignore_ping`), on a
SQLite file and on a throwaway PostgreSQL cluster (tests/postgres.py). Figures:

- publish overhead: median over rounds of (a transaction publishing 100 events - the same
  transaction without them) / 100, with DELIVERY = "worker" so only the outbox write counts;
- on_commit throughput: events published in transactions of 100, each delivered in-process
  after its commit, deliveries per second of the whole (publish included);
- worker throughput: workers (2 on PostgreSQL, 1 on SQLite, which has no row locks to share
  work) already running; the events are committed at once; deliveries per second until the
  last is completed.

The results replace the text between the events markers in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "ev_project"
DOC = REPO / "docs" / "performance.md"
BEGIN = "<!-- bench:events:begin -->"
END = "<!-- bench:events:end -->"
BATCH = 100


def inner(kind: str, events: int, rounds: int) -> dict[str, float]:
    """In a Django process of the fixture: publish overhead and on_commit throughput."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from ledger.events import Pinged

    from mmkit.events import publish
    from mmkit.events.models import Publication

    def timed(count: int) -> float:
        start = time.perf_counter()
        with transaction.atomic():
            for number in range(count):
                publish(Pinged(number=number))
        return time.perf_counter() - start

    settings.MMKIT_EVENTS = {"DELIVERY": "worker"}
    timed(BATCH)  # warm up connections and caches
    overheads = []
    for _ in range(rounds):
        overheads.append((timed(BATCH) - timed(0)) / BATCH)
    Publication.objects.all().delete()

    settings.MMKIT_EVENTS = {"DELIVERY": "on_commit"}
    start = time.perf_counter()
    for _ in range(events // BATCH):
        timed(BATCH)
    elapsed = time.perf_counter() - start
    done = Publication.objects.filter(status="completed").count()
    Publication.objects.all().delete()
    return {"publish_ms": statistics.median(overheads) * 1000, "on_commit_per_s": done / elapsed}


COMPLETED = "SELECT count(*) FROM mmkit_publication WHERE status = 'completed'"


class Site:
    """A copy of the fixture on one database; completed() counts delivered publications."""

    def __init__(self, path: Path, env: dict[str, str], completed: Callable[[], int]) -> None:
        self.path, self.env, self.completed = path, env, completed

    def run(self, *args: str, **extra: str) -> str:
        result = subprocess.run(
            [sys.executable, *args],
            cwd=self.path,
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {result.stderr.strip()[-500:]}")
        return result.stdout


def measure(site: Site, kind: str, workers: int, events: int, rounds: int) -> dict[str, float]:
    site.run("manage.py", "migrate", "--noinput", "-v0")
    figures = json.loads(
        site.run(__file__, "--inner", kind, "--events", str(events), "--rounds", str(rounds))
    )
    env = {**site.env, "EV_EVENTS": json.dumps({"DELIVERY": "worker", "POLL_INTERVAL": 0.05})}
    started = [
        subprocess.Popen(
            [sys.executable, "manage.py", "mmkit_events"],
            cwd=site.path,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    try:
        for process in started:
            assert process.stdout is not None
            process.stdout.readline()  # "... started": Django is up
        out = site.run(
            "manage.py",
            "shell",
            "-c",
            "from django.db import transaction\n"
            "from mmkit.events import publish\n"
            "from ledger.events import Pinged\n"
            "with transaction.atomic():\n"
            f"    for n in range({events}):\n"
            "        publish(Pinged(number=n))\n"
            "import time; print(time.time())\n",
            EV_EVENTS=json.dumps({"DELIVERY": "worker"}),
        )
        committed = float(out.split()[-1])
        while site.completed() < events:
            time.sleep(0.02)
        done = time.time()
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            process.wait(timeout=60)
    figures["worker_per_s"] = events / (done - committed)
    return figures


def _sqlite_counter(database: Path) -> Callable[[], int]:
    def count() -> int:
        with sqlite3.connect(database, timeout=30) as connection:
            return int(connection.execute(COMPLETED).fetchone()[0])

    return count


def _postgres_counter(dsn: str) -> Callable[[], int]:
    def count() -> int:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as connection:
            row = connection.execute(COMPLETED).fetchone()
            return int(row[0]) if row else 0

    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.inner, args.events, args.rounds)))
        return

    sys.path.insert(0, str(REPO / "tests"))
    import postgres  # tests/postgres.py: the throwaway cluster

    base = Path(tempfile.mkdtemp(prefix="mmkit-bench-events-"))
    server, stop = postgres.start()
    results = {}
    try:
        for kind, workers in (("sqlite", 1), ("sqlite-wal", 1), ("postgres", 2)):
            path = base / kind
            shutil.copytree(FIXTURE, path, ignore=shutil.ignore_patterns("__pycache__"))
            env = {
                **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
                "PYTHONPATH": str(path),
                "DJANGO_SETTINGS_MODULE": "evsite.settings",
            }
            if kind.startswith("sqlite"):
                database = path / "bench.sqlite3"
                env["EV_SQLITE"] = str(database)
                if kind == "sqlite-wal":
                    env["EV_SQLITE_WAL"] = "1"
                completed = _sqlite_counter(database)
            else:
                server.create_database("bench_events")
                env.update(
                    EV_DB="postgres",
                    EV_DB_NAME="bench_events",
                    EV_PG_HOST=str(server.socket_dir),
                    EV_PG_PORT=str(server.port),
                    EV_PG_USER=server.user,
                )
                completed = _postgres_counter(server.dsn("bench_events"))
            results[kind] = measure(
                Site(path, env, completed), kind, workers, args.events, args.rounds
            )
            results[kind]["workers"] = workers
    finally:
        stop()
        shutil.rmtree(base, ignore_errors=True)
    text = report(results, args)
    print(text)
    if not args.no_doc:
        doc = DOC.read_text()
        head, _, rest = doc.partition(BEGIN)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    when = dt.date.today().isoformat()
    rows = [
        "| database | publish overhead per event (median) | on_commit deliveries/s | "
        "worker deliveries/s |",
        "|---|---:|---:|---:|",
    ]
    labels = (
        ("sqlite", "SQLite (Django's defaults)"),
        ("sqlite-wal", "SQLite, WAL and synchronous=NORMAL"),
        ("postgres", "PostgreSQL 15 (fsync off)"),
    )
    for kind, label in labels:
        r = results[kind]
        workers = int(r["workers"])
        rows.append(
            f"| {label} | {r['publish_ms']:.3f} ms | {r['on_commit_per_s']:,.0f} (1 process) | "
            f"{r['worker_per_s']:,.0f} ({workers} worker{'s' if workers > 1 else ''}) |"
        )
    pg = results["postgres"]
    verdicts = [
        f"- publish adds at most 1 ms per event: "
        f"{'met' if max(r['publish_ms'] for r in results.values()) <= 1 else 'NOT met'} "
        f"(SQLite {results['sqlite']['publish_ms']:.3f} ms, PostgreSQL {pg['publish_ms']:.3f} ms).",
        f"- 2 workers on PostgreSQL deliver at least 1,000 no-op events/s: "
        f"{'met' if pg['worker_per_s'] >= 1000 else 'NOT met'} ({pg['worker_per_s']:,.0f}/s).",
    ]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return "\n".join(
        [
            f"Measured {when} on {platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} cores, {args.events:,} events, {args.rounds} rounds of {BATCH} "
            f"for the publish overhead; load average at the end {load} (1, 5, 15 min).",
            "",
            *rows,
            "",
            *verdicts,
        ]
    )


if __name__ == "__main__":
    main()
