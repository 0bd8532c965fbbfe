"""Both doors agree: the relation findings from Django's registry equal those read from source.

For the example project, a copy of it with a cross-module ForeignKey, and every fixture
project with models that Django can load, a subprocess sets Django up (the project's own
settings, or INSTALLED_APPS made of its modules) and prints the E001/E002 findings of each
door as (rule, model, field, target, path, line). dj_relations is compared in-process by
test_django_checks.py. Where the doors cannot agree, KNOWN says why.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from example_site import copy_example, with_foreign_key

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
EXAMPLE = TESTS.parent / "example_project"
IN_PROCESS = {"dj_relations"}

Row = tuple[str, str, str | None, str, str, int]

RUNTIME_USER_MODEL = (
    "AUTH_USER_MODEL comes from os.environ.get(...): the source door cannot read it and says "
    "so (W004), Django's registry knows the user model it loaded"
)
KNOWN: dict[str, dict[Row, str]] = {
    "rel_packages": {
        (
            "mmkit.E001",
            "books.Book",
            "price_source",
            "authors.Author",
            "books/models.py",
            17,
        ): (
            "PriceLink's base is computed (getattr(models, ...)) and the field is not listed in "
            "relation_fields: the source door cannot tell it is a ForeignKey and says so (W004)"
        ),
    },
    "rel_user_unreadable": {
        ("mmkit.E001", "books.Book", "owner", "accounts.User", "books/models.py", 7): (
            RUNTIME_USER_MODEL
        ),
        ("mmkit.E001", "books.Book", "reviewer", "accounts.User", "books/models.py", 8): (
            RUNTIME_USER_MODEL
        ),
    },
}
"""Rows only one door finds, and why; dj_relations's field added by code is in its own test."""

CANNOT_LOAD: dict[str, tuple[str, str]] = {
    "imp_variants": (
        "AppRegistryNotReady",
        "authors/__init__.py imports the module's use cases (and so its models) when Django "
        "imports the app package, before the registry is ready",
    ),
    "rel_reexport": (
        "AppRegistryNotReady",
        "authors/__init__.py re-exports authors.models, imported before the registry is ready",
    ),
    "rel_clean": (
        "RuntimeError",
        "project_models.Setting is a model outside every app: no INSTALLED_APPS made of the "
        "modules can hold it",
    ),
    "rel_get_model": (
        "ModuleNotFoundError",
        "books/models.py uses django-oscar's get_model (not installed) and inherits from "
        "apps.get_model(...), which Django answers only once every models module is imported: "
        "static reading is the only way to see it",
    ),
    "rel_unresolved": (
        "AppRegistryNotReady",
        "books/models.py calls apps.get_model() at import time, written to defeat static reading",
    ),
}
"""Fixture projects Django cannot set up, with the error it raises and why."""

if not all(importlib.util.find_spec(package) for package in ("mptt", "sortedm2m")):
    CANNOT_LOAD["rel_tree_fields"] = (
        "ModuleNotFoundError",
        "django-mptt and django-sortedm2m are not in the test extra; the source door knows "
        "their fields by import path (tests/test_relation_packages.py)",
    )

CHILD = r"""
import importlib, json, os, sys
from mmkit.project import load_project

project_dir, settings_module = sys.argv[1], sys.argv[2]
project = load_project(project_dir)
sys.path.insert(0, str(project.root))
import django
from django.conf import settings
try:
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    else:
        user_model = "auth.User"
        packages = []
        if project.config.settings:
            try:
                declared = importlib.import_module(project.config.settings)
                user_model = getattr(declared, "AUTH_USER_MODEL", user_model)
                packages = [
                    app for app in getattr(declared, "INSTALLED_APPS", [])
                    if app in ("taggit", "modelcluster", "mptt", "sortedm2m")
                ]
            except Exception:
                pass
        settings.configure(
            INSTALLED_APPS=[
                "django.contrib.contenttypes",
                "django.contrib.auth",
                *packages,
                *(module.name for module in project.modules),
            ],
            AUTH_USER_MODEL=user_model,
            DATABASES={},
            DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        )
    django.setup()
except Exception as error:
    print(json.dumps({"skip": f"{type(error).__name__}: {error}"}))
    sys.exit(0)

from mmkit.checks import relations
from mmkit.checks.registry import relations_from_registry

def rows(findings):
    return sorted([f.rule, f.model, f.field, f.target, f.path, f.line] for f in findings)

registry = relations.findings(project, relations_from_registry(project))
from_source, _notes = relations.from_source(project)
print(json.dumps({
    "registry": rows(registry),
    "source": rows(relations.findings(project, from_source)),
}))
"""


def _has_models(directory: Path) -> bool:
    return any(directory.rglob("models.py")) or any(
        path.is_dir() for path in directory.rglob("models")
    )


def _declares_mmkit(pyproject: Path) -> bool:
    try:
        return "mmkit" in tomllib.loads(pyproject.read_text()).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def fixture_projects() -> list[str]:
    """Fixture projects (relative to tests/fixtures) with [tool.mmkit] and some models."""
    found = []
    for pyproject in sorted(FIXTURES.rglob("pyproject.toml")):
        directory = pyproject.parent
        name = directory.relative_to(FIXTURES).as_posix()
        if name.split("/")[0] in IN_PROCESS or any(p.startswith(".") for p in directory.parts):
            continue
        if _declares_mmkit(pyproject) and _has_models(directory):
            found.append(name)
    return found


def both_doors(project: Path, settings_module: str = "") -> dict[str, Any]:
    """What the child prints: {"registry": rows, "source": rows} or {"skip": reason}."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(project), settings_module],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        return {"error": result.stderr[-3000:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


@cache
def fixture_results() -> dict[str, dict[str, Any]]:
    """Every fixture's result, two subprocesses at a time (the first test waits for all)."""
    names = fixture_projects()
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(lambda n: both_doors(FIXTURES / n), names), strict=True))


def assert_doors_agree(result: dict[str, Any], known: dict[Row, str] | None = None) -> None:
    assert "error" not in result, result.get("error")
    assert "skip" not in result, (
        f"Django cannot set this project up ({result.get('skip')}); fix the fixture or add it "
        "to CANNOT_LOAD with why"
    )
    registry = {tuple(row) for row in result["registry"]}
    source = {tuple(row) for row in result["source"]}
    differences = registry ^ source
    assert differences == set(known or {}), {
        "registry only": sorted(registry - source, key=str),
        "source only": sorted(source - registry, key=str),
    }


@pytest.mark.parametrize("name", fixture_projects())
def test_fixture_projects(name: str) -> None:
    result = fixture_results()[name]
    if name in CANNOT_LOAD:
        error, _why = CANNOT_LOAD[name]
        assert result.get("skip", "").startswith(f"{error}: "), (
            f"{name} is in CANNOT_LOAD but Django set it up: compare it, remove it from the list"
        )
        return
    assert_doors_agree(result, KNOWN.get(name))


@pytest.mark.skipif(not (EXAMPLE / "manage.py").is_file(), reason="no example project yet")
def test_the_example_project() -> None:
    result = both_doors(EXAMPLE, "config.settings")
    assert_doors_agree(result)
    assert result["registry"] == []


@pytest.mark.skipif(not (EXAMPLE / "manage.py").is_file(), reason="no example project yet")
def test_a_copy_of_the_example_with_a_cross_module_foreign_key(tmp_path: Path) -> None:
    copy = with_foreign_key(copy_example(tmp_path, "example"))
    models = copy / "books" / "models.py"
    line = next(n for n, row in enumerate(models.read_text().splitlines(), 1) if "author =" in row)
    result = both_doors(copy, "config.settings")
    assert_doors_agree(result)
    assert result["registry"] == [
        ["mmkit.E001", "books.Book", "author", "authors.Author", "books/models.py", line]
    ]
