"""E001/E002 and their W004 notes from model relations read from source, one fixture a case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mmkit.checks import relations, run
from mmkit.findings import RULES, Finding
from mmkit.project import load_project

FIXTURES = Path(__file__).parent / "fixtures"
RELATION_RULES = {"mmkit.E001", "mmkit.E002", "mmkit.W004"}


def relation_findings(name: str) -> list[Finding]:
    """The relation rules' findings of a fixture: E001/E002 plus the scan's W004 notes."""
    project = load_project(FIXTURES / name)
    found, notes = relations.from_source(project)
    return relations.findings(project, found) + notes


def places(findings: list[Finding]) -> list[tuple[str, str, int]]:
    """(rule, path, line) of each finding, sorted; a list, as two may share a line."""
    return sorted((f.rule, f.path, f.line) for f in findings)


def messages(findings: list[Finding]) -> set[str]:
    return {f.message for f in findings}


def e001(path: str, *lines: int) -> list[tuple[str, str, int]]:
    return [("mmkit.E001", path, line) for line in lines]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("rel_fk_import", e001("books/models.py", 8, 12)),
        ("rel_module_alias", e001("books/models.py", 12, 13, 14, 15, 16)),
        ("rel_relative", e001("shop/billing/models.py", 9, 10)),
        ("rel_reexport", e001("books/models.py", 8, 9, 10)),
        ("rel_strings", e001("books/models.py", 5, 6)),
        ("rel_lowercase", e001("books/models.py", 5, 6, 21)),
        ("rel_custom_label", e001("books/models.py", 7, 8)),
        ("rel_field_kinds", e001("books/models.py", 8, 9, 10, 11, 14)),
        ("rel_through", e001("books/models.py", 20, 20, 21)),
        ("rel_custom_field", e001("books/models.py", 10, 11, 12)),
        ("rel_abstract", e001("books/models.py", 14, 18, 18)),
        ("rel_user_custom", e001("books/models.py", 9, 10, 11)),
        ("rel_user_split", e001("books/models.py", 6)),
        (
            "rel_inheritance",
            [("mmkit.E002", "books/models.py", 6), ("mmkit.E002", "books/models.py", 10)],
        ),
        (
            "rel_unresolved",
            [("mmkit.W004", "books/models.py", line) for line in (11, 13, 14, 15, 16, 17)]
            # apps.get_model("authors", "Author") with literal arguments names authors.Author.
            + [("mmkit.E001", "books/models.py", 12)],
        ),
        (
            "rel_user_unreadable",
            [("mmkit.E001", "books/models.py", 9), ("mmkit.W004", "config/settings.py", 3)],
        ),
        ("rel_user_missing_settings", [("mmkit.W004", "pyproject.toml", 1)]),
        (
            "rel_parse_error",
            [
                ("mmkit.E001", "books/models.py", 7),
                ("mmkit.W004", "authors/newsyntax_error.py", 4),
                ("mmkit.W004", "books/newsyntax.py", 3),
                ("mmkit.W004", "books/newsyntax_generic.py", 1),
            ],
        ),
        ("rel_clean", []),
        ("rel_clean_shared_user", []),
    ],
)
def test_relation_findings(fixture: str, expected: list[tuple[str, str, int]]) -> None:
    assert places(relation_findings(fixture)) == sorted(expected)


def test_foreign_key_message_and_fields() -> None:
    [finding, _] = sorted(relation_findings("rel_fk_import"), key=lambda f: f.line)
    assert finding.message == (
        "books.Book.author is a ForeignKey to authors.Author, a model of module 'authors'"
    )
    assert finding.hint == RULES["mmkit.E001"].fix
    assert (finding.column, finding.module, finding.model, finding.field, finding.target) == (
        5,
        "books",
        "books.Book",
        "author",
        "authors.Author",
    )


def test_field_kinds_are_named() -> None:
    assert messages(relation_findings("rel_field_kinds")) == {
        f"books.Book.{field} is a {kind} to authors.{model}, a model of module 'authors'"
        for field, kind, model in [
            ("author", "ForeignKey", "Author"),
            ("profile", "OneToOneField", "Author"),
            ("fans", "ManyToManyField", "Author"),
            ("origin", "ForeignObject", "Author"),
            ("notes", "GenericRelation", "Note"),
        ]
    }


def test_through_model_of_another_module_is_its_own_finding() -> None:
    assert messages(relation_findings("rel_through")) == {
        "books.Book.tags is a ManyToManyField to tags.Tag, a model of module 'tags'",
        "books.Book.tags uses through model tags.Tagging of module 'tags'",
        "books.Book.shelves uses through model tags.Shelving of module 'tags'",
    }


def test_nested_modules_relative_imports_name_module_and_label() -> None:
    assert (
        "billing.Invoice.product is a ForeignKey to catalog.Product, "
        "a model of module 'shop.catalog'" in messages(relation_findings("rel_relative"))
    )


def test_custom_label_is_resolved_to_its_module() -> None:
    assert messages(relation_findings("rel_custom_label")) == {
        f"books.Book.{field} is a ForeignKey to writers.Author, a model of module 'authors'"
        for field in ("author", "editor")
    }


def test_inherited_relations_name_the_abstract_base_at_the_concrete_class() -> None:
    found = relation_findings("rel_abstract")
    assert messages(found) == {
        "books.Book.created_by (inherited from common_models.Stamped) is a ForeignKey to "
        "authors.Author, a model of module 'authors'",
        "books.Novel.created_by (inherited from common_models.Stamped) is a ForeignKey to "
        "authors.Author, a model of module 'authors'",
        "books.Novel.approver (inherited from books.models.Audited) is a ForeignKey to "
        "authors.Author, a model of module 'authors'",
    }
    assert {f.column for f in found} == {1}


def test_relative_strings_of_an_abstract_base_resolve_in_the_concrete_models_app() -> None:
    found, _ = relations.from_source(load_project(FIXTURES / "rel_abstract"))
    targets = {(r.model, r.field): r.target for r in found}
    assert targets[("books.Book", "reviewer")] == "books.Reviewer"
    assert targets[("books.Book", "parent")] == "books.Book"
    assert targets[("books.Novel", "parent")] == "books.Novel"
    assert ("books.Pamphlet", "created_by") not in targets
    assert not any(model == "books.Audited" for model, _ in targets)


def test_model_names_in_strings_match_without_case_and_report_the_class_name() -> None:
    found, _ = relations.from_source(load_project(FIXTURES / "rel_lowercase"))
    assert {(r.model, r.field, r.kind): r.target for r in found} == {
        ("books.Book", "author", "ForeignKey"): "authors.Author",
        ("books.Book", "fans", "ManyToManyField"): "authors.Author",
        ("books.Book", "fans", "through"): "books.Readership",
        ("books.Book", "shelf", "ForeignKey"): "books.Shelf",
        ("books.Book", "series", "ForeignKey"): "books.Series",
        ("books.Readership", "book", "ForeignKey"): "books.Book",
        ("books.Readership", "reader", "ForeignKey"): "authors.Author",
    }


def test_a_lowercase_name_no_model_has_is_kept_as_written(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "rel_lowercase", project)
    models = project / "books" / "models.py"
    models.write_text(models.read_text().replace('"authors.author"', '"authors.ghost"'))
    found, _ = relations.from_source(load_project(project))
    assert {(r.model, r.field): r.target for r in found}[("books.Book", "author")] == (
        "authors.ghost"
    )


def test_inheritance_messages() -> None:
    assert messages(relation_findings("rel_inheritance")) == {
        "books.Novelist inherits from authors.Author, a concrete model of module 'authors' "
        "(multi-table inheritance)",
        "books.AuthorProxy inherits from authors.Author, a concrete model of module 'authors' "
        "(proxy model)",
    }


def test_unresolved_targets_are_noted_not_guessed() -> None:
    found = relation_findings("rel_unresolved")
    assert (
        "cannot resolve the target of books.Book.author (ForeignKey(get_model())); not checked"
        in (messages(found))
    )
    assert "cannot resolve the target of books.Book.ghost (ForeignKey(AUTHOR)); not checked" in (
        messages(found)
    )
    assert (
        "cannot resolve the through model of books.Book.readers "
        "(ManyToManyField(through=get_model())); not checked" in messages(found)
    )
    assert {f.hint for f in found if f.rule == "mmkit.W004"} == {RULES["mmkit.W004"].fix}


def test_user_model_read_from_settings() -> None:
    found, _ = relations.from_source(load_project(FIXTURES / "rel_user_custom"))
    assert {r.field: r.target for r in found} == {
        "owner": "accounts.User",
        "editor": "accounts.User",
        "reviewer": "accounts.User",
    }


def test_user_model_defaults_to_auth_user() -> None:
    found, notes = relations.from_source(load_project(FIXTURES / "rel_clean"))
    targets = {r.field: r.target for r in found}
    assert (targets["owner"], targets["reader"], notes) == ("auth.User", "auth.User", [])


def test_unreadable_user_model_is_one_note() -> None:
    notes = [f for f in relation_findings("rel_user_unreadable") if f.rule == "mmkit.W004"]
    assert [n.message for n in notes] == [
        "cannot read AUTH_USER_MODEL from config.settings "
        "(os.environ.get('USER_MODEL', 'accounts.User') is not a plain string); "
        "relations to the user model were not checked"
    ]


def test_parse_errors_are_reported_and_the_rest_is_checked() -> None:
    by_path = {f.path: f for f in relation_findings("rel_parse_error")}
    assert by_path["books/newsyntax.py"].message == (
        "could not parse books/newsyntax.py: invalid syntax; the rest of the project was checked"
    )
    assert by_path["books/newsyntax.py"].module == "books"
    assert by_path["books/models.py"].rule == "mmkit.E001"


def test_run_reports_relation_rules_once() -> None:
    found = run(load_project(FIXTURES / "rel_parse_error"))
    assert places([f for f in found if f.rule in RELATION_RULES]) == places(
        relation_findings("rel_parse_error")
    )


def test_get_model_as_a_base_with_literal_arguments_is_e002_else_w004() -> None:
    found = relation_findings("rel_get_model")
    assert places(found) == [
        ("mmkit.E002", "books/models.py", 9),
        ("mmkit.E002", "books/models.py", 13),
        ("mmkit.E002", "books/models.py", 22),  # django-oscar's get_model, by its name
        ("mmkit.W004", "books/models.py", 18),
    ]
    assert messages(found) >= {
        "books.Editor inherits from authors.Author, a concrete model of module 'authors' "
        "(multi-table inheritance)",
        "books.PenName inherits from authors.Pen, a concrete model of module 'authors' "
        "(proxy model)",
        "cannot resolve the base apps.get_model(AUTHOR_APP, 'Author') of books.Ghost: its "
        "arguments are not literal strings; the inheritance was not checked",
    }
