"""Real-world project layouts: each fixture gets exactly the findings `mmkit check` should give."""

from __future__ import annotations

import sys

import pytest

from mmkit.project import load_project

# The `type` statement of books/newsyntax.py is new in Python 3.12.
OLD_PYTHON = sys.version_info < (3, 12)

LAYOUTS = {
    "layout_root_package": {
        ("mmkit.E003", "shop/catalog/views.py", 4),
        ("mmkit.E003", "shop/catalog/views.py", 6),
    },
    "layout_top_level": {("mmkit.E003", "src/books/views.py", 3)},
    "layout_nested": {
        ("mmkit.E003", "shop/views.py", 4),
        ("mmkit.E003", "shop/billing/use_cases.py", 4),
        ("mmkit.E004", "shop/views.py", 3),
    },
    "layout_no_apps_py": {("mmkit.E003", "books/views.py", 3)},
    "layout_label": {("mmkit.E003", "books/views.py", 3)},
    "layout_discovered": {("mmkit.E003", "books/views.py", 3)},
    "layout_models_package": {
        ("mmkit.E003", "books/views.py", 3),
        ("mmkit.E003", "books/deep.py", 3),
    },
    "layout_newsyntax": {("mmkit.E003", "books/views.py", 3)}
    | ({("mmkit.W004", "books/newsyntax.py", 5)} if OLD_PYTHON else set()),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout_gets_exactly_its_findings(name, copy_fixture, check_project, locations) -> None:
    assert locations(check_project(copy_fixture(name))) == LAYOUTS[name]


def test_apps_under_one_root_package_are_named_by_their_dotted_path(copy_fixture) -> None:
    project = load_project(copy_fixture("layout_root_package"))

    assert [(m.name, m.label) for m in project.modules] == [
        ("shop.billing", "billing"),
        ("shop.catalog", "catalog"),
    ]
    assert project.top_level_packages == ("shop",)


def test_relative_import_of_a_sibling_module_is_resolved(copy_fixture, check_project) -> None:
    found = check_project(copy_fixture("layout_root_package"))

    relative = next(f for f in found if f.line == 6)
    assert relative.message == (
        "shop.catalog.views imports shop.billing.models, private to module 'shop.billing'"
    )


def test_the_inner_app_of_a_nested_pair_is_its_own_module(copy_fixture, check_project) -> None:
    found = check_project(copy_fixture("layout_nested"))

    messages = {(f.path, f.line): f.message for f in found}
    assert messages[("shop/views.py", 4)] == (
        "shop.views imports shop.billing.models, private to module 'shop.billing'"
    )
    assert messages[("shop/billing/use_cases.py", 4)] == (
        "shop.billing.use_cases imports shop.models, private to module 'shop'"
    )
    assert messages[("shop/views.py", 3)] == (
        "modules depend on each other in a cycle: shop -> shop.billing -> shop "
        "(shop.views:3 imports shop.billing.facade; "
        "shop.billing.use_cases:3 imports shop.facade)"
    )


def test_apps_without_apps_py_take_their_label_from_the_package(copy_fixture) -> None:
    project = load_project(copy_fixture("layout_no_apps_py"))

    assert [(m.name, m.label, m.has_apps_py) for m in project.modules] == [
        ("authors", "authors", False),
        ("books", "books", False),
    ]


def test_a_custom_label_changes_the_label_not_the_module_name(copy_fixture, check_project) -> None:
    path = copy_fixture("layout_label")
    project = load_project(path)

    assert sorted(project.by_label) == ["library", "writers"]
    (finding,) = check_project(path)
    assert (finding.module, finding.message) == (
        "books",
        "books.views imports authors.models, private to module 'authors'",
    )


def test_every_app_under_root_is_discovered_without_a_modules_key(copy_fixture) -> None:
    project = load_project(copy_fixture("layout_discovered"))

    assert [m.name for m in project.modules] == ["authors", "books"]


@pytest.mark.skipif(not OLD_PYTHON, reason="this Python parses the type statement")
def test_a_file_with_newer_syntax_is_one_warning_and_the_rest_is_checked(
    copy_fixture, check_project
) -> None:
    found = check_project(copy_fixture("layout_newsyntax"))

    warnings = [f for f in found if f.rule == "mmkit.W004"]
    assert len(warnings) == 1
    assert warnings[0].message.startswith("could not parse books/newsyntax.py: ")
    assert warnings[0].message.endswith("; the rest of the project was checked")


def test_modules_without_init_py_are_namespace_packages_and_still_checked(
    copy_fixture, check_project, locations
) -> None:
    project = copy_fixture("layout_no_apps_py")
    (project / "authors" / "__init__.py").unlink()
    (project / "books" / "__init__.py").unlink()

    assert locations(check_project(project)) == {("mmkit.E003", "books/views.py", 3)}


def test_imports_in_a_file_of_newer_syntax_are_still_checked(copy_fixture, locations) -> None:
    from mmkit.checks import imports

    project = copy_fixture("layout_newsyntax")
    newer = project / "books" / "newsyntax.py"
    newer.write_text(newer.read_text() + "\n\ndef authors():\n    from authors import models\n")
    line = len(newer.read_text().splitlines())

    found = imports.findings(load_project(project))

    assert locations(found) == {
        ("mmkit.E003", "books/views.py", 3),
        ("mmkit.E003", "books/newsyntax.py", line),
    }
    assert next(f for f in found if f.path == "books/newsyntax.py").column == 5


def test_a_nested_module_without_init_py_is_reported_not_silently_passed(
    copy_fixture, check_project, locations
) -> None:
    project = copy_fixture("layout_nested")
    (project / "shop" / "billing" / "__init__.py").unlink()

    found = check_project(project)

    assert locations(found) == {("mmkit.W004", "shop/billing/apps.py", 1)}
    assert found[0].message == (
        "cannot check the imports of module 'shop.billing': shop/billing/ has no __init__.py "
        "inside a package, so the import graph does not see it; not checked"
    )
