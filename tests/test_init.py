"""`mmkit init` through the CLI: on a fresh startproject, a cookiecutter-style project and
projects that already have a pyproject.toml; twice, as a dry run, and on projects it refuses.

init only ever appends text: whatever a file held stays byte for byte, and a refusal or a
second run leaves every file as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_scaffold_faults import snapshot

from mmkit.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
BIN = Path(sys.executable).parent


def init(*args: str) -> Result:
    return CliRunner().invoke(main, ["init", *args], catch_exceptions=False)


def startproject(directory: Path, name: str = "shopsite") -> Path:
    """`django-admin startproject NAME .` in directory, as a new user starts."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", name, str(directory)],
        check=True,
        capture_output=True,
    )
    return directory


def next_lines(*steps: str) -> list[str]:
    return [f"next: {steps[0]}", *(f"      {step}" for step in steps[1:])]


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    return startproject(tmp_path / "shop")


def test_init_on_a_fresh_startproject(fresh: Path) -> None:
    settings = (fresh / "shopsite" / "settings.py").read_text()

    result = init(str(fresh))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Django project {fresh} (settings: shopsite.settings)",
        "modules: none yet",
        "created pyproject.toml with [tool.mmkit] and [tool.pytest.ini_options]",
        'edited shopsite/settings.py to add "mmkit" to INSTALLED_APPS',
        *next_lines(
            "mmkit new-module NAME --model Model --field name:str", "python manage.py check"
        ),
    ]
    assert (fresh / "pyproject.toml").read_text() == (
        '[tool.mmkit]\nsettings = "shopsite.settings"\n\n'
        '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "shopsite.settings"\n'
    )
    assert (fresh / "shopsite" / "settings.py").read_text() == settings.replace(
        "    'django.contrib.staticfiles',\n]", "    'django.contrib.staticfiles',\n    'mmkit',\n]"
    )


def test_a_second_init_changes_nothing(fresh: Path) -> None:
    assert init(str(fresh)).exit_code == 0
    before = snapshot(fresh)

    again = init(str(fresh / "shopsite"))

    assert again.exit_code == 0, again.output
    assert snapshot(fresh) == before
    assert again.output.splitlines() == [
        f"Django project {fresh} (settings: shopsite.settings)",
        "modules: none yet",
        "nothing to change: mmkit is set up",
        "note: pyproject.toml already has [tool.mmkit]: left as it is",
        'note: "mmkit" is already in INSTALLED_APPS',
        *next_lines(
            "mmkit new-module NAME --model Model --field name:str", "python manage.py check"
        ),
    ]


def test_dry_run_prints_the_edits_and_writes_nothing(fresh: Path) -> None:
    before = snapshot(fresh)

    result = init(str(fresh), "--dry-run")

    assert result.exit_code == 0, result.output
    assert snapshot(fresh) == before
    lines = result.output.splitlines()
    assert lines[2:11] == [
        "would create pyproject.toml with [tool.mmkit] and [tool.pytest.ini_options]",
        "--- /dev/null",
        "+++ b/pyproject.toml",
        "@@ -0,0 +1,5 @@",
        "+[tool.mmkit]",
        '+settings = "shopsite.settings"',
        "+",
        "+[tool.pytest.ini_options]",
        '+DJANGO_SETTINGS_MODULE = "shopsite.settings"',
    ]
    assert 'would edit shopsite/settings.py to add "mmkit" to INSTALLED_APPS' in lines
    assert "+    'mmkit'," in lines
    assert lines[-3] == "next: mmkit init (without --dry-run) to write it"


def test_an_existing_pyproject_is_kept_byte_for_byte(fresh: Path) -> None:
    existing = (
        b"# the team's project file\r\n"
        b'[project]\r\nname = "shopsite"  # keep this comment\r\nversion = "1.0"\r\n\r\n'
        b"[tool.ruff]\r\nline-length = 99\r\n\r\n"
        b'[tool.pytest.ini_options]\r\naddopts = "-q"\r\n'
        b"[tool.coverage.run]\r\nbranch = true"
    )
    (fresh / "pyproject.toml").write_bytes(existing)

    result = init(str(fresh))

    assert result.exit_code == 0, result.output
    assert "edited pyproject.toml to add [tool.mmkit]" in result.output.splitlines()
    written = (fresh / "pyproject.toml").read_bytes()
    assert written == existing + b'\r\n\r\n[tool.mmkit]\r\nsettings = "shopsite.settings"\r\n'
    before, after = tomllib.loads(existing.decode()), tomllib.loads(written.decode())
    assert after["tool"].pop("mmkit") == {"settings": "shopsite.settings"}
    assert after == before


def test_init_on_a_cookiecutter_style_project(tmp_path: Path) -> None:
    project = tmp_path / "cc"
    shutil.copytree(FIXTURES / "init_cookiecutter", project)
    base = (project / "config" / "settings" / "base.py").read_text()
    before = snapshot(project)

    result = init(str(project), "--depends-on", "--baseline")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:8] == [
        f"Django project {project} (settings: config.settings.local)",
        "modules: shop.orders, shop.users",
        "created pyproject.toml with [tool.mmkit]",
        'edited config/settings/base.py to add "mmkit" to THIRD_PARTY_APPS',
        "edited .pre-commit-config.yaml to add the mmkit hook (repo: local)",
        "check: 3 findings (mmkit.E003 x1, mmkit.W001 x2)",
        "baseline: recorded 3 findings in mmkit-baseline.json; mmkit check fails only on new ones",
        "next: mmkit check",
    ]
    assert (project / "pyproject.toml").read_text() == (
        '[tool.mmkit]\nsettings = "config.settings.local"\n\n'
        '[tool.mmkit.modules."shop.orders"]\ndepends_on = ["shop.users"]\n\n'
        '[tool.mmkit.modules."shop.users"]\ndepends_on = []\n'
    )
    assert (project / "config" / "settings" / "base.py").read_text() == base.replace(
        '    "crispy_forms",\n', '    "crispy_forms",\n    "mmkit",\n'
    )
    changed = {path for path, digest in snapshot(project).items() if before.get(path) != digest}
    assert changed == {
        "pyproject.toml",
        "mmkit-baseline.json",
        "config/settings/base.py",
        ".pre-commit-config.yaml",
    }
    assert (
        (project / ".pre-commit-config.yaml")
        .read_text()
        .endswith(
            "      - id: ruff-format\n"
            "  - repo: local\n"
            "    hooks:\n"
            "      - id: mmkit\n"
            "        name: mmkit check\n"
            "        entry: mmkit check\n"
            "        language: system\n"
            "        types: [python]\n"
            "        pass_filenames: false\n"
            "\n"
            "ci:\n"
            "  autoupdate_schedule: weekly\n"
        )
    )
    check = CliRunner().invoke(main, ["check", str(project)], catch_exceptions=False)
    assert check.exit_code == 0, check.output
    assert "3 baselined" in check.output

    unchanged = snapshot(project)
    again = init(str(project), "--depends-on", "--baseline")
    assert again.exit_code == 0, again.output
    assert snapshot(project) == unchanged


def test_settings_it_cannot_edit_get_the_line_to_add(fresh: Path) -> None:
    settings = fresh / "shopsite" / "settings.py"
    settings.write_text(
        settings.read_text()
        .replace("INSTALLED_APPS = [", "INSTALLED_APPS = list([", 1)
        .replace("'django.contrib.staticfiles',\n]", "'django.contrib.staticfiles',\n])")
    )
    before = settings.read_bytes()

    result = init(str(fresh))

    assert result.exit_code == 0, result.output
    assert settings.read_bytes() == before
    assert (
        'to do by hand: add "mmkit" to INSTALLED_APPS in shopsite/settings.py '
        "(INSTALLED_APPS is computed; add it to the list it is built from)"
    ) in result.output.splitlines()
    assert (
        "note: modules found from folders: INSTALLED_APPS in shopsite.settings is computed, "
        "mmkit cannot read it" in result.output.splitlines()
    )


def _no_manage_py(project: Path) -> str:
    (project / "manage.py").unlink()
    return (
        f"Error: no manage.py in {project} or above it: run mmkit init in a Django project "
        "(the directory of manage.py, or below it)"
    )


def _no_settings_variable(project: Path) -> str:
    for path in (project / "manage.py", project / "shopsite" / "wsgi.py"):
        path.write_text(path.read_text().replace("DJANGO_SETTINGS_MODULE", "OTHER_VARIABLE"))
    (project / "shopsite" / "asgi.py").unlink()
    return (
        f"Error: cannot tell the settings module: manage.py in {project} sets no "
        "DJANGO_SETTINGS_MODULE (nor does a wsgi.py or asgi.py beside the settings)"
    )


def _settings_elsewhere(project: Path) -> str:
    (project / "manage.py").write_text(
        (project / "manage.py").read_text().replace("shopsite.settings", "shopsite.prod")
    )
    return (
        "Error: the settings module 'shopsite.prod' is not in the project: there is no "
        f"shopsite/prod.py or shopsite/prod/__init__.py under {project}"
    )


def _settings_broken(project: Path) -> str:
    with (project / "shopsite" / "settings.py").open("a") as handle:
        handle.write("\nDEBUG = (\n")
    lines = len((project / "shopsite" / "settings.py").read_text().splitlines())
    return (
        "Error: the settings module 'shopsite.settings': cannot parse "
        f"{project / 'shopsite' / 'settings.py'}:{lines}: '(' was never closed"
    )


def _pyproject_broken(project: Path) -> str:
    (project / "pyproject.toml").write_text("[project\nname = 'x'\n")
    return (
        f"Error: {project / 'pyproject.toml'} is not valid TOML (Expected ']' at the end of "
        "a table declaration (at line 1, column 9)); fix it first"
    )


def _manage_py_broken(project: Path) -> str:
    (project / "manage.py").write_text("import os\nos.environ.setdefault(\n")
    return f"Error: cannot parse {project / 'manage.py'}:2: '(' was never closed"


@pytest.mark.parametrize(
    "breakage",
    [
        _no_manage_py,
        _no_settings_variable,
        _settings_elsewhere,
        _settings_broken,
        _pyproject_broken,
        _manage_py_broken,
    ],
)
def test_a_project_it_cannot_understand_is_one_line_exit_2_and_no_edit(
    fresh: Path, breakage: object
) -> None:
    expected = breakage(fresh)  # type: ignore[operator]
    before = snapshot(fresh)

    result = init(str(fresh))

    assert (result.exit_code, result.output) == (2, expected + "\n")
    assert snapshot(fresh) == before


def test_the_day_one_scenario_of_the_readme(tmp_path: Path) -> None:
    """startproject, init, new-module, migrate: every command works as printed, and the
    module's tests run under manage.py test and pytest; a second init changes no file."""
    project = startproject(tmp_path / "day-one")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, check=False
        )

    def ok(*command: str) -> subprocess.CompletedProcess[str]:
        result = run(*command)
        assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"
        return result

    ok("mmkit", "init")
    created = ok("mmkit", "new-module", "orders", "--model", "Order", "--field", "number:str")
    printed = created.stdout.splitlines()[-1]
    assert printed == "next: python manage.py migrate && python manage.py test orders"
    ok("python", "manage.py", "migrate", "--noinput")
    tests = ok("python", "manage.py", "test", "orders")
    ran = re.search(r"^Ran (\d+) tests? in ", tests.stderr, re.MULTILINE)
    assert ran is not None and int(ran[1]) > 0, tests.stderr
    ok("pytest", "-q", "-p", "no:cacheprovider", "orders")
    assert ok("mmkit", "check").stdout.startswith("no findings (1 module, ")
    assert ok("python", "manage.py", "check").stdout == (
        "System check identified no issues (0 silenced).\n"
    )
    before = snapshot(project)
    again = ok("mmkit", "init")
    assert "nothing to change: mmkit is set up" in again.stdout
    assert snapshot(project) == before


def test_the_repository_pyproject_above_manage_py_gets_the_table(tmp_path: Path) -> None:
    """A second pyproject.toml beside manage.py would hide the repository's from ruff and
    pytest: init writes into the one above, with root pointing at manage.py's directory."""
    (tmp_path / ".git").mkdir()
    existing = '[project]\nname = "shop"\n\n[tool.ruff]\nline-length = 99\n'
    (tmp_path / "pyproject.toml").write_text(existing)
    project = startproject(tmp_path / "src")

    result = init(str(project))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:4] == [
        "edited pyproject.toml to add [tool.mmkit] and [tool.pytest.ini_options]",
        'edited src/shopsite/settings.py to add "mmkit" to INSTALLED_APPS',
    ]
    assert not (project / "pyproject.toml").exists()
    assert (tmp_path / "pyproject.toml").read_text() == existing + (
        '\n[tool.mmkit]\nroot = "src"\nsettings = "shopsite.settings"\n\n'
        '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "shopsite.settings"\n'
    )


def test_new_module_without_settings_suggests_the_ones_manage_py_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = startproject(tmp_path / "site", "mysite")
    (project / "pyproject.toml").write_text("[tool.mmkit]\n")
    monkeypatch.chdir(project)

    result = CliRunner().invoke(main, ["new-module", "orders", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert (
        'to do by hand: add "orders", to INSTALLED_APPS in your settings '
        '(set [tool.mmkit] settings = "mysite.settings" to let mmkit do it)'
    ) in result.output.splitlines()


def test_the_hook_lines_up_with_a_compact_repos_list_and_refuses_other_shapes() -> None:
    from mmkit.scaffold.precommit import add_pre_commit_hook
    from mmkit.scaffold.register import CannotEdit

    compact = "repos:\n- repo: https://example.com/hooks\n  rev: v1\n  hooks:\n  - id: lint\n"
    assert add_pre_commit_hook(compact) == compact + (
        "- repo: local\n  hooks:\n    - id: mmkit\n      name: mmkit check\n"
        "      entry: mmkit check\n      language: system\n      types: [python]\n"
        "      pass_filenames: false\n"
    )
    for text, reason in (
        ("repos: []\n", "no top-level `repos:` list"),
        ("repos:\n# nothing yet\n", "`repos:` has no entries to line the hook up with"),
    ):
        with pytest.raises(CannotEdit, match=re.escape(reason)):
            add_pre_commit_hook(text)


def test_a_file_changed_between_plan_and_write_undoes_every_edit(fresh: Path) -> None:
    from mmkit.scaffold import ScaffoldError
    from mmkit.scaffold.init import apply_edits, make_init_plan

    plan = make_init_plan(fresh)
    settings = fresh / "shopsite" / "settings.py"
    settings.write_text(settings.read_text() + "\nDEBUG = False\n")
    before = snapshot(fresh)

    with pytest.raises(ScaffoldError) as refused:
        apply_edits(plan.edits, plan)

    assert str(refused.value) == (
        "shopsite/settings.py changed while mmkit init ran; nothing was written"
    )
    assert snapshot(fresh) == before
    assert not (fresh / "pyproject.toml").exists()


def test_init_takes_the_project_lock_new_module_takes(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mmkit.scaffold.lock import project_lock

    monkeypatch.setenv("MMKIT_LOCK_TIMEOUT", "0.2")
    before = snapshot(fresh)
    with project_lock(fresh):
        result = init(str(fresh))
        assert snapshot(fresh) == {**before, ".mmkit.lock": snapshot(fresh)[".mmkit.lock"]}

    assert result.exit_code == 2
    assert result.output.startswith("Error: another mmkit")
    assert "is changing this project" in result.output
    assert snapshot(fresh) == before
