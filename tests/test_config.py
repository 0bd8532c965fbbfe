"""Configuration errors through `mmkit check`: one line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SMALL_MODULES = 'modules = ["authors", "books"]'


def write_config(project: Path, table: str) -> None:
    (project / "pyproject.toml").write_text(table)


def assert_one_line_error(result, pattern: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(rf"Error: .*{pattern}.*", lines[0]), lines[0]


def test_no_mmkit_table_anywhere(tmp_path, mmkit_cli) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')

    result = mmkit_cli("check", str(tmp_path))

    assert_one_line_error(
        result, re.escape(f"no [tool.mmkit] table in a pyproject.toml at {tmp_path} or above it")
    )


def test_path_that_does_not_exist(tmp_path, mmkit_cli) -> None:
    result = mmkit_cli("check", str(tmp_path / "nowhere"))

    assert_one_line_error(result, "nowhere does not exist")


@pytest.mark.parametrize(
    ("table", "pattern"),
    [
        (
            f'[tool.mmkit]\n{SMALL_MODULES}\npublc = ["facade"]\n',
            re.escape("unknown key 'publc' (did you mean 'public'?)"),
        ),
        (
            '[tool.mmkit]\nmodules = ["autors", "books"]\n',
            re.escape("module 'autors' not found: ")
            + ".*"
            + re.escape("is not a directory (did you mean 'authors'?)"),
        ),
        (
            '[tool.mmkit]\nmodules = ["authors", "books", "payments"]\n',
            re.escape("module 'payments' not found: ") + ".*payments is not a directory$",
        ),
        (
            f'[tool.mmkit]\nroot = "src"\n{SMALL_MODULES}\n',
            re.escape("root = 'src': ") + ".*src is not a directory",
        ),
        (
            f"[tool.mmkit]\n{SMALL_MODULES}\nshared = [\n",
            "is not valid TOML",
        ),
        (
            "[tool.mmkit]\nmodules = []\n",
            re.escape("'modules' is empty"),
        ),
        (
            '[tool.mmkit.modules.authors]\n[tool.mmkit.modules.books]\ndepends_on = ["author"]\n',
            re.escape(
                "module 'books' depends_on unknown module 'author' (did you mean 'authors'?)"
            ),
        ),
        (
            '[tool.mmkit.modules.authors]\n[tool.mmkit.modules.books]\ndepend_on = ["authors"]\n',
            re.escape("unknown key 'depend_on' (did you mean 'depends_on'?)"),
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-module",
        "missing-package",
        "root-not-a-directory",
        "invalid-toml",
        "empty-modules",
        "unknown-dependency",
        "unknown-module-key",
    ],
)
def test_configuration_error(table, pattern, copy_fixture, mmkit_cli) -> None:
    project = copy_fixture("imp_small")
    write_config(project, table)

    assert_one_line_error(mmkit_cli("check", str(project)), pattern)


def test_root_that_is_a_file(copy_fixture, mmkit_cli) -> None:
    project = copy_fixture("imp_small")
    (project / "src").write_text("")
    write_config(project, f'[tool.mmkit]\nroot = "src"\n{SMALL_MODULES}\n')

    assert_one_line_error(mmkit_cli("check", str(project)), "src is not a directory")


def test_config_is_found_in_the_nearest_parent(copy_fixture, mmkit_cli) -> None:
    project = copy_fixture("imp_small")

    result = mmkit_cli("check", str(project / "books"))

    assert result.exit_code == 1
    assert result.stdout.startswith("books/views.py:3:1: mmkit.E003 ")


def test_pyproject_that_is_not_utf8(tmp_path, mmkit_cli) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.mmkit]\nroot = "\xff"\n')

    assert_one_line_error(mmkit_cli("check", str(tmp_path)), "is not valid TOML: not UTF-8")


@pytest.mark.parametrize("tool", ["tool = 1", 'tool = "mmkit"', 'tool = ["mmkit"]'])
def test_tool_that_is_not_a_table(tool, tmp_path, mmkit_cli) -> None:
    (tmp_path / "pyproject.toml").write_text(f"{tool}\n")

    assert_one_line_error(
        mmkit_cli("check", str(tmp_path)), re.escape("no [tool.mmkit] table in a pyproject.toml")
    )


def test_a_project_without_any_app_is_a_warning_not_a_pass(tmp_path, mmkit_cli) -> None:
    write_config(tmp_path, "[tool.mmkit]\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "tool.py").write_text("import os\n")

    result = mmkit_cli("check", str(tmp_path))

    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "pyproject.toml:1:1: mmkit.W005 no modules to check: no Django app (a package with "
        "apps.py, or with models and migrations) is under "
        f"{tmp_path.resolve()}; create the first one with `mmkit new-module NAME`, or list "
        "the modules in [tool.mmkit] modules",
        "    hint: Install your apps in INSTALLED_APPS (or list them in [tool.mmkit] modules), "
        "or create the first module with `mmkit new-module NAME`.",
    ]
    baseline = mmkit_cli("baseline", str(tmp_path))
    assert_one_line_error(baseline, re.escape("no modules to check: no Django app (a package"))


def test_installed_apps_that_name_nothing_under_root_are_a_warning(tmp_path, mmkit_cli) -> None:
    write_config(tmp_path, '[tool.mmkit]\nsettings = "config.settings"\n')
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "__init__.py").write_text("")
    (tmp_path / "config" / "settings.py").write_text(
        'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]\n'
    )

    result = mmkit_cli("check", str(tmp_path))

    assert result.exit_code == 1
    assert result.stdout.startswith(
        "pyproject.toml:1:1: mmkit.W005 no modules to check: the INSTALLED_APPS of "
        "config.settings name no package under "
    )


def test_the_first_module_of_a_project_can_be_scaffolded_and_then_checked(
    tmp_path, mmkit_cli, monkeypatch
) -> None:
    write_config(tmp_path, '[tool.mmkit]\nsettings = "config.settings"\n')
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "__init__.py").write_text("")
    (tmp_path / "config" / "settings.py").write_text('INSTALLED_APPS = ["django.contrib.auth"]\n')
    monkeypatch.chdir(tmp_path)

    assert (
        mmkit_cli("new-module", "authors", "--model", "Author", "--field", "name:str").exit_code
        == 0
    )
    result = mmkit_cli("check", str(tmp_path))

    assert (result.exit_code, result.stdout.splitlines()[-1].split(" (")[0]) == (0, "no findings")
