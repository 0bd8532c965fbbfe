"""`mmkit new-module --force` after `migrate`: the applied migration stays as it is, and the
changed model gets the next migration from makemigrations, so the data keeps working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_force_after_migrate_keeps_the_applied_migration(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def ok(*command: str, answers: str = "") -> str:
        result = subprocess.run(
            command, cwd=project, env=env, input=answers, capture_output=True, text=True
        )
        assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    ok("python", "-m", "django", "startproject", "shopsite", ".")
    ok("mmkit", "init")
    ok("mmkit", "new-module", "orders", "--model", "Order", "--field", "number:str")
    ok("python", "manage.py", "migrate", "--noinput")
    initial = project / "orders" / "migrations" / "0001_initial.py"
    applied = initial.read_bytes()

    forced = ok(
        "mmkit",
        *("new-module", "orders", "--model", "Order", "--field", "number:str"),
        *("--field", "total:decimal", "--force"),
    )

    assert forced.splitlines() == [
        "wrote over orders/ (11 files)",
        "kept migrations/0001_initial.py (--force never rewrites a migration)",
        "the model differs from its migrations: run python manage.py makemigrations orders "
        "to write the next one",
        "note: orders is already in INSTALLED_APPS (shopsite/settings.py)",
        "next: python manage.py makemigrations orders && python manage.py migrate && "
        "python manage.py test orders",
    ]
    assert initial.read_bytes() == applied
    assert sorted(p.name for p in initial.parent.glob("0*.py")) == ["0001_initial.py"]

    # Django asks for a default for the existing rows, as for any new non-null field.
    ok("python", "manage.py", "makemigrations", "orders", answers="1\n0\n")
    ok("python", "manage.py", "migrate", "--noinput")
    created = ok(
        "python",
        *("manage.py", "shell", "-c"),
        "from decimal import Decimal\n"
        "from orders import facade\n"
        "print(facade.create_order(facade.NewOrder(number='A-1', total=Decimal('9.50'))))",
    )
    assert created.splitlines()[-1] == "OrderDTO(id=1, number='A-1', total=Decimal('9.50'))"
    assert initial.read_bytes() == applied
