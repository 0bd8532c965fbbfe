"""The import rules E003, E004 and E005 on small fixture projects, one case per variant."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from mmkit.checks import imports
from mmkit.config import ConfigError
from mmkit.project import load_project

IMPORT_RULES = ("E003", "E004", "E005")


def import_findings(path: Path) -> list:
    return imports.findings(load_project(path))


def test_each_way_of_importing_private_code_is_one_finding_per_statement(
    copy_fixture, locations
) -> None:
    found = import_findings(copy_fixture("imp_variants"))

    assert locations(found) == {
        ("mmkit.E003", "books/from_module.py", 3),
        ("mmkit.E003", "books/from_package.py", 3),
        ("mmkit.E003", "books/import_as.py", 3),
        ("mmkit.E003", "books/in_function.py", 5),
        ("mmkit.E003", "books/package_init.py", 3),
        ("mmkit.E003", "books/twice.py", 3),
        ("mmkit.E003", "books/twice.py", 7),
        ("mmkit.E003", "books/type_checking.py", 8),
        ("mmkit.E003", "books/typing_attribute.py", 8),
        ("mmkit.E003", "books/typing_attribute.py", 10),
    }


def test_private_import_finding_carries_message_column_hint_and_modules(copy_fixture) -> None:
    found = import_findings(copy_fixture("imp_variants"))

    in_function = next(f for f in found if f.path == "books/in_function.py")
    assert in_function.message == (
        "books.in_function imports authors.models, private to module 'authors'"
    )
    assert (in_function.line, in_function.column) == (5, 5)
    assert in_function.module == "books"
    assert in_function.imported == "authors.models"
    assert in_function.hint.startswith(
        "Import the public interface of module 'authors' (authors.facade, authors.events) instead"
    )


def test_type_checking_imports_are_reported_and_say_so(copy_fixture) -> None:
    found = import_findings(copy_fixture("imp_variants"))

    messages = {
        (f.path, f.line): f.message
        for f in found
        if "type_checking" in f.path or "typing" in f.path
    }
    assert messages == {
        ("books/type_checking.py", 8): "books.type_checking imports authors.models, private to "
        "module 'authors' (under TYPE_CHECKING, still a dependency)",
        ("books/typing_attribute.py", 8): "books.typing_attribute imports authors.use_cases, "
        "private to module 'authors' (under TYPE_CHECKING, still a dependency)",
        ("books/typing_attribute.py", 10): "books.typing_attribute imports authors.use_cases, "
        "private to module 'authors'",
    }


@pytest.mark.parametrize(
    "path",
    [
        "books/relative.py",
        "books/public.py",
        "books/shared.py",
        "books/outside.py",
        "books/use_cases.py",
        "books/migrations/0001_initial.py",
        "authors/__init__.py",
        "config/urls.py",
    ],
)
def test_allowed_imports_give_no_finding(copy_fixture, path: str) -> None:
    found = import_findings(copy_fixture("imp_variants"))

    assert [f for f in found if f.path == path] == []


def test_migrations_are_checked_once_no_longer_excluded(copy_fixture, locations) -> None:
    project = copy_fixture("imp_variants")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "exclude = []\n")

    found = import_findings(project)

    assert ("mmkit.E003", "books/migrations/0001_initial.py", 1) in locations(found)


def test_two_module_cycle_shows_the_whole_path_with_one_import_per_edge(copy_fixture) -> None:
    (cycle,) = import_findings(copy_fixture("imp_cycle2"))

    assert (cycle.rule, cycle.path, cycle.line, cycle.column) == (
        "mmkit.E004",
        "authors/use_cases.py",
        3,
        1,
    )
    assert cycle.message == (
        "modules depend on each other in a cycle: authors -> books -> authors "
        "(authors.use_cases:3 imports books.facade; books.use_cases:3 imports authors.facade)"
    )
    assert (cycle.module, cycle.imported) == ("authors", "books.facade")


def test_three_module_cycle_names_every_module_once(copy_fixture) -> None:
    (cycle,) = import_findings(copy_fixture("imp_cycle3"))

    assert (cycle.rule, cycle.path, cycle.line) == ("mmkit.E004", "orders/facade.py", 3)
    assert cycle.message == (
        "modules depend on each other in a cycle: orders -> payments -> shipping -> orders "
        "(orders.facade:3 imports payments.facade; payments.facade:3 imports shipping.facade; "
        "shipping.facade:3 imports orders.facade)"
    )


def test_a_shared_module_never_closes_a_cycle(copy_fixture) -> None:
    project = copy_fixture("imp_cycle2")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'shared = ["books"]\n')

    assert import_findings(project) == []


def test_undeclared_dependencies_are_reported_public_or_private(copy_fixture, locations) -> None:
    found = import_findings(copy_fixture("imp_depends_on"))

    assert locations(found) == {
        ("mmkit.E003", "web/forms.py", 3),
        ("mmkit.E005", "web/forms.py", 3),
        ("mmkit.E005", "web/views.py", 3),
    }
    undeclared = next(f for f in found if f.path == "web/views.py")
    assert undeclared.message == (
        "web.views imports authors.facade, but module 'web' does not list 'authors' in depends_on"
    )
    assert undeclared.hint.startswith("Add 'authors' to depends_on in [tool.mmkit.modules.web]")


def test_clean_project_has_no_import_findings(copy_fixture) -> None:
    assert import_findings(copy_fixture("imp_clean")) == []


def test_findings_are_sorted_and_stable(copy_fixture) -> None:
    project = copy_fixture("imp_variants")

    first, second = import_findings(project), import_findings(project)

    assert first == second
    assert first == sorted(first, key=lambda f: f.sort_key)


def test_graph_is_built_once_and_can_be_reused(copy_fixture, locations) -> None:
    project = load_project(copy_fixture("imp_small"))

    graph = imports.build_graph(project)

    assert {"authors.models", "books.views"} <= graph.modules
    assert graph.imports["books.views"] == {"authors.models": (3,)}
    assert graph.skipped == ()
    assert locations(imports.findings(project, graph)) == {("mmkit.E003", "books/views.py", 3)}


def test_a_file_with_a_syntax_error_costs_only_its_own_imports(copy_fixture, locations) -> None:
    project = load_project(copy_fixture("imp_syntax_error"))

    graph = imports.build_graph(project)
    found = imports.findings(project, graph)

    assert [skipped.path.name for skipped in graph.skipped] == ["newsyntax_error.py"]
    assert "line 5" in graph.skipped[0].reason
    assert locations(found) == {
        ("mmkit.E003", "books/views.py", 1),
        ("mmkit.W004", "books/newsyntax_error.py", 5),
    }
    (warning,) = [f for f in found if f.rule == "mmkit.W004"]
    assert warning.message == (
        "could not parse books/newsyntax_error.py: invalid syntax; "
        "the rest of the project was checked"
    )


def test_a_broken_models_file_is_one_warning_in_the_whole_check(
    copy_fixture, check_project, locations
) -> None:
    project = copy_fixture("imp_syntax_error")
    broken = project / "books" / "newsyntax_error.py"
    broken.write_text("from django.db import models\n\n\nclass Shelf(models.Model):\n" + "def (:\n")

    assert locations(check_project(project)) == {
        ("mmkit.E003", "books/views.py", 1),
        ("mmkit.W004", "books/newsyntax_error.py", 5),
    }


def test_a_file_with_a_coding_cookie_is_read_in_its_encoding(copy_fixture, locations) -> None:
    project = copy_fixture("imp_small")
    (project / "books" / "legacy.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom authors.models import Author\n\nNAME = '\xe9'\n"
    )

    assert locations(import_findings(project)) == {
        ("mmkit.E003", "books/legacy.py", 2),
        ("mmkit.E003", "books/views.py", 3),
    }


def test_an_undecodable_file_costs_only_its_own_imports(copy_fixture, locations) -> None:
    project = load_project(copy_fixture("imp_small"))
    (project.root / "books" / "legacy.py").write_bytes(
        b"from authors.models import Author\n\nNAME = '\xff\xfe'\n"
    )

    graph = imports.build_graph(project)

    assert [skipped.path.name for skipped in graph.skipped] == ["legacy.py"]
    assert graph.skipped[0].reason.startswith("not UTF-8")
    assert locations(imports.findings(project, graph)) == {
        ("mmkit.E003", "books/views.py", 3),
        ("mmkit.W004", "books/legacy.py", 3),
    }


def test_an_imported_package_of_the_same_name_does_not_hide_the_project(
    copy_fixture, locations, monkeypatch
) -> None:
    impostor = types.ModuleType("authors")
    impostor.__path__ = ["/nonexistent/authors"]
    monkeypatch.setitem(sys.modules, "authors", impostor)
    saved_path = list(sys.path)

    found = import_findings(copy_fixture("imp_small"))

    assert locations(found) == {("mmkit.E003", "books/views.py", 3)}
    assert sys.modules["authors"] is impostor
    assert sys.path == saved_path


def test_a_package_shadowed_by_a_builtin_module_is_a_configuration_error(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mmkit]\nmodules = ["sys"]\n')
    (tmp_path / "sys").mkdir()
    (tmp_path / "sys" / "__init__.py").write_text("")

    with pytest.raises(ConfigError, match=r"package 'sys' under .* is shadowed by"):
        imports.build_graph(load_project(tmp_path))


def test_strongly_connected_components_handle_long_chains_without_recursion() -> None:
    size = 5000
    successors = {f"m{i:05}": [f"m{i + 1:05}"] for i in range(size)}
    successors[f"m{size:05}"] = ["m00000"]

    (component,) = imports.strongly_connected_components(successors)

    assert len(component) == size + 1


def test_a_file_only_grimp_failed_on_is_reported_by_this_rule(copy_fixture) -> None:
    project = load_project(copy_fixture("imp_small"))
    graph = imports.build_graph(project)
    views = project.root / "books" / "views.py"
    skipped = imports.ProjectGraph(
        imports=graph.imports,
        modules=graph.modules,
        skipped=(imports.SkippedFile(views, "syntax error, line 3"),),
    )

    warnings = [f for f in imports.findings(project, skipped) if f.rule == "mmkit.W004"]

    assert [(f.path, f.line, f.module, f.message) for f in warnings] == [
        (
            "books/views.py",
            1,
            "books",
            "could not parse books/views.py: syntax error, line 3; "
            "the rest of the project was checked",
        )
    ]


def test_a_folder_without_init_inside_a_module_is_one_note_at_its_first_file(
    copy_fixture, locations
) -> None:
    found = import_findings(copy_fixture("imp_unseen_folder"))

    assert locations(found) == {
        ("mmkit.E003", "books/other/views.py", 1),
        ("mmkit.W004", "books/sub/a.py", 1),
    }
    [note] = [f for f in found if f.rule == "mmkit.W004"]
    assert (note.column, note.module, note.message, note.hint) == (
        1,
        "books",
        "cannot check the imports of books/sub/: it has no __init__.py inside a package, "
        "so the import graph does not see it; not checked",
        "Add an empty books/sub/__init__.py.",
    )


def test_a_folder_without_init_is_noted_alike_when_the_import_table_is_cached(
    copy_fixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mmkit import cache as cache_module
    from mmkit.checks import run
    from mmkit.checks.facts import Facts

    path = copy_fixture("imp_unseen_folder")
    uncached = run(load_project(path))
    first = cache_module.Cache.open(load_project(path).config, tmp_path / "cache")
    project = load_project(path)
    cold = run(project, facts=Facts.of(project, first))
    first.save(project, cold)
    monkeypatch.setattr(imports, "build_graph", lambda *args: pytest.fail("grimp ran"))
    second = cache_module.Cache.open(load_project(path).config, tmp_path / "cache")
    project = load_project(path)
    warm = run(project, facts=Facts.of(project, second))

    assert warm == cold == uncached
    assert ("mmkit.W004", "books/sub/a.py", 1) in {(f.rule, f.path, f.line) for f in warm}


GUARD_VARIANTS = '''\
"""Imports in and around `if TYPE_CHECKING:` blocks of every shape."""
import typing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    try:
        import authors.models
    except ImportError:
        import authors.use_cases
    from authors.models import (
        Author,
    )

    def typed() -> None:
        import authors.models
else:
    import authors.models
if False:
    pass
elif TYPE_CHECKING:  # only for type checkers
    import authors.models
if typing.TYPE_CHECKING and Author:
    import authors.models
if not TYPE_CHECKING:
    import authors.models


def later() -> None:
    text = """
if TYPE_CHECKING:
"""
    import authors.use_cases
    if TYPE_CHECKING:
        import authors.models
    return text
'''


def test_type_checking_guard_is_read_the_same_in_every_block_shape(copy_fixture) -> None:
    project = copy_fixture("imp_variants")
    (project / "books" / "guards.py").write_text(GUARD_VARIANTS)

    found = {
        f.line: f.message.endswith("(under TYPE_CHECKING, still a dependency)")
        for f in import_findings(project)
        if f.path == "books/guards.py"
    }

    assert found == {
        7: True,
        9: True,
        10: True,
        15: True,
        17: False,
        21: True,
        23: False,
        25: False,
        32: False,
        34: True,
    }
