"""`mmkit test MODULE`: isolated runs of one module, in real processes, on fixture projects.

iso_three has three modules: alpha; beta (depends_on alpha, calls alpha.facade); gamma (no
depends_on, imports beta.facade). Each case edits a copy, runs `python -m mmkit test` and
asserts the steps it reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from example_site import copy_example

EXAMPLE = Path(__file__).parent.parent / "example_project"
BETA_LEFT_ALONE = (
    "beta/tests/test_beta.py::test_note_without_a_fake: mmkit.testing.errors.ModuleNotLoaded: "
    "alpha.facade.add_thing() was called, but module 'alpha' is not loaded in this isolated "
    "run of 'beta' (--with none). Either run with --with direct ('alpha' is a dependency of "
    "'beta'), or give the test a fake: fake_module(\"alpha\", add_thing=...)."
)


def mmkit_test(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mmkit test --project PROJECT ARGS...` in a process of its own, as a user runs it."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "mmkit", "test", "--project", str(project), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def runs_of(completed: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return json.loads(completed.stdout)["runs"]


def steps_of(run: dict[str, Any]) -> dict[str, tuple[str, int, int]]:
    """{step: (status, passed, failed)}."""
    return {s["name"]: (s["status"], s["passed"], s["failed"]) for s in run["steps"]}


def detail(run: dict[str, Any], step: str) -> str:
    return next(s["detail"] for s in run["steps"] if s["name"] == step)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def three(copy_fixture: Callable[[str], Path]) -> Path:
    return copy_fixture("iso_three")


def test_a_facade_call_without_a_fake_fails_alone_and_passes_with_its_dependency(
    three: Path,
) -> None:
    alone = mmkit_test(three, "beta", "--with", "none", "--format", "json")
    [run] = runs_of(alone)

    assert alone.returncode == 1
    assert (run["module"], run["loaded"], run["left_out"]) == ("beta", ["beta"], ["alpha", "gamma"])
    assert steps_of(run) == {
        "boot": ("ok", 0, 0),
        "checks": ("ok", 0, 0),
        "migrate": ("ok", 0, 0),
        "tests": ("failed", 1, 1),
    }
    assert detail(run, "tests") == BETA_LEFT_ALONE

    direct = mmkit_test(three, "beta", "--with", "direct", "--format", "json")
    [run] = runs_of(direct)

    assert direct.returncode == 0
    assert run["loaded"] == ["alpha", "beta"]
    assert steps_of(run)["tests"] == ("ok", 2, 0)


def test_text_output_streams_pytest_then_reports_each_step(three: Path) -> None:
    completed = mmkit_test(three, "beta", "--with", "none")

    lines = completed.stdout.splitlines()
    assert completed.returncode == 1
    assert lines[0] == "mmkit test beta --with none: loads beta; leaves out alpha, gamma"
    assert "1 failed, 1 passed" in completed.stdout
    assert lines[-6:] == [
        "boot     ok",
        "checks   ok",
        "migrate  ok",
        "tests    1 passed, 1 failed",
        f"    {BETA_LEFT_ALONE}",
        "1 of 1 failed: beta",
    ]


def test_a_migration_that_depends_on_a_left_out_module_names_both_migrations(three: Path) -> None:
    edit(
        three / "beta" / "migrations" / "0001_initial.py",
        "dependencies = []",
        'dependencies = [("alpha", "0001_initial")]',
    )

    alone = mmkit_test(three, "beta", "--with", "none", "--format", "json")
    [run] = runs_of(alone)

    assert alone.returncode == 1
    assert steps_of(run) == {
        "boot": ("ok", 0, 0),
        "checks": ("ok", 0, 0),
        "migrate": ("failed", 0, 0),
        "tests": ("skipped", 0, 0),
    }
    assert detail(run, "migrate") == (
        "migration beta.0001_initial depends on alpha.0001_initial, a migration of module "
        "'alpha', which this run leaves out (--with none): a module's migrations must not "
        "depend on another module's; keep the other module's id instead of a relation"
    )
    assert mmkit_test(three, "beta", "--with", "direct").returncode == 0


def test_the_examples_books_fail_alone_once_a_migration_depends_on_authors(
    tmp_path: Path,
) -> None:
    example = copy_example(tmp_path)
    edit(
        example / "books" / "migrations" / "0001_initial.py",
        "dependencies = [\n    ]",
        'dependencies = [("authors", "0001_initial")]',
    )

    completed = mmkit_test(example, "books", "--with", "none")

    assert completed.returncode == 1
    assert (
        "    migration books.0001_initial depends on authors.0001_initial, a migration of "
        "module 'authors', which this run leaves out (--with none)"
    ) in completed.stdout
    assert "tests    skipped" in completed.stdout.splitlines()


def test_models_that_import_a_left_out_modules_models_fail_to_boot_with_the_e003(
    three: Path,
    check_project: Callable[[Path], list[Any]],
    locations: Callable[..., set[tuple[str, str, int]]],
) -> None:
    edit(
        three / "beta" / "models.py",
        "from django.db import models\n",
        ("from django.db import models\n\nfrom alpha.models import Thing  # noqa: F401\n"),
    )

    completed = mmkit_test(three, "beta", "--with", "none", "--format", "json")
    [run] = runs_of(completed)

    assert completed.returncode == 1
    assert [s["status"] for s in run["steps"]] == ["failed", "skipped", "skipped", "skipped"]
    assert detail(run, "boot") == (
        "beta/models.py:3: beta.models imports alpha.models, but module 'alpha' is not loaded "
        "in this isolated run of 'beta' (--with none): only its public interface "
        "(alpha.facade or alpha.events) has stand-ins. Importing another module's private code "
        "is mmkit.E003: import alpha.facade or alpha.events instead, or run with --with direct "
        "('alpha' is a dependency of 'beta')."
    )
    assert locations(check_project(three), "E003") == {("mmkit.E003", "beta/models.py", 3)}


def test_a_signal_receiver_of_a_left_out_modules_model_is_reported(three: Path) -> None:
    (three / "beta" / "apps.py").write_text(
        "from django.apps import AppConfig\n"
        "from django.db.models.signals import post_save\n\n\n"
        "def thing_saved(sender, **kwargs):\n"
        "    pass\n\n\n"
        "class BetaConfig(AppConfig):\n"
        '    name = "beta"\n\n'
        "    def ready(self):\n"
        '        post_save.connect(thing_saved, sender="alpha.Thing")\n'
    )

    alone = mmkit_test(three, "beta", "--with", "none", "--format", "json")
    [run] = runs_of(alone)

    assert alone.returncode == 1
    assert steps_of(run)["checks"] == ("failed", 0, 0)
    assert (
        "beta.apps: (signals.E001) The function 'thing_saved' was connected to the 'post_save' "
        "signal with a lazy reference to the sender 'alpha.thing', but app 'alpha' isn't "
        "installed."
    ) in detail(run, "checks")
    [run] = runs_of(mmkit_test(three, "beta", "--format", "json"))
    assert steps_of(run)["checks"] == ("ok", 0, 0)


def test_all_prints_a_row_per_module(three: Path) -> None:
    completed = mmkit_test(three, "--all")

    lines = completed.stdout.splitlines()
    assert completed.returncode == 0
    assert lines[0].split() == ["module", "mode", "boots", "checks", "migrates", "tests", "time"]
    assert [line.split()[:-2] for line in lines[1:4]] == [
        ["alpha", "direct", "ok", "ok", "ok", "2", "passed"],
        ["beta", "direct", "ok", "ok", "ok", "2", "passed"],
        ["gamma", "direct", "ok", "ok", "ok", "1", "passed"],
    ]
    assert lines[4:] == ["3 modules stand alone"]


def test_all_in_json_for_ci_with_gamma_depending_on_what_it_imports(three: Path) -> None:
    completed = mmkit_test(three, "--all", "--with", "none", "--format", "json")
    document = json.loads(completed.stdout)

    assert completed.returncode == 1
    assert document["schema_version"] == 1
    assert document["passed"] is False
    assert [(r["module"], r["passed"]) for r in document["runs"]] == [
        ("alpha", True),
        ("beta", False),
        ("gamma", False),
    ]
    gamma = document["runs"][2]
    assert gamma["loaded"] == ["gamma"]
    assert "beta.facade.count_notes() was called" in detail(gamma, "tests")
    assert "('beta' is a dependency of 'gamma')" in detail(gamma, "tests")


def test_stand_ins_keep_dtos_and_errors_real_and_refuse_private_code(three: Path) -> None:
    (three / "alpha" / "events.py").write_text(
        "from __future__ import annotations\n\n"
        "from dataclasses import dataclass\n\n\n"
        "@dataclass(frozen=True)\n"
        "class ThingRemoved:\n"
        "    thing_id: int\n"
    )
    edit(
        three / "alpha" / "facade.py",
        "from .dto import ThingDTO\n",
        ("from .dto import ThingDTO\nfrom .models import Thing\n"),
    )
    edit(three / "alpha" / "facade.py", '__all__ = ["ThingDTO",', '__all__ = ["Thing", "ThingDTO",')
    (three / "beta" / "tests" / "test_stand_ins.py").write_text(
        "import dataclasses\n\n"
        "import pytest\n\n"
        "import alpha.facade\n"
        "from mmkit.testing import ModuleNotLoaded\n\n\n"
        "def test_the_dto_is_a_real_frozen_dataclass():\n"
        "    thing = alpha.facade.ThingDTO(id=1, name='x')\n"
        "    assert thing == alpha.facade.ThingDTO(1, 'x')\n"
        "    assert dataclasses.is_dataclass(thing)\n"
        "    with pytest.raises(dataclasses.FrozenInstanceError):\n"
        "        thing.name = 'y'\n\n\n"
        "def test_the_error_is_a_real_exception():\n"
        "    assert str(alpha.facade.ThingNotFound(3)) == 'no thing 3'\n\n\n"
        "def test_private_code_is_not_importable():\n"
        "    with pytest.raises(ModuleNotLoaded, match='alpha.use_cases, but module'):\n"
        "        import alpha.use_cases  # noqa: F401\n\n\n"
        "def test_events_are_real_classes_too():\n"
        "    from alpha.events import ThingRemoved\n"
        "    assert ThingRemoved(thing_id=2).thing_id == 2\n\n\n"
        "def test_a_model_it_hands_out_is_not_rebuilt():\n"
        "    with pytest.raises(ModuleNotLoaded, match='alpha.facade.Thing is not available'):\n"
        "        alpha.facade.Thing\n\n\n"
        "def test_a_fake_answers_for_the_stand_in(fake_module):\n"
        "    fake_module('alpha', thing_exists=lambda thing_id: thing_id == 1)\n"
        "    from alpha.facade import thing_exists\n"
        "    assert thing_exists(1)\n"
        "    assert not thing_exists(2)\n"
    )

    completed = mmkit_test(
        three, "beta", "--with", "none", "--format", "json", "--", "-k", "not without"
    )
    [run] = runs_of(completed)

    assert steps_of(run)["tests"] == ("ok", 7, 0), detail(run, "tests")


def test_pytest_arguments_are_passed_through(three: Path) -> None:
    completed = mmkit_test(
        three, "beta", "--with", "none", "--format", "json", "--", "-k", "with_a_fake"
    )
    [run] = runs_of(completed)

    assert completed.returncode == 0
    assert steps_of(run)["tests"] == ("ok", 1, 0)


def test_a_module_without_tests_is_reported_as_no_tests_not_a_pass(three: Path) -> None:
    (three / "delta").mkdir()
    (three / "delta" / "__init__.py").write_text("")
    (three / "delta" / "apps.py").write_text(
        'from django.apps import AppConfig\n\n\nclass DeltaConfig(AppConfig):\n    name = "delta"\n'
    )
    edit(
        three / "pyproject.toml",
        "[tool.mmkit.modules.gamma]\n",
        ("public = []\n\n[tool.mmkit.modules.delta]\ndepends_on = []\n"),
    )
    edit(three / "config" / "settings.py", '    "gamma",\n', '    "gamma",\n    "delta",\n')

    completed = mmkit_test(three, "delta")

    assert completed.returncode == 1
    assert completed.stdout.splitlines()[-3:] == [
        "tests    no tests",
        "    no tests collected under delta",
        "1 of 1 failed: delta",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bta",), "Error: unknown module 'bta' (did you mean 'beta'?)"),
        ((), "Error: name a MODULE to test, or use --all"),
        (("beta", "--with", "some"), "Invalid value for '--with'"),
        (("--all", "beta"), "Error: --all runs every module: leave out 'beta', or drop --all"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(three: Path, args: tuple[str, ...], message: str) -> None:
    completed = mmkit_test(three, *args)

    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_project_without_settings_is_told_what_to_add(three: Path) -> None:
    edit(three / "pyproject.toml", 'settings = "config.settings"\n', "")

    completed = mmkit_test(three, "beta")

    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        f"Error: {three / 'pyproject.toml'}: mmkit test needs the project's Django settings: "
        'add settings = "config.settings" (your settings module) to [tool.mmkit]'
    )


def test_generated_tests_run_under_manage_py_test_pytest_and_mmkit_test(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mmkit.cli import main

    example = copy_example(tmp_path)
    invoices = ("invoices", "--model", "Invoice", "--field", "number:str")
    references = ("--field", "author_id:ref:authors", "--field", "editor_id:ref:authors")
    cwd = Path.cwd()
    os.chdir(example)
    try:
        for args in ((*invoices, *references), ("notes",)):
            created = CliRunner().invoke(main, ["new-module", *args], catch_exceptions=False)
            assert created.exit_code == 0, created.output
    finally:
        os.chdir(cwd)
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}

    manage = subprocess.run(
        [sys.executable, "manage.py", "test", "invoices", "notes"],
        cwd=example,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    pytest_run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "invoices", "notes"],
        cwd=example,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert manage.returncode == 0, manage.stderr
    assert "Ran 9 tests" in manage.stderr
    assert pytest_run.returncode == 0, pytest_run.stdout
    assert "9 passed" in pytest_run.stdout
    for module in ("invoices", "notes"):
        [run] = runs_of(mmkit_test(example, module, "--with", "none", "--format", "json"))
        assert run["passed"], run
    [run] = runs_of(mmkit_test(example, "invoices", "--format", "json"))
    assert (run["loaded"], steps_of(run)["tests"]) == (["authors", "invoices"], ("ok", 8, 0))


def test_all_dependencies_are_loaded_transitively(three: Path) -> None:
    [run] = runs_of(mmkit_test(three, "gamma", "--with", "all", "--format", "json"))

    assert (run["loaded"], run["left_out"], run["passed"]) == (["alpha", "beta", "gamma"], [], True)


def test_the_runtime_imports_nothing_of_the_analysis() -> None:
    import ast

    package = Path(__file__).parent.parent / "mmkit"
    allowed = ("mmkit.testing", "mmkit.events")  # the two halves of the runtime
    imported = set()
    for path in [*(package / "testing").glob("*.py"), *(package / "events").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    mmkit_imports = {name for name in imported if name == "mmkit" or name.startswith("mmkit.")}
    assert mmkit_imports and all(name.startswith(allowed) for name in mmkit_imports)


def test_a_run_whose_process_dies_is_a_failure_with_its_last_words(three: Path) -> None:
    (three / "beta" / "apps.py").write_text(
        "import os\n\n"
        "from django.apps import AppConfig\n\n\n"
        "class BetaConfig(AppConfig):\n"
        '    name = "beta"\n\n'
        "    def ready(self):\n"
        '        print("beta gives up", flush=True)\n'
        "        os._exit(3)\n"
    )

    completed = mmkit_test(three, "beta", "--format", "json")
    [run] = runs_of(completed)

    assert completed.returncode == 1
    assert [s["status"] for s in run["steps"]] == ["failed", "skipped", "skipped", "skipped"]
    assert detail(run, "boot") == "the run's process died: beta gives up"


def test_on_postgresql_each_run_migrates_and_tests_on_a_fresh_database(
    three: Path, postgres: Any
) -> None:
    import psycopg

    database = postgres.create_database("iso_three")
    settings = three / "config" / "settings.py"
    edit(
        settings,
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", '
        '"NAME": BASE_DIR / "db.sqlite3"}}',
        f"DATABASES = {{'default': {postgres.django_database(database)!r}}}",
    )

    completed = mmkit_test(three, "--all", "--format", "json")
    document = json.loads(completed.stdout)

    assert completed.returncode == 0, completed.stdout
    assert [(r["module"], steps_of(r)["tests"]) for r in document["runs"]] == [
        ("alpha", ("ok", 2, 0)),
        ("beta", ("ok", 2, 0)),
        ("gamma", ("ok", 1, 0)),
    ]
    with psycopg.connect(postgres.dsn("postgres")) as connection:
        names = connection.execute("SELECT datname FROM pg_database").fetchall()
    assert {name for (name,) in names} >= {"iso_three"}
    assert f"test_{database}" not in {name for (name,) in names}


def test_the_checks_step_includes_mmkits_checks_even_without_the_mmkit_app(three: Path) -> None:
    edit(three / "config" / "settings.py", '    "mmkit",\n', "")
    edit(
        three / "beta" / "facade.py",
        "def count_notes() -> int:\n",
        "def thing_error() -> type:\n"
        "    from alpha.use_cases import ThingNotFound\n\n"
        "    return ThingNotFound\n\n\n"
        "def count_notes() -> int:\n",
    )

    [run] = runs_of(mmkit_test(three, "beta", "--format", "json"))

    assert steps_of(run)["checks"] == ("failed", 0, 0)
    assert (
        "beta.facade: (mmkit.E003) beta/facade.py:21:5: beta.facade imports alpha.use_cases, "
        "private to module 'alpha'"
    ) in detail(run, "checks")
