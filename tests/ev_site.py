"""The events fixture project (tests/fixtures/ev_project) copied, migrated and run as processes.

A Site is one copy on one database (SQLite file or a database of the throwaway PostgreSQL
cluster); tests run its manage.py as real processes, as production runs workers.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postgres import PostgresServer

FIXTURE = Path(__file__).parent / "fixtures" / "ev_project"
WAIT = 120.0


@dataclass(frozen=True)
class Site:
    """A copy of the events fixture and the environment that points it at its database."""

    path: Path
    env: dict[str, str]
    dsn: str | None = None
    sqlite: Path | None = None
    events: dict[str, Any] = field(default_factory=dict)

    def environment(self, events: dict[str, Any] | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(self.env, PYTHONDONTWRITEBYTECODE="1", **extra)
        env["EV_EVENTS"] = json.dumps({**self.events, **(events or {})})
        return env

    def manage(
        self, *args: str, events: dict[str, Any] | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.path,
            env=self.environment(events, **extra),
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )

    def start(
        self, *args: str, events: dict[str, Any] | None = None, **extra: str
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=self.path,
            env=self.environment(events, **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def pytest(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *args],
            cwd=self.path,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        """Rows of a query, read outside Django, as an operator would."""
        if self.dsn is not None:
            import psycopg

            with psycopg.connect(self.dsn, autocommit=True) as connection:
                return list(connection.execute(query).fetchall())
        assert self.sqlite is not None
        with sqlite3.connect(self.sqlite, timeout=30) as connection:
            return list(connection.execute(query).fetchall())

    def one(self, query: str) -> Any:
        return self.sql(query)[0][0]


def copy_site(tmp_path: Path) -> Path:
    target = tmp_path / "ev_project"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    return target


def sqlite_site(
    tmp_path: Path, events: dict[str, Any] | None = None, database_from: Path | None = None
) -> Site:
    """A copy on its own SQLite file: empty, or a copy of database_from (a migrated one)."""
    path = copy_site(tmp_path)
    database = tmp_path / "ev.sqlite3"
    if database_from is not None:
        shutil.copyfile(database_from, database)
    return Site(path, {"EV_SQLITE": str(database)}, sqlite=database, events=events or {})


def postgres_site(
    tmp_path: Path, server: PostgresServer, name: str, events: dict[str, Any] | None = None
) -> Site:
    path = copy_site(tmp_path)
    server.create_database(name)
    env = {
        "EV_DB": "postgres",
        "EV_DB_NAME": name,
        "EV_PG_HOST": str(server.socket_dir),
        "EV_PG_PORT": str(server.port),
        "EV_PG_USER": server.user,
    }
    return Site(path, env, dsn=server.dsn(name), events=events or {})


def migrated(site: Site) -> Site:
    result = site.manage("migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    return site


def wait_until(condition: Callable[[], bool], what: str, limit: float = WAIT) -> None:
    """Poll until condition() holds; after `limit` seconds fail with `what` (a hang, not speed)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)
