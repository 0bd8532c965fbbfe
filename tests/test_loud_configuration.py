"""No silent fallbacks: a configuration mmkit cannot follow is one line and exit 2, never a
quieter check of something else; what it legitimately falls back from, it says.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Cli = Callable[..., Result]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


APPS = {
    "authors/__init__.py": "",
    "authors/apps.py": "from django.apps import AppConfig\n\n\nclass AuthorsConfig(AppConfig):\n"
    '    name = "authors"\n',
    "authors/facade.py": "__all__ = []\n",
    "books/__init__.py": "",
    "books/apps.py": "from django.apps import AppConfig\n\n\nclass BooksConfig(AppConfig):\n"
    '    name = "books"\n',
    "books/facade.py": "from authors import facade\n\n__all__ = []\n",
    "config/__init__.py": "",
}


def test_settings_that_name_no_module_are_exit_2(tmp_path: Path, mmkit_cli: Cli) -> None:
    project = write(
        tmp_path, {**APPS, "pyproject.toml": '[tool.mmkit]\nsettings = "config.settngs"\n'}
    )

    result = mmkit_cli("check", str(project))

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: {project / 'pyproject.toml'}: [tool.mmkit] settings = 'config.settngs': "
        f"there is no module 'config.settngs' under {project} (no config/settngs.py or "
        "config/settngs/__init__.py)\n"
    )


def test_listed_modules_do_not_excuse_missing_settings(tmp_path: Path, mmkit_cli: Cli) -> None:
    """AUTH_USER_MODEL is read from the settings too: a wrong value is never skipped."""
    project = write(
        tmp_path,
        {
            **APPS,
            "pyproject.toml": '[tool.mmkit]\nmodules = ["authors", "books"]\n'
            'settings = "settings"\n',
        },
    )

    result = mmkit_cli("check", str(project))

    assert result.exit_code == 2
    assert "settings = 'settings': there is no module 'settings' under" in result.stderr


@pytest.mark.parametrize(
    ("files", "broken", "line", "reason"),
    [
        ({"config/settings.py": "INSTALLED_APPS = [\n"}, "config/settings.py", 1, "'['"),
        (
            {
                "config/settings.py": "from .base import *\n",
                "config/base.py": 'INSTALLED_APPS = ["authors"]\nDEBUG = (\n',
            },
            "config/base.py",
            2,
            "'('",
        ),
    ],
)
def test_settings_that_cannot_be_parsed_are_exit_2(
    tmp_path: Path, mmkit_cli: Cli, files: dict[str, str], broken: str, line: int, reason: str
) -> None:
    project = write(
        tmp_path,
        {**APPS, **files, "pyproject.toml": '[tool.mmkit]\nsettings = "config.settings"\n'},
    )

    result = mmkit_cli("check", str(project))

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: {project / 'pyproject.toml'}: [tool.mmkit] settings = 'config.settings': "
        f"cannot parse {project / broken}:{line}: {reason} was never closed\n"
    )


def test_a_root_outside_the_project_is_exit_2(tmp_path: Path, mmkit_cli: Cli) -> None:
    project = write(tmp_path / "project", {"pyproject.toml": '[tool.mmkit]\nroot = "../src"\n'})
    write(tmp_path / "src", APPS)

    result = mmkit_cli("check", str(project))

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: {project / 'pyproject.toml'}: [tool.mmkit] root = '../src': "
        f"{tmp_path / 'src'} is outside the project directory {project}; root must be that "
        "directory or below it\n"
    )


def test_computed_installed_apps_fall_back_to_folders_and_say_so(
    tmp_path: Path, mmkit_cli: Cli
) -> None:
    project = write(
        tmp_path,
        {
            **APPS,
            "config/settings.py": "import os\n\nINSTALLED_APPS = os.environ['APPS'].split()\n",
            "pyproject.toml": '[tool.mmkit]\nsettings = "config.settings"\n',
        },
    )

    result = mmkit_cli("check", str(project))

    assert result.exit_code == 0, result.output
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("no findings (2 modules, ")
    assert summary.endswith(
        " s); modules found from folders: INSTALLED_APPS in config.settings is computed, "
        "mmkit cannot read it"
    )
    data = mmkit_cli("check", str(project), "--format", "json")
    assert '"notes": [\n      "modules found from folders: ' in data.stdout


def test_a_declared_depends_on_cycle_is_said_once(tmp_path: Path, mmkit_cli: Cli) -> None:
    project = write(
        tmp_path,
        {
            **APPS,
            "authors/facade.py": "from books import facade\n\n__all__ = []\n",
            "pyproject.toml": "[tool.mmkit]\n\n"
            '[tool.mmkit.modules.authors]\ndepends_on = ["books"]\n\n'
            '[tool.mmkit.modules.books]\ndepends_on = ["authors"]\n',
        },
    )

    result = mmkit_cli("check", str(project), "--no-cache")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "pyproject.toml:3:1: mmkit.E004 modules declare a dependency cycle in depends_on: "
        "authors -> books -> authors"
    )
    assert result.stdout.count("mmkit.E004") == 1
    assert result.stdout.splitlines()[-1].startswith("1 finding in 1 module (")
