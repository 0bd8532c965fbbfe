"""A throwaway PostgreSQL cluster for the tests whose guarantees only a real server can show.

The cluster lives in a temporary directory, listens on a unix socket only (no TCP port to clash
with), and is started once per test session and stopped at its end. PostgreSQL refuses to run as
root, and CI runs as root: then the cluster belongs to the `postgres` system user, via `runuser`.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PORT = 5432
SERVER_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The machine has no PostgreSQL server binaries (never acceptable in CI: see the fixture)."""


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway cluster: where its socket is, and who may connect without a password."""

    socket_dir: Path
    port: int
    user: str

    def create_database(self, name: str) -> str:
        """Create (or re-create) an empty database, so each test starts from nothing."""
        with self._admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def django_database(self, name: str) -> dict[str, Any]:
        """A DATABASES entry for Django's PostgreSQL backend (psycopg 3) on this cluster."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": self.user,
            "HOST": str(self.socket_dir),
            "PORT": str(self.port),
            "TEST": {"NAME": f"test_{name}"},
        }

    def dsn(self, name: str) -> str:
        """A libpq connection string for psycopg, for tests that look at rows directly."""
        return f"host={self.socket_dir} port={self.port} user={self.user} dbname={name}"

    def _admin_connection(self) -> Any:
        import psycopg

        return psycopg.connect(self.dsn("postgres"), autocommit=True)


# Debian keeps the server binaries out of PATH, and a minimal PATH may lack the sbin folders.
SERVER_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SYSTEM_BIN = "/usr/sbin:/sbin:/usr/bin:/bin"


def _binary(name: str) -> str:
    """A PostgreSQL server binary: on PATH, else in Debian's versioned folder (newest first)."""
    found = shutil.which(name)
    for folder in sorted(Path("/").glob(SERVER_BIN_GLOB.lstrip("/")), reverse=True):
        found = found or shutil.which(name, path=str(folder))
    if found is None:
        raise PostgresUnavailable(f"no PostgreSQL server binaries on PATH ({name} not found)")
    return found


def _as_server_user(command: list[str]) -> list[str]:
    """Run as `postgres` when we are root (the server refuses root), as ourselves otherwise."""
    if os.geteuid() == 0:
        runuser = shutil.which("runuser") or shutil.which("runuser", path=SYSTEM_BIN)
        if runuser is None:
            raise PostgresUnavailable("runuser not found: cannot start PostgreSQL as root")
        return [runuser, "-u", SERVER_USER, "--", *command]
    return command


def start() -> tuple[PostgresServer, Callable[[], None]]:
    """initdb + pg_ctl start in a fresh temporary directory; returns the server and its stop."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    base = Path(tempfile.mkdtemp(prefix="mmkit-pg-"))
    data, sockets, log = base / "data", base / "socket", base / "server.log"
    sockets.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam(SERVER_USER)
        for path in (base, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        user = SERVER_USER
    else:
        user = pwd.getpwuid(os.geteuid()).pw_name
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        _as_server_user(
            [initdb, "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync"]
        ),
        **quiet,
    )
    options = f"-k {sockets} -c listen_addresses='' -p {PORT} -F -c max_connections=100"
    subprocess.run(
        _as_server_user([pg_ctl, "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]),
        **quiet,
    )
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    return PostgresServer(socket_dir=sockets, port=PORT, user=user), stop
