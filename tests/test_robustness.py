"""What real code bases taught the engine: each case is a pattern seen in a published Django
project (wagtail, django-oscar, django CMS, misago, label-studio), cut down to a fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmkit.checks import relations
from mmkit.project import load_project

FIXTURES = Path(__file__).parent / "fixtures"

Place = tuple[str, str, int]


def relation_places(name: str) -> set[Place]:
    """(rule, path, line) of the relation rules' findings (E001/E002 and W004 notes)."""
    project = load_project(FIXTURES / name)
    found, notes = relations.from_source(project)
    return {(f.rule, f.path, f.line) for f in relations.findings(project, found) + notes}


def e001(path: str, *lines: int) -> set[Place]:
    return {("mmkit.E001", path, line) for line in lines}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        # treebeard's MP_Node, a base computed at run time, a field under `if` in a class body,
        # and project classes only used as targets: models. A plain or stdlib mixin and a
        # serializer are not, so their relation fields (lines 40, 46) are not reported.
        (
            "rb_opaque_bases",
            e001("src/media/models.py", 16, 26, 28, 34) | e001("src/docs/models.py", 7, 8, 9),
        ),
        # misago's settings wrapper, oscar's compat module, django CMS's getattr(settings, ...).
        ("rb_user_model_wrappers", e001("books/models.py", 9, 10, 11)),
        # wagtail: swapper.get_model_name and modelcluster's ParentalKey.
        ("rb_third_party_fields", e001("src/links/models.py", 8, 9, 14)),
    ],
)
def test_relation_findings(fixture: str, expected: set[Place]) -> None:
    assert relation_places(fixture) == expected


def test_target_of_a_project_class_with_a_third_party_base_is_its_modules_model() -> None:
    project = load_project(FIXTURES / "rb_opaque_bases")
    found, _ = relations.from_source(project)

    assert {(r.model, r.field): r.target for r in found if r.model == "docs.Document"} == {
        ("docs.Document", "collection"): "media.Collection",
        ("docs.Document", "folder"): "media.Folder",
        ("docs.Document", "page"): "media.Page",
    }


def test_swapper_names_the_default_model_or_the_one_the_settings_swap_in(copy_fixture) -> None:
    project_dir = copy_fixture("rb_third_party_fields")
    default, _ = relations.from_source(load_project(project_dir))
    config = project_dir / "src" / "config"
    config.mkdir()
    (config / "__init__.py").write_text("")
    (config / "settings.py").write_text('PAGES_MENU_MODEL = "menus.CustomMenu"\n')
    pyproject = project_dir / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'settings = "config.settings"\n')
    swapped, _ = relations.from_source(load_project(project_dir))

    assert {r.field: r.target for r in default if r.model == "links.Link"} == {
        "page": "pages.Page",
        "menu": "pages.Menu",
        "own": "links.Link",
    }
    assert {r.field: r.target for r in swapped if r.model == "links.Link"}["menu"] == (
        "menus.CustomMenu"
    )


def test_apps_without_apps_py_are_discovered_by_models_and_migrations(
    check_project, locations
) -> None:
    project = load_project(FIXTURES / "rb_apps_without_apps_py")

    # utils has models.py but no migrations; tests/testapp is excluded (and shares a label).
    assert [m.name for m in project.modules] == ["core", "storage", "tasks"]
    assert locations(check_project(FIXTURES / "rb_apps_without_apps_py")) == {
        ("mmkit.E003", "tasks/models.py", 3),
        ("mmkit.E001", "tasks/models.py", 8),
        ("mmkit.E001", "tasks/models.py", 9),
    }


def test_discovered_apps_sharing_a_label_say_how_to_leave_one_out(mmkit_cli) -> None:
    result = mmkit_cli("check", str(FIXTURES / "rb_duplicate_labels"))

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {FIXTURES / 'rb_duplicate_labels' / 'pyproject.toml'}: modules 'blog' and "
        "'example.blog' share the app label 'blog'; give one of them AppConfig.label, or leave "
        'one out: exclude = ["**/migrations/**", "example/blog/**"]'
    ]


def test_relative_import_above_the_top_package_costs_only_its_file(
    check_project, locations
) -> None:
    found = check_project(FIXTURES / "rb_relative_beyond_top")

    assert locations(found) == {
        ("mmkit.W004", "books/legacy.py", 1),
        ("mmkit.E003", "books/views.py", 1),
    }
    assert next(f for f in found if f.rule == "mmkit.W004").message == (
        "could not parse books/legacy.py: relative import above the top-level package, line 3; "
        "the rest of the project was checked"
    )


def test_module_behind_a_folder_without_init_names_that_folder(check_project) -> None:
    found = check_project(FIXTURES / "rb_namespace_folder")

    assert [(f.rule, f.path, f.line, f.message) for f in found] == [
        (
            "mmkit.W004",
            "shop/extra/billing/__init__.py",
            1,
            "cannot check the imports of module 'shop.extra.billing': shop/extra/ has no "
            "__init__.py inside a package, so the import graph does not see it; not checked",
        )
    ]


def test_module_without_init_py_gets_its_w001_on_a_file(check_project, locations) -> None:
    # books is a namespace package: a W001 on the folder would be no place for an editor.
    assert locations(check_project(FIXTURES / "rb_namespace_module")) == {
        ("mmkit.W001", "books/models.py", 1)
    }
