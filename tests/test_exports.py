"""E003 for names: what a module takes from another's public interface must be exported.

exp_all: authors.facade has an __all__ (author_name only) and imports use_cases and helper;
publishers.facade has none, a private `_CACHE` and re-exposes its use_cases module;
catalog.facade builds its __all__ from another list, so only its literal names are known and
the rules of a file without __all__ apply to the rest. authors.facade appends to __all__.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from doors import cli_door, django_door

from mmkit.checks import run
from mmkit.project import load_project

FIXTURE = Path(__file__).parent / "fixtures" / "exp_all"

EXPECTED = {
    ("mmkit.E003", "books/views.py", 2),  # helper, not in __all__
    ("mmkit.E003", "books/views.py", 3),  # use_cases, a module the facade imports
    ("mmkit.E003", "books/views.py", 4),  # use_cases re-exposed, no __all__
    ("mmkit.E003", "books/views.py", 5),  # _CACHE, a private name
    ("mmkit.E003", "books/views.py", 9),  # inside a function, a multi-line statement
    ("mmkit.E003", "books/aliases.py", 6),  # f.use_cases
    ("mmkit.E003", "books/aliases.py", 7),  # authors.facade.helper
    ("mmkit.E003", "books/aliases.py", 9),  # facade.use_cases, no __all__
    ("mmkit.E003", "books/aliases.py", 10),  # facade._CACHE and f.helper
    ("mmkit.E003", "books/catalog_use.py", 2),  # use_cases; __all__ known in part only
    ("mmkit.E003", "books/catalog_use.py", 3),  # _hidden
    ("mmkit.E003", "books/local_alias.py", 4),  # an alias a function imports
}


def test_names_the_interface_does_not_export_are_e003_at_the_statement(locations) -> None:
    assert locations(run(load_project(FIXTURE))) == EXPECTED


def test_the_message_says_what_is_not_exported_and_what_all_offers() -> None:
    found = {(f.path, f.line, f.column): f for f in run(load_project(FIXTURE))}

    helper = found[("books/views.py", 2, 1)]
    assert helper.message == (
        "books.views imports authors.facade.helper, which authors.facade does not export "
        "(its __all__: author_name, author_count)"
    )
    assert helper.imported == "authors.facade.helper"
    assert helper.hint.startswith("Use only what authors.facade exports (its __all__)")
    assert found[("books/views.py", 4, 1)].message == (
        "books.views imports publishers.facade.use_cases, which is publishers.use_cases, "
        "private to module 'publishers'"
    )
    assert found[("books/views.py", 5, 1)].message == (
        "books.views imports publishers.facade._CACHE, a private name of module 'publishers'"
    )
    assert found[("books/views.py", 9, 5)].message.startswith(
        "books.views imports authors.facade.helper,"
    )
    assert found[("books/aliases.py", 6, 1)].message == (
        "books.aliases imports authors.facade.use_cases (reading f.use_cases), which "
        "authors.facade does not export (its __all__: author_name, author_count)"
    )
    assert {column for path, line, column in found if (path, line) == ("books/aliases.py", 10)} == {
        7,
        22,
    }


def test_both_doors_report_the_same_names() -> None:
    assert cli_door(FIXTURE) == EXPECTED
    assert django_door(FIXTURE) == EXPECTED


def test_the_baseline_records_and_absorbs_them(copy_fixture, mmkit_cli) -> None:
    project = copy_fixture("exp_all")
    assert mmkit_cli("baseline", str(project)).exit_code == 0
    entries = json.loads((project / "mmkit-baseline.json").read_text())
    assert "authors.facade.helper" in json.dumps(entries)
    assert mmkit_cli("check", str(project)).exit_code == 0


def test_a_cached_run_finds_the_same_and_sees_an_edit(copy_fixture, mmkit_cli, tmp_path) -> None:
    project = copy_fixture("exp_all")
    cache = str(tmp_path / "cache")

    def rows() -> set[tuple[str, str, int]]:
        result = mmkit_cli("check", str(project), "--format", "json", "--cache-dir", cache)
        return {(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]}

    assert rows() == EXPECTED
    assert rows() == EXPECTED
    facade = project / "authors" / "facade.py"
    facade.write_text(facade.read_text().replace('["author_name"]', '["author_name", "helper"]'))
    os.utime(facade, ns=(1, 1))
    expected = EXPECTED - {
        ("mmkit.E003", "books/views.py", 2),
        ("mmkit.E003", "books/views.py", 9),
        ("mmkit.E003", "books/aliases.py", 7),
        ("mmkit.E003", "books/local_alias.py", 4),
    }
    # The suppression of books/suppressed.py now suppresses nothing.
    assert rows() == expected | {("mmkit.W003", "books/suppressed.py", 1)}


def test_a_file_read_without_its_scan_finds_the_same(copy_fixture, locations) -> None:
    """The quick pass that spares plain importers their scan never hides a name."""
    project = copy_fixture("exp_all")
    (project / "books" / "plain.py").write_text(
        "from authors.facade import author_name, author_count as count\n"
        "from authors import facade as writers\n"
        "\n"
        "print(writers.author_name(1), author_name(1) + count())\n"
    )
    (project / "books" / "tricky.py").write_text(
        "from authors.facade import author_name\n"
        "from authors import facade as writers\n"
        "\n"
        "def later():\n"
        "    from authors import facade as again\n"
        "    return writers.author_name(1), again.helper, author_name\n"
    )

    found = locations(run(load_project(project)))

    assert found - EXPECTED == {("mmkit.E003", "books/tricky.py", 6)}


def test_a_public_file_left_out_by_exclude_is_not_judged(tmp_path: Path) -> None:
    """Its `__all__` is not read; the import itself is allowed (a public file)."""
    for module in ("authors", "books"):
        (tmp_path / module).mkdir()
        (tmp_path / module / "__init__.py").write_text("")
        (tmp_path / module / "apps.py").write_text(
            "from django.apps import AppConfig\n\n\n"
            f"class Config(AppConfig):\n    name = {module!r}\n"
        )
    (tmp_path / "authors" / "facade.py").write_text('__all__ = ["get"]\n\n\ndef get():\n    pass\n')
    (tmp_path / "books" / "facade.py").write_text("from authors.facade import hidden\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mmkit]\nmodules = ["authors", "books"]\nexclude = ["authors/facade.py"]\n'
    )
    assert [(f.rule, f.path) for f in run(load_project(tmp_path))] == []
