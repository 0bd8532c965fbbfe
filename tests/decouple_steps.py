"""Steps run inside a fixture project's Django, in a subprocess (the tests of mmkit decouple).

`python decouple_steps.py setup|run|verify PROJECT [ARG]` prints one JSON line: the tables'
rows, foreign keys, unique columns and indexes (by introspection) and whether
`makemigrations --check` is clean.
The database is the project's, from DC_DATABASE (JSON) or SQLite.
"""

from __future__ import annotations

import io
import json
import os
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any


def _report(tables: list[str]) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    report: dict[str, Any] = {"rows": {}, "foreign_keys": {}, "unique": {}, "indexes": {}}
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in tables:
            if table not in existing:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            columns = [c[0] for c in cursor.description]
            report["rows"][table] = [
                {k: str(v) if v is not None else None for k, v in zip(columns, row, strict=True)}
                for row in cursor.fetchall()
            ]
            constraints = connection.introspection.get_constraints(cursor, table).values()
            report["foreign_keys"][table] = sorted(
                [c["columns"][0], c["foreign_key"][0]] for c in constraints if c["foreign_key"]
            )
            report["unique"][table] = sorted(
                c["columns"] for c in constraints if c["unique"] and not c["primary_key"]
            )
            named = connection.introspection.get_constraints(cursor, table).items()
            report["indexes"][table] = sorted(
                [name, *c["columns"]] for name, c in named if c["index"] and not c["unique"]
            )
    try:
        with redirect_stdout(io.StringIO()):
            call_command("makemigrations", check=True, dry_run=True, verbosity=0)
        report["makemigrations_clean"] = True
    except SystemExit:
        report["makemigrations_clean"] = False
    return report


def main() -> None:
    step, project = sys.argv[1], Path(sys.argv[2])
    argument = sys.argv[3] if len(sys.argv) > 3 else ""
    sys.path.insert(0, str(project))
    os.chdir(project)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    quiet = {"verbosity": 0}
    tables = json.loads(os.environ.get("DC_TABLES", '["books_book"]'))
    if step == "verify":
        print(json.dumps(_verify(json.loads(argument), tables)))
        return
    with redirect_stdout(io.StringIO()):
        if step == "setup":
            call_command("makemigrations", "authors", "books", "magazines", **quiet)
            call_command("migrate", **quiet)
            exec(argument, {})
        elif step == "run":
            if argument.startswith("MIGRATE\n"):
                call_command("migrate", **quiet)
                argument = argument.removeprefix("MIGRATE\n")
            exec(argument, {})
    print(json.dumps(_report(tables)))


def _verify(plan: dict[str, Any], tables: list[str]) -> dict[str, Any]:
    """In one process: migrate forward and report, migrate back (each "app:migration" of
    plan["back"]) and report, then forward again and run plan["then"] (if any) and report."""
    from django.core.management import call_command

    quiet = {"verbosity": 0}
    found: dict[str, Any] = {}
    with redirect_stdout(io.StringIO()):
        call_command("migrate", **quiet)
    found["after"] = _report(tables)
    with redirect_stdout(io.StringIO()):
        for target in plan["back"]:
            app, _, name = target.partition(":")
            call_command("migrate", app, name, **quiet)
    found["back"] = _report(tables)
    if plan.get("then"):
        with redirect_stdout(io.StringIO()):
            call_command("migrate", **quiet)
            exec(plan["then"], {})
        found["then"] = _report(tables)
    return found


if __name__ == "__main__":
    main()
