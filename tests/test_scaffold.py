"""`mmkit new-module` through the real CLI, on a temporary copy of the example project.

The generated module must pass every check a team runs (Django's, the migration check,
mmkit's, ruff's and its own tests) without an edit; a refusal must leave every byte as it was.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from example_site import copy_example

from mmkit.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "example_project"
INVOICES = (
    "invoices",
    "--model",
    "Invoice",
    "--field",
    "number:str",
    "--field",
    "amount:decimal",
    "--field",
    "issued_on:date",
    "--field",
    "author_id:ref:authors",
)

# Every field type, two references to one module and names long enough to wrap lines.
EVERY_TYPE = (
    "procurement_adjustments",
    "--model",
    "PurchaseOrderAdjustment",
    *("--field", "supplier_reference:str", "--field", "explanation:text"),
    *("--field", "line_count:int", "--field", "total_adjustment_amount:decimal"),
    *("--field", "is_approved:bool", "--field", "effective_on:date"),
    *("--field", "approved_by_supplier_at:datetime", "--field", "external_token:uuid"),
    *("--field", "contact_email:email", "--field", "author_id:ref:authors"),
    *("--field", "approved_by_person_id:ref:authors", "--depends-on", "books"),
)
GENERATED = ("invoices", "notes", "procurement_adjustments")


def snapshot(root: Path) -> dict[str, str]:
    """The sha256 of every file under root, by relative path: the tree, byte for byte."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def new_module(project: Path, *args: str) -> Result:
    """Run `mmkit new-module ARGS` from inside the project, as a user does."""
    cwd = Path.cwd()
    os.chdir(project)
    try:
        return CliRunner().invoke(main, ["new-module", *args], catch_exceptions=False)
    finally:
        os.chdir(cwd)


def run(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A subprocess in the project, with no Django settings leaking in from this session."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DJANGO_SETTINGS_MODULE" and not key.startswith("PYTEST_")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.fixture(autouse=True)
def isolated_imports() -> Iterator[None]:
    """Keep what one test puts on sys.path from making a later test's name importable."""
    saved = list(sys.path)
    yield
    sys.path[:] = saved
    importlib.invalidate_caches()


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def test_generated_modules_pass_every_check_and_their_own_tests(example: Path) -> None:
    created = new_module(example, *INVOICES)
    empty = new_module(example, "notes")
    long_names = new_module(example, *EVERY_TYPE)

    assert created.exit_code == 0, created.output
    assert empty.exit_code == 0, empty.output
    assert long_names.exit_code == 0, long_names.output
    assert sorted(
        p.relative_to(example / "invoices").as_posix()
        for p in example.joinpath("invoices").rglob("*.py")
    ) == [
        "__init__.py",
        "admin.py",
        "apps.py",
        "dto.py",
        "events.py",
        "facade.py",
        "handlers.py",
        "migrations/0001_initial.py",
        "migrations/__init__.py",
        "models.py",
        "tests/__init__.py",
        "tests/test_use_cases.py",
        "use_cases.py",
    ]
    assert not (example / "notes" / "migrations" / "0001_initial.py").exists()
    config = ("--config", str(REPO / "pyproject.toml"))
    shutil.copy(REPO / "pyproject.toml", example.parent)  # what the example's ruff.toml extends
    for command in (
        ("manage.py", "check"),
        ("manage.py", "makemigrations", "--check", "--dry-run"),
        ("-m", "pytest", *GENERATED, "-q"),
        ("-m", "ruff", "check", *config, *GENERATED),
        ("-m", "ruff", "format", "--check", *config, *GENERATED),
        ("-m", "ruff", "check", "--isolated", *GENERATED),
        ("-m", "ruff", "format", "--check", "--isolated", *GENERATED),
        ("-m", "ruff", "check", *GENERATED),
        ("-m", "ruff", "format", "--check", *GENERATED),
    ):
        result = run(example, sys.executable, *command)
        assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"
    check = CliRunner().invoke(main, ["check", str(example)], catch_exceptions=False)
    assert check.exit_code == 0, check.output


def test_registration_of_the_example_is_exact(example: Path) -> None:
    settings = (example / "config" / "settings.py").read_text()
    pyproject = (example / "pyproject.toml").read_text()

    result = new_module(example, *INVOICES)

    assert result.exit_code == 0, result.output
    assert (example / "config" / "settings.py").read_text() == settings.replace(
        '    "web",\n]', '    "web",\n    "invoices",\n]'
    )
    assert (example / "pyproject.toml").read_text() == pyproject.replace(
        'depends_on = ["authors", "books"]\n\n',
        'depends_on = ["authors", "books"]\n\n'
        '[tool.mmkit.modules.invoices]\ndepends_on = ["authors"]\n\n',
    )
    assert result.output.splitlines() == [
        "created invoices/ (13 files)",
        'edited config/settings.py to add "invoices" to INSTALLED_APPS',
        "edited pyproject.toml to add [tool.mmkit.modules.invoices]",
        "next: python manage.py migrate && python manage.py test invoices",
    ]


def test_dry_run_prints_the_tree_and_the_edits_and_writes_nothing(example: Path) -> None:
    before = snapshot(example)

    result = new_module(example, *INVOICES, "--dry-run")

    assert result.exit_code == 0, result.output
    assert snapshot(example) == before
    lines = result.output.splitlines()
    assert lines[:18] == [
        "would create invoices/ (13 files)",
        "  invoices/",
        "    __init__.py",
        "    admin.py",
        "    apps.py",
        "    dto.py",
        "    events.py",
        "    facade.py",
        "    handlers.py",
        "    migrations/",
        "      0001_initial.py",
        "      __init__.py",
        "    models.py",
        "    tests/",
        "      __init__.py",
        "      test_use_cases.py",
        "    use_cases.py",
        'would edit config/settings.py to add "invoices" to INSTALLED_APPS',
    ]
    assert '+    "invoices",' in lines
    assert "would edit pyproject.toml to add [tool.mmkit.modules.invoices]" in lines
    assert "+[tool.mmkit.modules.invoices]" in lines
    assert '+depends_on = ["authors"]' in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("../x",), "module name '../x' is not a Python identifier"),
        (("class",), "module name 'class' is a Python keyword"),
        (("os",), "module name 'os' is a standard-library module"),
        (("Invoices",), "module name 'Invoices' must be lowercase"),
        (("authors",), "module 'authors' already exists (authors/); use --force"),
        (("",), "the module name is empty"),
        (("x y",), "module name 'x y' is not a Python identifier"),
        (("click",), "module name 'click' is already importable"),
        (("admin",), "'admin' is already the label of installed app 'django.contrib.admin'"),
        (("config",), "'config' holds the settings module config.settings; choose another"),
        (("config", "--force"), "'config' holds the settings module config.settings"),
        (("mi", "--model", "Exception"), "--model 'Exception' is a Python builtin"),
        (
            ("mi", "--model", "Iterable"),
            "--model Iterable: the generated use_cases.py would bind Iterable twice "
            "(from collections.abc import Iterable and from .models import Iterable); "
            "choose another model name",
        ),
        (("invoices", "--model", "Invoice", "--field", "total:money"), "unknown type 'money'"),
        (
            ("invoices", "--model", "Invoice", "--field", "writer_id:ref:writers"),
            "there is no module 'writers' in the project",
        ),
        (
            ("invoices", "--model", "Invoice", "--field", "book_id:ref:books"),
            "books.facade has no book_exists(id)",
        ),
        (("invoices", "--model", "Invoice", "--field", "id:int"), "'id' is taken"),
        (("invoices", "--field", "number:str"), "--field needs --model"),
        (("invoices", "--model", "invoice"), "a model name is a CamelCase identifier"),
        (("invoices", "--depends-on", "nope"), "there is no module 'nope' in the project"),
        (
            ("invoices", "--model", "Invoice", "--field", "a_id:ref:web"),
            "does not make its facade public",
        ),
    ],
)
def test_a_refusal_is_one_line_exit_2_and_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, args: tuple[str, ...], message: str
) -> None:
    example = copy_example(tmp_path_factory.mktemp("refusal"))
    before = snapshot(example)

    result = new_module(example, *args)

    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith("Error: ")
    assert message in result.output
    assert snapshot(example) == before


def test_names_too_long_for_the_generated_code_are_refused(example: Path) -> None:
    before = snapshot(example)

    result = new_module(
        example,
        "abcdefghijklmnopqrstuvwxyzabcd",
        "--model",
        "AbcdefghijklmnopqrstuvwxyzAbcd",
        "--field",
        "abcdefghijklmnopqrstuvwxyzabcd:decimal",
    )

    assert result.exit_code == 2
    assert result.output == (
        "Error: the names are too long: line 1 of __init__.py would be 94 characters "
        "(more than 88); choose shorter names\n"
    )
    assert snapshot(example) == before


def test_a_target_that_leads_outside_the_root_is_refused_even_with_force(
    example: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (example / "ledger").symlink_to(outside, target_is_directory=True)
    before = snapshot(example)

    result = new_module(example, "ledger", "--force")

    assert result.exit_code == 2
    assert result.output == "Error: ledger leads outside the project's root\n"
    assert snapshot(example) == before
    assert list(outside.iterdir()) == []


def test_force_never_writes_over_a_folder_that_is_not_a_module(example: Path) -> None:
    (example / "static").mkdir()
    (example / "static" / "site.css").write_text("body {}\n")
    before = snapshot(example)

    result = new_module(example, "static", "--force")

    assert result.exit_code == 2
    assert result.output == (
        "Error: static/ already exists and is not a module of the project; "
        "--force only writes over a module, choose another name\n"
    )
    assert snapshot(example) == before


def test_a_model_without_references_passes_ruff_at_both_widths(example: Path) -> None:
    args = ("ledger", "--model", "Entry", "--field", "on:date", "--field", "amount:decimal")

    result = new_module(example, *args)

    assert result.exit_code == 0, result.output
    shutil.copy(REPO / "pyproject.toml", example.parent)
    for command in (("check",), ("format", "--check")):
        for isolated in ((), ("--isolated",)):
            done = run(example, sys.executable, "-m", "ruff", *command, *isolated, "ledger")
            assert done.returncode == 0, f"{command}:\n{done.stdout}{done.stderr}"


def test_unknown_types_are_refused_with_the_known_ones(example: Path) -> None:
    result = new_module(example, "invoices", "--model", "Invoice", "--field", "total:money")

    assert result.output == (
        "Error: --field 'total:money': unknown type 'money'; known types: str, text, int, "
        "decimal, bool, date, datetime, uuid, email, ref:MODULE\n"
    )


def test_an_existing_module_is_rewritten_only_with_force(example: Path) -> None:
    assert new_module(example, *INVOICES).exit_code == 0
    models = example / "invoices" / "models.py"
    generated = models.read_text()
    models.write_text("# edited by hand\n")
    (example / "invoices" / "views.py").write_text("# the team's own code\n")
    settings = (example / "config" / "settings.py").read_text()
    pyproject = (example / "pyproject.toml").read_text()
    before = snapshot(example)

    refused = new_module(example, *INVOICES)
    forced = new_module(example, *INVOICES, "--force")

    assert refused.exit_code == 2
    assert refused.output == (
        "Error: module 'invoices' already exists (invoices/); use --force to write over it\n"
    )
    assert forced.exit_code == 0, forced.output
    assert forced.output.splitlines() == [
        "wrote over invoices/ (11 files)",
        "kept views.py (not written by the templates)",
        "kept migrations/0001_initial.py (--force never rewrites a migration)",
        "note: invoices is already in INSTALLED_APPS (config/settings.py)",
        "next: python manage.py migrate && python manage.py test invoices",
    ]
    assert models.read_text() == generated
    assert (example / "invoices" / "views.py").read_text() == "# the team's own code\n"
    assert (example / "config" / "settings.py").read_text() == settings
    assert (example / "pyproject.toml").read_text() == pyproject
    assert set(snapshot(example)) == set(before)


def test_a_failed_registration_rolls_everything_back(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mmkit.scaffold import write

    before = snapshot(example)
    real = write.write_atomically

    def fail_on_pyproject(path: Path, text: str) -> None:
        if path.name == "pyproject.toml":
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(write, "write_atomically", fail_on_pyproject)

    result = new_module(example, *INVOICES)

    assert result.exit_code == 2
    assert (
        result.output == "Error: cannot register the module: [Errno 28] No space left on device\n"
    )
    assert snapshot(example) == before
    assert not any(p.name.startswith(".mmkit-new-") for p in example.iterdir())


def test_custom_templates_replace_and_add_files(example: Path) -> None:
    templates = example / "team_templates"
    (templates / "tests").mkdir(parents=True)
    (templates / "models.py.jinja").write_text('"""Models of {{ module }}, the team\'s way."""\n')
    (templates / "README.md.jinja").write_text("# {{ module }}\n\nOwned by the billing team.\n")
    pyproject = example / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'settings = "config.settings"',
            'settings = "config.settings"\ntemplates = "team_templates"',
        )
    )

    result = new_module(example, "ledger", "--no-register")

    assert result.exit_code == 0, result.output
    assert (
        example / "ledger" / "models.py"
    ).read_text() == '"""Models of ledger, the team\'s way."""\n'
    assert (
        example / "ledger" / "README.md"
    ).read_text() == "# ledger\n\nOwned by the billing team.\n"
    assert (example / "ledger" / "facade.py").read_text().endswith("__all__: list[str] = []\n")
    assert result.output.splitlines()[-2] == (
        'note: not registered (--no-register): add "ledger" to INSTALLED_APPS yourself, '
        "and to [tool.mmkit] modules if it lists them"
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ no_such_name }}\n", "template {path}:1: 'no_such_name' is undefined"),
        ("{% if %}\n", "template {path}:1: Expected an expression, got 'end of statement block'"),
        ("def broken(:\n", "template {path} renders invalid Python (line 1 of models.py:"),
    ],
)
def test_a_broken_custom_template_is_one_line_and_writes_nothing(
    example: Path, template: str, message: str
) -> None:
    templates = example / "team_templates"
    templates.mkdir()
    (templates / "models.py.jinja").write_text(template)
    pyproject = example / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.mmkit]\n", '[tool.mmkit]\ntemplates = "team_templates"\n'
        )
    )
    before = snapshot(example)

    result = new_module(example, "ledger")

    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert message.format(path=templates / "models.py.jinja") in result.output
    assert snapshot(example) == before


def test_list_form_modules_and_a_settings_tuple_are_edited_in_their_style(
    copy_fixture: object,
) -> None:
    project = copy_fixture("scaffold_list")  # type: ignore[operator]

    result = new_module(
        project, "invoices", "--model", "Invoice", "--field", "author_id:ref:authors"
    )

    assert result.exit_code == 0, result.output
    assert (project / "site_config" / "settings.py").read_text() == (
        '"""Settings with a literal tuple in single quotes and comments, kept as they are."""\n'
        "\n"
        "# fmt: off\n"
        "INSTALLED_APPS = (\n"
        "    'django.contrib.contenttypes',\n"
        "    # the modules of the project\n"
        "    'authors',  # people who write\n"
        "    'invoices',\n"
        ")\n"
    )
    assert (project / "pyproject.toml").read_text() == (
        "# A project that lists its modules: new-module appends to the list.\n"
        "\n"
        "[tool.mmkit]\n"
        "modules = [\n"
        '    "authors",  # people who write\n'
        '    "invoices",\n'
        "]\n"
        'settings = "site_config.settings"\n'
        "\n"
        "[tool.other]\n"
        'key = "value"\n'
    )
    assert result.output.splitlines()[1:4] == [
        'edited site_config/settings.py to add "invoices" to INSTALLED_APPS',
        'edited pyproject.toml to add "invoices" to [tool.mmkit] modules',
        "note: invoices depends on authors, which mmkit checks only when modules are tables: "
        '[tool.mmkit.modules.invoices] depends_on = ["authors"]',
    ]
    assert tomllib.loads((project / "pyproject.toml").read_text())["tool"]["mmkit"]["modules"] == [
        "authors",
        "invoices",
    ]


def test_settings_it_cannot_edit_get_the_line_to_add(copy_fixture: object) -> None:
    project = copy_fixture("scaffold_dynamic")  # type: ignore[operator]
    settings = (project / "settings.py").read_text()

    result = new_module(project, "invoices")

    assert result.exit_code == 0, result.output
    assert (project / "settings.py").read_text() == settings
    assert result.output.splitlines() == [
        "created invoices/ (12 files)",
        'to do by hand: add "invoices", to INSTALLED_APPS in settings.py '
        "(INSTALLED_APPS is not a literal list or tuple)",
        "next: python manage.py test invoices (in the directory of manage.py)",
    ]
