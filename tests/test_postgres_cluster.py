"""The throwaway PostgreSQL cluster the events and decouple tests use: it starts and takes SQL."""

from __future__ import annotations

import psycopg
import pytest
from postgres import PostgresServer

pytestmark = pytest.mark.postgres


def test_a_fresh_database_on_the_cluster_takes_writes(postgres: PostgresServer) -> None:
    name = postgres.create_database("mmkit_smoke")
    with psycopg.connect(postgres.dsn(name)) as connection:
        connection.execute("CREATE TABLE t (n integer PRIMARY KEY)")
        connection.execute("INSERT INTO t VALUES (1), (2)")
        assert connection.execute("SELECT count(*) FROM t").fetchone() == (2,)
        assert connection.execute("SHOW server_version_num").fetchone()[0] >= "150000"


def test_re_creating_a_database_empties_it(postgres: PostgresServer) -> None:
    name = postgres.create_database("mmkit_again")
    with psycopg.connect(postgres.dsn(name), autocommit=True) as connection:
        connection.execute("CREATE TABLE t (n integer)")
    postgres.create_database(name)
    with psycopg.connect(postgres.dsn(name)) as connection:
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE tablename = 't'")
        assert tables.fetchone() == (0,)
