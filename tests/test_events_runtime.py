"""The events runtime end to end: its own test session on SQLite and PostgreSQL, the command
line, and the Django door's system checks, each in real processes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ev_site import Site, migrated, postgres_site, sqlite_site
from postgres import PostgresServer

INNER_TESTS = 24


def _passed(result) -> int:  # type: ignore[no-untyped-def]
    found = re.search(r"(\d+) passed", result.stdout)
    return int(found.group(1)) if found else 0


def test_the_runtime_suite_passes_on_sqlite(tmp_path: Path) -> None:
    result = sqlite_site(tmp_path).pytest("runtime_events.py")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert _passed(result) == INNER_TESTS


@pytest.mark.postgres
def test_the_runtime_suite_passes_on_postgresql(tmp_path: Path, postgres: PostgresServer) -> None:
    result = postgres_site(tmp_path, postgres, "ev_inner").pytest("runtime_events.py")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert _passed(result) == INNER_TESTS


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `migrate` for the module; each test gets a copy of its SQLite file."""
    database = migrated(sqlite_site(tmp_path_factory.mktemp("ev_migrated"))).sqlite
    assert database is not None
    return database


@pytest.fixture
def site(tmp_path: Path, migrated_database: Path) -> Site:
    return sqlite_site(tmp_path, {"DELIVERY": "worker"}, database_from=migrated_database)


def test_status_retry_and_purge_from_the_command_line(site: Site) -> None:
    assert site.manage("publish_numbers", "3").returncode == 0

    before = site.manage("mmkit_events", "--status")
    drained = site.manage("mmkit_events", "--once")
    after = site.manage("mmkit_events", "--status")
    kept = site.manage("mmkit_events", "--purge-completed", "--older-than", "1")
    purged = site.manage("mmkit_events", "--purge-completed", "--older-than", "0")

    assert before.stdout.splitlines()[-2:] == [
        "ledger.record_number          3          0          0          0",
        "total                         3          0          0          0",
    ]
    assert (drained.returncode, drained.stdout, drained.stderr) == (
        0,
        "delivered 3 publication(s)\n",
        "",
    )
    assert after.stdout.splitlines()[-1] == (
        "total                         0          0          0          3"
    )
    assert kept.stdout == "deleted 0 completed publication(s)\n"
    assert purged.stdout == "deleted 3 completed publication(s)\n"
    assert site.one("SELECT count(*) FROM ledger_entry") == 3


@pytest.mark.parametrize(
    ("args", "events", "message"),
    [
        (
            ("--once",),
            {"DELIVERY": "celery"},
            "CommandError: MMKIT_EVENTS['DELIVERY'] is 'celery'; it must be 'on_commit' or "
            "'worker'",
        ),
        (
            ("--status",),
            {"LEASE": "60"},
            "CommandError: MMKIT_EVENTS['LEASE'] is '60'; it must be a number of seconds above 0",
        ),
        (
            ("--purge-completed",),
            {},
            "CommandError: --purge-completed needs --older-than DAYS (0 or more)",
        ),
        (("--discard",), {}, "CommandError: --discard needs --handler ID"),
        (("--once", "--status"), {}, "CommandError: choose one of --status, --once"),
        (("--batch-size", "0"), {}, "CommandError: --batch-size must be at least 1"),
    ],
)
def test_bad_input_is_one_line_and_exit_1_and_loses_nothing(
    site: Site, args: tuple[str, ...], events: dict[str, str], message: str
) -> None:
    assert site.manage("publish_numbers", "2").returncode == 0

    result = site.manage("mmkit_events", *args, events=events)

    assert (result.returncode, result.stderr, result.stdout) == (1, message + "\n", "")
    assert site.one("SELECT count(*) FROM mmkit_publication WHERE status = 'pending'") == 2


def test_an_unmigrated_database_is_one_line(tmp_path: Path) -> None:
    result = sqlite_site(tmp_path).manage("mmkit_events", "--once")

    assert result.returncode == 1
    assert result.stderr == (
        "CommandError: the outbox in database 'default' cannot be used (no such table: "
        "mmkit_publication); has `manage.py migrate` run?\n"
    )


def test_manage_check_reports_malformed_settings_and_bad_event_classes(site: Site) -> None:
    events = site.path / "ledger" / "events.py"
    events.write_text(
        events.read_text() + "\n\nfrom ledger.models import Entry\n\n\n@dataclass\nclass Changed:\n"
        "    entry: Entry\n"
    )
    lines = len(events.read_text().splitlines())

    result = site.manage("check", events={"DELIVERY": "later", "BATCH": 1})

    assert result.returncode == 1
    assert sorted(re.findall(r"\((mmkit\.E\d+)\) (.*)", result.stderr)) == [
        (
            "mmkit.E006",
            f"ledger/events.py:{lines - 1}:1: ledger.events.Changed is not a frozen dataclass",
        ),
        (
            "mmkit.E006",
            f"ledger/events.py:{lines}:5: ledger.events.Changed.entry is annotated Entry, a model",
        ),
        ("mmkit.E102", "MMKIT_EVENTS has an unknown key 'BATCH' (did you mean 'BATCH_SIZE'?)"),
        ("mmkit.E102", "MMKIT_EVENTS['DELIVERY'] is 'later'; it must be 'on_commit' or 'worker'"),
    ]
    assert "Traceback" not in result.stderr


def test_a_handlers_file_that_cannot_import_its_event_is_a_check_error(site: Site) -> None:
    handlers = site.path / "ledger" / "handlers.py"
    handlers.write_text(handlers.read_text().replace("Failing, Numbered", "Failling, Numbered"))

    result = site.manage("check")

    assert result.returncode == 1
    assert (
        "(mmkit.E103) ledger.handlers cannot be imported: ImportError: cannot import name "
        "'Failling' from 'ledger.events'" in result.stderr
    )
    assert "Traceback" not in result.stderr
