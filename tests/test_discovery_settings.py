"""Without `modules`, discovery takes the apps the settings install, read without importing.

Each case is a fixture project under tests/fixtures/disc_*; a settings file whose
INSTALLED_APPS cannot be read statically falls back to the folders.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmkit import checks
from mmkit.cli import main
from mmkit.installed_apps import installed_apps
from mmkit.project import load_project

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def modules(name: str) -> list[tuple[str, str]]:
    return [(m.name, m.label) for m in load_project(FIXTURES / name).modules]


def test_split_settings_follow_star_imports_and_additions() -> None:
    assert installed_apps(FIXTURES / "disc_split", "config.settings.dev") == (
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "authors",
        "books",
        "reviews",
    )
    assert modules("disc_split") == [
        ("authors", "authors"),
        ("books", "books"),
        ("reviews", "reviews"),
    ]


def test_appconfig_paths_name_their_package_and_label() -> None:
    assert modules("disc_appconfig") == [("catalog", "products"), ("orders", "orders")]


def test_an_uninstalled_test_app_with_the_same_label_is_not_a_module(tmp_path: Path) -> None:
    assert modules("disc_uninstalled") == [("blog", "blog")]
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "disc_uninstalled"), "--no-cache"])
    assert result.exit_code == 0, result.output
    copy = tmp_path / "project"
    shutil.copytree(FIXTURES / "disc_uninstalled", copy)
    (copy / "pyproject.toml").write_text("[tool.mmkit]\n")
    from_folders = CliRunner().invoke(main, ["check", str(copy), "--no-cache"])
    assert from_folders.exit_code == 2
    assert "share the app label 'blog'" in from_folders.output


def test_an_installed_app_without_apps_py_or_migrations_is_a_module_of_its_own() -> None:
    project = load_project(FIXTURES / "disc_no_apps_py")
    assert [m.name for m in project.modules] == ["shop", "shop.billing"]
    found = {(f.rule, f.path, f.line) for f in checks.run(project)}
    assert found == {("mmkit.E003", "shop/billing/services.py", 1)}


def test_a_computed_installed_apps_falls_back_to_the_folders() -> None:
    assert installed_apps(FIXTURES / "disc_dynamic", "settings") is None
    assert modules("disc_dynamic") == [("authors", "authors"), ("legacy", "legacy")]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('A = ["a"]\nB = ("b",)\nINSTALLED_APPS = A + list(B)\n', None),
        ('INSTALLED_APPS = ("a",)\nINSTALLED_APPS += ("b",)\n', ("a", "b")),
        ('A = ["a"]\nINSTALLED_APPS = [*A, "b"]\nINSTALLED_APPS.extend(A)\n', ("a", "b", "a")),
        ('INSTALLED_APPS = ["a", "c"]\nINSTALLED_APPS.insert(-1, "b")\n', ("a", "b", "c")),
        ('INSTALLED_APPS = ["a"]\nif DEBUG:\n    INSTALLED_APPS += ["b"]\n', None),
        ('INSTALLED_APPS = ["a"]\nINSTALLED_APPS.remove("a")\n', None),
        ('INSTALLED_APPS = ["a"]\nfrom elsewhere import *\n', None),
        ('from elsewhere import *\nINSTALLED_APPS = ["a"]\n', ("a",)),
        ('A = ["a"]\nINSTALLED_APPS = A\nA.append("b")\n', ("a", "b")),
        (
            'INSTALLED_APPS = ["a"]\n'
            "try:\n    from .local import *\nexcept ImportError:\n    pass\n",
            None,
        ),
        ("DEBUG = True\n", None),
    ],
)
def test_what_is_read_statically(
    tmp_path: Path, source: str, expected: tuple[str, ...] | None
) -> None:
    (tmp_path / "settings.py").write_text(source)
    assert installed_apps(tmp_path, "settings") == expected
