"""Workers as real processes on PostgreSQL: four share 2,000 publications, and a worker killed
with SIGKILL mid-batch loses nothing once its lease runs out."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from ev_site import WAIT, Site, migrated, postgres_site, wait_until
from postgres import PostgresServer

pytestmark = pytest.mark.postgres
WORKER = {"DELIVERY": "worker", "LEASE": 2, "POLL_INTERVAL": 0.2}


def _states(site: Site) -> dict[str, int]:
    return dict(site.sql("SELECT status, count(*) FROM mmkit_publication GROUP BY status"))


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=WAIT)
    return process.returncode, out, err


def test_four_workers_deliver_2000_publications_each_exactly_once(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    site = migrated(postgres_site(tmp_path, postgres, "ev_concurrency", WORKER))
    assert site.manage("publish_numbers", "2000").returncode == 0
    assert _states(site) == {"pending": 2000}

    workers = [site.start("mmkit_events", "--once", "--batch-size", "20") for _ in range(4)]
    results = [_finish(worker) for worker in workers]

    assert [code for code, _, _ in results] == [0, 0, 0, 0], [err for _, _, err in results]
    delivered = [int(out.split()[1]) for _, out, _ in results]
    assert sum(delivered) == 2000
    assert site.one("SELECT count(*) FROM ledger_entry") == 2000
    assert site.one("SELECT count(DISTINCT number) FROM ledger_entry") == 2000
    assert _states(site) == {"completed": 2000}
    # A second run of a completed publication's handler would have hit the unique number,
    # failed, and counted an attempt: every publication took exactly one.
    assert site.sql("SELECT attempts, count(*) FROM mmkit_publication GROUP BY attempts") == [
        (1, 2000)
    ]


def test_a_worker_killed_mid_batch_loses_nothing_after_its_lease(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    site = migrated(postgres_site(tmp_path, postgres, "ev_crash", WORKER))
    assert site.manage("publish_numbers", "300").returncode == 0

    doomed = site.start("mmkit_events", "--batch-size", "100", EV_HANDLER_SLEEP="0.02")
    wait_until(lambda: site.one("SELECT count(*) FROM ledger_entry") >= 10, "the first deliveries")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=WAIT)
    held = {
        number
        for (number,) in site.sql(
            "SELECT (payload->>'number')::int FROM mmkit_publication "
            "WHERE status = 'pending' AND locked_by IS NOT NULL"
        )
    }
    done_by_doomed = site.one("SELECT count(*) FROM ledger_entry")
    assert held, "the killed worker held no claimed publications: it was not mid-batch"
    assert doomed.returncode == -signal.SIGKILL

    others = [site.start("mmkit_events", "--batch-size", "25") for _ in range(2)]
    try:
        wait_until(lambda: _states(site) == {"completed": 300}, "the others to finish")
    finally:
        for worker in others:
            worker.send_signal(signal.SIGTERM)
    results = [_finish(worker) for worker in others]

    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert site.one("SELECT count(*) FROM ledger_entry") == 300
    assert site.one("SELECT count(DISTINCT number) FROM ledger_entry") == 300
    assert site.sql("SELECT attempts, count(*) FROM mmkit_publication GROUP BY attempts") == [
        (1, 300)
    ]
    taken_over = site.sql(
        "SELECT count(*) FROM ledger_entry WHERE worker <> "
        f"{doomed.pid} AND number IN ({','.join(map(str, sorted(held)))})"
    )
    assert taken_over == [(len(held),)]
    assert done_by_doomed >= 10


def test_sigterm_finishes_the_current_handler_and_releases_the_rest(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    site = migrated(postgres_site(tmp_path, postgres, "ev_sigterm", WORKER))
    assert site.manage("publish_numbers", "200").returncode == 0

    worker = site.start("mmkit_events", "--batch-size", "100", EV_HANDLER_SLEEP="0.05")
    wait_until(lambda: site.one("SELECT count(*) FROM ledger_entry") >= 3, "the first deliveries")
    worker.send_signal(signal.SIGTERM)
    code, out, err = _finish(worker)

    assert code == 0, err
    delivered = site.one("SELECT count(*) FROM ledger_entry")
    assert out.splitlines()[-1] == f"delivered {delivered} publication(s)"
    assert _states(site) == {"completed": delivered, "pending": 200 - delivered}
    assert site.one("SELECT count(*) FROM mmkit_publication WHERE locked_by IS NOT NULL") == 0
