"""The Django door in this process: relations from the app registry of the dj_relations fixture.

Django is configured here, when pytest collects this module, with the fixture's own settings
(`settings.configure`, no DJANGO_SETTINGS_MODULE), so the environment that other tests hand to
their subprocesses is left alone. The fixture's packages live under `djrel`, a name no other
fixture uses, so their imports never shadow another fixture's packages.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django import Settings

from mmkit.cache import RESULT_FILE, RESULT_VARIANT_FILE
from mmkit.checks import registry, relations
from mmkit.checks.relations import Relation
from mmkit.django import checks as door
from mmkit.findings import RULES, Finding
from mmkit.project import Project, load_project

FIXTURE = Path(__file__).parent / "fixtures" / "dj_relations"
BOOKS = "djrel/books/models.py"
SHELVES = "djrel/shelves/models.py"


def _configure_django() -> None:
    if str(FIXTURE) not in sys.path:
        sys.path.insert(0, str(FIXTURE))
    if not settings.configured:
        fixture_settings = importlib.import_module("djrel.settings")
        values = {name: getattr(fixture_settings, name) for name in dir(fixture_settings)}
        settings.configure(
            **{name: value for name, value in values.items() if name.isupper()},
            MMKIT_CONFIG=str(FIXTURE),
            MMKIT_CACHE_DIR=None,
        )
        django.setup()
    if not apps.is_installed("djrel.books"):
        pytest.fail(
            "Django was configured before tests/test_django_checks.py without the dj_relations "
            "apps; run the Django door's in-process tests with their own settings",
            pytrace=False,
        )


_configure_django()


Row = tuple[str, str, str | None, str, str, int]
"""(rule, model, field, target, path, line) of a relation finding."""

EXPECTED: dict[str, Row] = {
    "ForeignKey": ("mmkit.E001", "books.Book", "author", "authors.Author", BOOKS, 11),
    "ManyToManyField": ("mmkit.E001", "books.Book", "coauthors", "authors.Author", BOOKS, 12),
    "through in another module": (
        "mmkit.E001",
        "books.Book",
        "labels",
        "shelves.Labelling",
        BOOKS,
        13,
    ),
    "GenericRelation": ("mmkit.E001", "books.Book", "notes", "notes.Note", BOOKS, 14),
    "swappable user model": ("mmkit.E001", "books.Book", "owner", "accounts.User", BOOKS, 15),
    "ForeignObject": ("mmkit.E001", "books.Book", "author_by_code", "authors.Author", BOOKS, 17),
    "OneToOneField": ("mmkit.E001", "books.Biography", "subject", "authors.Author", BOOKS, 30),
    "multi-table inheritance": ("mmkit.E002", "books.Novel", None, "authors.Author", BOOKS, 34),
    "proxy": ("mmkit.E002", "books.Pseudonym", None, "authors.Author", BOOKS, 38),
    "abstract base outside the modules": (
        "mmkit.E001",
        "books.Paperback",
        "author",
        "authors.Author",
        BOOKS,
        47,
    ),
    "field added by code (registry only)": (
        "mmkit.E001",
        "books.Anthology",
        "reviewer",
        "authors.Author",
        BOOKS,
        52,
    ),
    "through model's own ForeignKey": (
        "mmkit.E001",
        "shelves.Labelling",
        "book",
        "books.Book",
        SHELVES,
        5,
    ),
}


def _project() -> Project:
    return load_project(FIXTURE)


def _rows(findings: Iterable[Finding]) -> set[Row]:
    return {(f.rule, f.model, f.field, f.target, f.path, f.line) for f in findings}


def _registry_findings() -> set[Row]:
    project = _project()
    return _rows(relations.findings(project, registry.relations_from_registry(project)))


def _messages(**kwargs: Any) -> list[checks.CheckMessage]:
    return checks.run_checks(**kwargs)


def _summary(messages: list[checks.CheckMessage]) -> set[tuple[str, str]]:
    """(id, the location the message starts with) of each message."""
    return {(m.id, m.msg.split(": ", 1)[0]) for m in messages}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_each_relation_kind_is_seen_through_the_registry(case: str) -> None:
    assert EXPECTED[case] in _registry_findings()


def test_registry_findings_are_exactly_the_cross_module_relations() -> None:
    """Allowed relations give nothing: to the shared module (Book.tags, Labelling.tag), to
    django.contrib (Book.group, User.groups), to the own module (Book.sequel, Edition's parent),
    and no parent link or auto-created M2M table is reported as a field of its own."""
    assert _registry_findings() == set(EXPECTED.values()) | {
        ("mmkit.E001", "books.Biography", "editor", "authors.Author", BOOKS, 31)
    }


def test_the_registry_and_the_source_agree_but_on_a_field_added_by_code() -> None:
    """Books.Anthology.reviewer is added by a class decorator calling contribute_to_class: no
    class body declares it, so only the registry sees it. Everything else is the same."""
    project = _project()
    from_source, notes = relations.from_source(project)
    assert notes == []
    source = _rows(relations.findings(project, from_source))
    assert _registry_findings() ^ source == {EXPECTED["field added by code (registry only)"]}


def test_allowed_relations_are_in_the_registry_relations() -> None:
    found = {
        (r.kind, r.model, r.field, r.target) for r in registry.relations_from_registry(_project())
    }
    assert {
        ("ManyToManyField", "books.Book", "tags", "common.Tag"),
        ("ForeignKey", "books.Book", "group", "auth.Group"),
        ("ManyToManyField", "accounts.User", "groups", "auth.Group"),
        ("ForeignKey", "books.Book", "sequel", "books.Book"),
        ("parent", "books.Edition", None, "books.Book"),
    } <= found
    assert not any(r[2] and r[2].endswith("_ptr") for r in found)
    assert ("GenericRelation", "books.Edition", "notes", "notes.Note") not in found


def test_inherited_relation_names_the_abstract_base() -> None:
    paperback = [
        r for r in registry.relations_from_registry(_project()) if r.model == "books.Paperback"
    ]
    assert [(r.field, r.inherited_from, r.line, r.column) for r in paperback] == [
        ("author", "djrel.kernel.Authored", 47, 1)
    ]


def test_relation_checks_become_django_errors_at_the_field() -> None:
    messages = _messages(tags=["mmkit_relations"])
    assert _summary(messages) == {
        ("mmkit.E001", f"{BOOKS}:11:5"),
        ("mmkit.E001", f"{BOOKS}:12:5"),
        ("mmkit.E001", f"{BOOKS}:13:5"),
        ("mmkit.E001", f"{BOOKS}:14:5"),
        ("mmkit.E001", f"{BOOKS}:15:5"),
        ("mmkit.E001", f"{BOOKS}:17:5"),
        ("mmkit.E001", f"{BOOKS}:30:5"),
        ("mmkit.E002", f"{BOOKS}:34:1"),
        ("mmkit.E002", f"{BOOKS}:38:1"),
        ("mmkit.E001", f"{BOOKS}:47:1"),
        ("mmkit.E001", f"{BOOKS}:52:1"),
        ("mmkit.E001", f"{SHELVES}:5:5"),
    }
    book = apps.get_model("books", "Book")
    (author,) = [m for m in messages if m.obj is book._meta.get_field("author")]
    assert isinstance(author, checks.Error)
    assert author.msg == (
        f"{BOOKS}:11:5: books.Book.author is a ForeignKey to authors.Author, "
        "a model of module 'djrel.authors'"
    )
    assert author.hint == RULES["mmkit.E001"].fix
    assert str(author).startswith("books.Book.author: (mmkit.E001) ")
    (novel,) = [m for m in messages if m.id == "mmkit.E002" and ":34:" in m.msg]
    assert novel.obj is apps.get_model("books", "Novel")


def test_import_checks_name_the_importing_module() -> None:
    messages = _messages(tags=["mmkit_imports"])
    assert [(m.id, m.obj, m.msg) for m in messages] == [
        (
            "mmkit.E003",
            "djrel.books.models",
            f"{BOOKS}:5:1: djrel.books.models imports djrel.authors.models, private to module "
            "'djrel.authors'",
        )
    ]


def test_the_mmkit_tag_runs_both_and_other_tags_none() -> None:
    both = _messages(tags=["mmkit"])
    assert _summary(both) == _summary(_messages(tags=["mmkit_relations"])) | _summary(
        _messages(tags=["mmkit_imports"])
    )
    assert not [m for m in _messages(tags=["models"]) if m.id.startswith("mmkit.")]


def test_the_checks_are_registered_with_their_tags() -> None:
    registered = {
        check.__name__: set(check.tags)
        for check in checks.registry.registry.get_checks()
        if check.__module__ == "mmkit.django.checks"
    }
    assert registered == {
        "check_configuration": {"mmkit", "mmkit_relations", "mmkit_imports"},
        "check_relations": {"mmkit", "mmkit_relations"},
        "check_imports": {"mmkit", "mmkit_imports"},
    }


def test_a_subset_of_apps_gets_only_its_modules_findings() -> None:
    shelves = _messages(app_configs=[apps.get_app_config("shelves")], tags=["mmkit"])
    assert _summary(shelves) == {("mmkit.E001", f"{SHELVES}:5:5")}
    assert _messages(app_configs=[apps.get_app_config("auth")], tags=["mmkit"]) == []


def _check_command(**options: object) -> str:
    """`manage.py check --tag mmkit` in this process; its report, raised or written."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("check", tags=["mmkit"], stdout=stdout, stderr=stderr, **options)
    except SystemCheckError as error:
        return f"raised: {error}"
    return stdout.getvalue() + stderr.getvalue()


def test_silenced_system_checks_silence_one_rule(settings: Settings) -> None:
    settings.SILENCED_SYSTEM_CHECKS = ["mmkit.E003"]
    report = _check_command()
    assert report.startswith("raised: ")
    assert "(mmkit.E001)" in report
    assert "(mmkit.E003)" not in report
    settings.SILENCED_SYSTEM_CHECKS = ["mmkit.E001", "mmkit.E002"]
    report = _check_command()
    assert "(mmkit.E003)" in report
    assert "(mmkit.E001)" not in report


def test_fail_level_decides_whether_findings_fail(settings: Settings) -> None:
    report = _check_command(fail_level="CRITICAL")
    assert not report.startswith("raised: ")
    assert "(mmkit.E001)" in report


def test_suppression_comments_apply_in_this_door() -> None:
    messages = _messages(tags=["mmkit"])
    assert not [m for m in messages if f"{BOOKS}:31:" in m.msg]
    assert not [m for m in messages if m.id == "mmkit.W003"]


@pytest.fixture
def config_elsewhere(tmp_path: Path, settings: Settings) -> Iterator[Path]:
    """A pyproject.toml outside the fixture whose root (a symlink) is the fixture: a baseline
    can be written beside it without touching the fixture."""
    (tmp_path / "fixture").symlink_to(FIXTURE, target_is_directory=True)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mmkit]\nroot = "fixture"\n'
        'modules = ["djrel.accounts", "djrel.authors", "djrel.books", "djrel.common", '
        '"djrel.notes", "djrel.shelves"]\nshared = ["djrel.common"]\nsettings = "djrel.settings"\n'
    )
    settings.MMKIT_CONFIG = str(tmp_path)
    yield tmp_path


def test_baselined_findings_do_not_fail_and_stale_entries_do(config_elsewhere: Path) -> None:
    from mmkit import baseline
    from mmkit.checks import run

    project = load_project(config_elsewhere)
    findings = run(project, relations=registry.relations_from_registry(project))
    assert len(findings) == 13
    baseline.write(project, findings)
    assert _messages(tags=["mmkit"]) == []

    relation = next(f for f in findings if f.rule == "mmkit.E001")
    baseline.write(project, [*findings, dataclasses.replace(relation, target="authors.Gone")])
    (stale,) = _messages(tags=["mmkit"])
    assert stale.id == "mmkit.E101"
    assert stale.msg.startswith("stale baseline entry: mmkit.E001 ")
    assert "authors.Gone" in stale.msg


def test_an_invalid_baseline_is_one_configuration_error(config_elsewhere: Path) -> None:
    (config_elsewhere / "mmkit-baseline.json").write_text("{not json")
    (error,) = _messages(tags=["mmkit_relations"])
    assert error.id == "mmkit.E100"
    assert "is not a valid mmkit baseline" in error.msg


NO_CONFIG_HINT = (
    "Run `mmkit init` in the project (the directory of manage.py) to write [tool.mmkit], "
    "or set MMKIT_CONFIG in the settings to the pyproject.toml that has it."
)
PYPROJECT_HINT = (
    "Correct [tool.mmkit] in pyproject.toml as the message says, or point "
    "settings.MMKIT_CONFIG at it."
)
SETTINGS_HINT = (
    "Set [tool.mmkit] settings to your settings module's dotted name (DJANGO_SETTINGS_MODULE, "
    "relative to root) and make it parse; `mmkit init` reads it from manage.py."
)
NO_MODULES_HINT = (
    "Install your apps in INSTALLED_APPS (or list them in [tool.mmkit] modules), or create the "
    "first module with `mmkit new-module NAME`."
)


@pytest.mark.parametrize(
    ("pyproject", "expected", "hint"),
    [
        (None, "does not exist", NO_CONFIG_HINT),
        (
            "[tool.mmkit]\nmodulez = []\n",
            "unknown key 'modulez' (did you mean 'modules'?)",
            PYPROJECT_HINT,
        ),
        ('[tool.mmkit]\nmodules = ["nowhere"]\n', "module 'nowhere' not found", PYPROJECT_HINT),
        ("[tool.mmkit\n", "is not valid TOML", PYPROJECT_HINT),
        ("[project]\nname = 'x'\n", "no [tool.mmkit] table", NO_CONFIG_HINT),
        ("tool = 1\n", "no [tool.mmkit] table", NO_CONFIG_HINT),
        (
            '[tool.mmkit]\nsettings = "config.settngs"\n',
            "settings = 'config.settngs': there is no module 'config.settngs' under ",
            SETTINGS_HINT,
        ),
        ('[tool.mmkit]\nroot = ".."\n', "is outside the project directory", PYPROJECT_HINT),
    ],
)
def test_a_configuration_problem_is_one_error_whatever_the_tag(
    tmp_path: Path, settings: Settings, pyproject: str | None, expected: str, hint: str
) -> None:
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    settings.MMKIT_CONFIG = str(tmp_path)
    for tag in ("mmkit", "mmkit_relations", "mmkit_imports"):
        (error,) = _messages(tags=[tag])
        assert error.id == "mmkit.E100"
        assert isinstance(error, checks.Error)
        assert expected in error.msg
        assert error.hint == hint


def test_a_project_without_modules_is_the_same_warning_as_in_the_cli(
    tmp_path: Path, settings: Settings
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mmkit]\n")
    settings.MMKIT_CONFIG = str(tmp_path)
    for tag in ("mmkit", "mmkit_relations", "mmkit_imports"):
        (warning,) = _messages(tags=[tag])
        assert (warning.id, type(warning), warning.hint) == (
            "mmkit.W005",
            checks.Warning,
            NO_MODULES_HINT,
        )
        assert warning.msg == (
            "pyproject.toml:1:1: no modules to check: no Django app (a package with apps.py, "
            f"or with models and migrations) is under {tmp_path.resolve()}; create the first "
            "one with `mmkit new-module NAME`, or list the modules in [tool.mmkit] modules"
        )


def test_a_pyproject_that_is_not_utf8_has_the_unreadable_file_hint(
    tmp_path: Path, settings: Settings
) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.mmkit]\nroot = '\xff'\n")
    settings.MMKIT_CONFIG = str(tmp_path)
    (error,) = _messages(tags=["mmkit"])
    assert (error.id, error.hint) == (
        "mmkit.E100",
        "Make the file readable (permissions, UTF-8) or leave it out with [tool.mmkit] exclude.",
    )
    assert "is not valid TOML: not UTF-8" in error.msg


def test_an_unreadable_baseline_has_the_baseline_hint(config_elsewhere: Path) -> None:
    (config_elsewhere / "mmkit-baseline.json").write_text("[]")
    (error,) = _messages(tags=["mmkit"])
    assert (error.id, error.hint) == (
        "mmkit.E100",
        "Restore mmkit-baseline.json from version control, or delete it and run "
        "`mmkit baseline` to record today's findings again.",
    )


def test_the_config_is_found_above_base_dir(settings: Settings) -> None:
    del settings.MMKIT_CONFIG
    settings.BASE_DIR = FIXTURE / "djrel" / "books"
    assert door.find_config() == (FIXTURE / "pyproject.toml").resolve()
    assert ("mmkit.E001", f"{BOOKS}:11:5") in _summary(_messages(tags=["mmkit"]))


def test_no_config_anywhere_is_a_configuration_error(tmp_path: Path, settings: Settings) -> None:
    del settings.MMKIT_CONFIG
    settings.BASE_DIR = tmp_path
    (error,) = _messages(tags=["mmkit"])
    assert error.id == "mmkit.E100"
    assert error.msg.startswith("no [tool.mmkit] table in a pyproject.toml at or above ")
    del settings.BASE_DIR
    (error,) = _messages(tags=["mmkit"])
    assert "set BASE_DIR, or set MMKIT_CONFIG" in error.msg


def test_importing_mmkit_and_its_app_config_leaves_django_alone() -> None:
    """No settings are read and no project code is imported until the checks run."""
    code = (
        "import sys, mmkit, mmkit.apps, mmkit.django.apps, mmkit.django.checks\n"
        "from django.apps import AppConfig\n"
        "from django.conf import settings\n"
        "config = AppConfig.create('mmkit')\n"
        "print(type(config).__name__, settings.configured, 'djrel' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "no.such.settings", "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "MmkitConfig False False"), (
        result.stderr
    )


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A project of one module, its files modified a minute ago: not too recently to be cached."""
    project = tmp_path / "project"
    (project / "djcache").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.mmkit]\nmodules = ["djcache"]\n')
    for name in ("__init__.py", "models.py"):
        path = project / "djcache" / name
        path.write_text("")
        minute_ago = path.stat().st_mtime_ns - 60_000_000_000
        os.utime(path, ns=(minute_ago, minute_ago))
    return project


FOUND = Finding(
    "mmkit.W001", "djcache/__init__.py", 1, 1, "m", "h", module="djcache", extra=(("a", "b"),)
)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The calls of mmkit.checks.run, replaced by a counting stand-in that finds FOUND."""
    calls: list[int] = []

    def counting_run(
        project: Project, relations: object = None, facts: object = None, rules: object = None
    ) -> list[Finding]:
        calls.append(1)
        return [FOUND]

    monkeypatch.setattr("mmkit.checks.run", counting_run)
    return calls


def test_a_reload_that_changed_nothing_reuses_the_last_result(
    small_project: Path,
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    calls: list[int],
) -> None:
    settings.MMKIT_CACHE_DIR = str(tmp_path / "cache")

    def analyse() -> list[Finding]:
        return door.analyse(load_project(small_project), [])

    assert (analyse(), len(calls)) == ([FOUND], 1)
    assert (analyse(), len(calls)) == ([FOUND], 1)

    monkeypatch.setattr(door, "_MEMO", {})  # a new process, as after a runserver reload
    assert (analyse(), len(calls)) == ([FOUND], 1)
    assert (tmp_path / "cache" / RESULT_VARIANT_FILE).is_file()
    assert not (tmp_path / "cache" / RESULT_FILE).exists()  # `mmkit check`'s result is its own

    models = small_project / "djcache" / "models.py"
    stat = models.stat()
    os.utime(models, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert (analyse(), len(calls)) == ([FOUND], 2)

    moved = Relation("ForeignKey", "djcache.A", "b", "other.B", models, 1, 1)
    assert door.analyse(load_project(small_project), [moved]) == [FOUND]
    assert len(calls) == 3

    assert door.analyse(load_project(small_project), [moved], frozenset()) == [FOUND]
    assert len(calls) == 4


def test_an_edit_in_the_same_timestamp_tick_is_not_served_stale(
    small_project: Path,
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    calls: list[int],
) -> None:
    settings.MMKIT_CACHE_DIR = str(tmp_path / "cache")
    models = small_project / "djcache" / "models.py"
    models.write_text("a = 1\n")
    assert door.analyse(load_project(small_project), []) == [FOUND]
    stat = models.stat()
    models.write_text("b = 2\n")  # the same size, and the same time below
    os.utime(models, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    monkeypatch.setattr(door, "_MEMO", {})
    assert door.analyse(load_project(small_project), []) == [FOUND]
    assert len(calls) == 2
    assert not (tmp_path / "cache" / RESULT_VARIANT_FILE).exists()


def test_the_disk_cache_can_be_turned_off(
    small_project: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MMKIT_CACHE_DIR = None
    monkeypatch.setattr("mmkit.checks.run", lambda project, **options: [])
    assert door.analyse(load_project(small_project), []) == []
    assert not (small_project / ".mmkit_cache").exists()


def test_without_import_checks_no_graph_is_built_and_import_entries_stay(
    config_elsewhere: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mmkit import baseline
    from mmkit.checks import run

    project = load_project(config_elsewhere)
    everything = run(project, relations=registry.relations_from_registry(project))
    imports_only = [f for f in everything if f.rule == "mmkit.E003"]
    baseline.write(project, imports_only)
    settings.MMKIT_IMPORT_CHECKS = False

    def no_graph(*args: object, **kwargs: object) -> list[Finding]:
        raise AssertionError("the import graph was built")

    monkeypatch.setattr("mmkit.checks.imports.findings", no_graph)
    messages = _messages(tags=["mmkit"])
    assert {m.id for m in messages} == {"mmkit.E001", "mmkit.E002"}
    assert _summary(messages) == _summary(_messages(tags=["mmkit_relations"]))


def test_a_found_pyproject_that_is_not_utf8_is_one_configuration_error(
    tmp_path: Path, settings: Settings
) -> None:
    del settings.MMKIT_CONFIG
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.mmkit]\n\xff = 1\n")
    settings.BASE_DIR = tmp_path
    (error,) = _messages(tags=["mmkit"])
    assert error.id == "mmkit.E100"
    assert "is not valid TOML: not UTF-8" in error.msg


@pytest.mark.parametrize("setting", ["MMKIT_CONFIG", "MMKIT_CACHE_DIR"])
def test_a_path_setting_of_the_wrong_type_is_one_configuration_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setattr(door, "_MEMO", {})  # a new process, as Django starts one per command
    setattr(settings, setting, 5)
    (error,) = _messages(tags=["mmkit"])
    assert (error.id, error.msg) == ("mmkit.E100", f"settings.{setting} must be a path, not int")


@pytest.mark.parametrize(
    "entry", ["mmkit", "mmkit.apps.MmkitConfig", "mmkit.django.apps.MmkitConfig"]
)
def test_every_installed_apps_entry_for_mmkit_is_the_one_mmkit_app(entry: str) -> None:
    from django.apps import AppConfig

    from mmkit.django.apps import MmkitConfig

    config = AppConfig.create(entry)

    assert (type(config), config.name, config.label) == (MmkitConfig, "mmkit", "mmkit")


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ('[tool.mmkit]\nroot = "a\\u0000b"\n', "[tool.mmkit] 'root' contains a NUL character"),
        ("[tool.mmkit]\nx = " + "[" * 600 + "]" * 600 + "\n", "is not valid TOML: nested too"),
    ],
    ids=["nul", "deep"],
)
def test_hostile_pyproject_is_one_configuration_error(
    tmp_path: Path, settings: Settings, pyproject: str, expected: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    settings.MMKIT_CONFIG = str(tmp_path)
    (error,) = _messages(tags=["mmkit"])
    assert error.id == "mmkit.E100"
    assert expected in error.msg


@pytest.mark.parametrize("name", ["MMKIT_CONFIG", "MMKIT_CACHE_DIR"])
def test_a_nul_byte_in_a_path_setting_is_one_configuration_error(
    settings: Settings, name: str
) -> None:
    setattr(settings, name, "a\0b")
    (error,) = _messages(tags=["mmkit"])
    assert error.id == "mmkit.E100"
    assert error.msg == f"settings.{name} contains a NUL character"


@pytest.mark.parametrize("value", ["no", 0, None, "False"])
def test_import_checks_of_the_wrong_type_are_a_configuration_error(
    settings: Settings, value: object
) -> None:
    settings.MMKIT_IMPORT_CHECKS = value
    (error,) = _messages(tags=["mmkit"])
    assert error.id == "mmkit.E100"
    assert error.msg == (
        f"settings.MMKIT_IMPORT_CHECKS must be True or False, not {type(value).__name__}"
    )
