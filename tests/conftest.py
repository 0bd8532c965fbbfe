"""Helpers every test module shares: fixture projects in a temporary copy, findings as sets.

Use them as pytest fixtures (`copy_fixture`, `check_project`, `locations`, `mmkit_cli`), so no
test module has to import this file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from postgres import PostgresServer, PostgresUnavailable
from postgres import start as start_postgres

from mmkit.findings import Finding, rule

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster for the whole session (tests/postgres.py), stopped at the end.

    Skips only where no server binaries exist at all, and never in CI (CI=true): there it fails.
    """
    try:
        server, stop = start_postgres()
    except PostgresUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {missing}")
        pytest.skip(str(missing))
    try:
        yield server
    finally:
        stop()


@pytest.fixture(autouse=True)
def _cache_outside_the_repo(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Give each test its own mmkit cache, out of the fixtures and the example (subprocesses too).

    Tests of the default location (beside pyproject.toml) remove MMKIT_CACHE_DIR themselves.
    """
    monkeypatch.setenv("MMKIT_CACHE_DIR", str(tmp_path_factory.mktemp("mmkit_cache")))


Location = tuple[str, str, int]


def copy_of(name: str, destination: Path) -> Path:
    """Copy tests/fixtures/<name> to destination/<name>, so a test may edit it freely."""
    target = destination / name
    shutil.copytree(
        FIXTURES / name, target, ignore=shutil.ignore_patterns("__pycache__", ".mmkit_cache")
    )
    return target


def run_checks(path: Path | str) -> list[Finding]:
    """Every finding of the project at or above path, as `mmkit check` computes them."""
    from mmkit.checks import run
    from mmkit.project import load_project

    return run(load_project(path))


def locations_of(findings: Iterable[Finding], *rules: str) -> set[Location]:
    """{(rule, path, line)} of the findings, only of `rules` when given (`E003` or full id)."""
    wanted = {rule(rule_id).id for rule_id in rules}
    return {(f.rule, f.path, f.line) for f in findings if not wanted or f.rule in wanted}


@pytest.fixture
def copy_fixture(tmp_path: Path) -> Callable[[str], Path]:
    """`copy_fixture("imp_small")` -> the path of a fresh copy of that fixture project."""
    return lambda name: copy_of(name, tmp_path)


@pytest.fixture
def check_project() -> Callable[[Path | str], list[Finding]]:
    """`check_project(path)` -> the findings of `mmkit check`, as data."""
    return run_checks


@pytest.fixture
def locations() -> Callable[..., set[Location]]:
    """`locations(findings, "E003", ...)` -> {(rule, path, line)}, for exact assertions."""
    return locations_of


@pytest.fixture
def mmkit_cli() -> Callable[..., Result]:
    """`mmkit_cli("check", str(path))` -> click's Result; stdout and stderr are kept apart."""
    from mmkit.cli import main

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the cluster, so -m 'not postgres' leaves them all out."""
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
