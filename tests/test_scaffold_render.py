"""The layout helpers the templates use, and the names derived from a model.

Generated code passes `ruff format --check` only if every helper emits a shape ruff keeps:
one line when it fits in 88 columns, else one item a line with a magic trailing comma.
"""

from __future__ import annotations

import pytest

from mmkit.scaffold.context import ModelNames
from mmkit.scaffold.render import dunder_all, import_from, wrap


def test_wrap_keeps_a_call_on_one_line_when_it_fits() -> None:
    assert wrap("row = Invoice.objects.create", ["number=new.number"], 4) == (
        "row = Invoice.objects.create(number=new.number)"
    )


def test_wrap_puts_one_item_a_line_with_a_trailing_comma_when_it_does_not_fit() -> None:
    items = [f"field_number_{n}=new.field_number_{n}" for n in range(3)]

    assert wrap("row = Invoice.objects.create", items, 4) == (
        "row = Invoice.objects.create(\n"
        "        field_number_0=new.field_number_0,\n"
        "        field_number_1=new.field_number_1,\n"
        "        field_number_2=new.field_number_2,\n"
        "    )"
    )


def test_wrap_explodes_around_an_item_that_is_already_exploded() -> None:
    inner = wrap("models.DecimalField", ["decimal_places=2", "max_digits=12"], 20)
    long_name = '"' + "a" * 40 + '"'

    assert wrap("", [long_name, inner], 16, ",") == (
        "(\n"
        f"                    {long_name},\n"
        "                    models.DecimalField(decimal_places=2, max_digits=12),\n"
        "                ),"
    )


@pytest.mark.parametrize(
    ("items", "expected"),
    [(['"id"'], 'list_display = ("id",)'), (['"id"', '"name"'], 'list_display = ("id", "name")')],
)
def test_wrap_keeps_a_one_item_tuple_a_tuple(items: list[str], expected: str) -> None:
    assert wrap("list_display = ", items, 4, is_tuple=True) == expected


def test_import_from_sorts_names_like_isort_and_wraps_long_lines() -> None:
    assert import_from(".dto", ["ZebraDTO", "NewZebra"]) == "from .dto import NewZebra, ZebraDTO"
    names = [f"UnknownReferenceNumber{n}" for n in range(4)]
    assert import_from(".use_cases", names) == (
        "from .use_cases import (\n"
        + "".join(f"    UnknownReferenceNumber{n},\n" for n in range(4))
        + ")"
    )


def test_dunder_all_puts_constants_then_classes_then_functions() -> None:
    assert dunder_all(["get_a", "ADTO", "AuthorDTO", "author_exists", "NewAuthor"]) == [
        "ADTO",
        "AuthorDTO",
        "NewAuthor",
        "author_exists",
        "get_a",
    ]


@pytest.mark.parametrize(
    ("model", "snake", "plural", "a"),
    [
        ("Invoice", "invoice", "invoices", "an invoice"),
        ("InvoiceLine", "invoice_line", "invoice_lines", "an invoice line"),
        ("Category", "category", "categories", "a category"),
        ("Box", "box", "boxes", "a box"),
        ("HTTPLog", "http_log", "http_logs", "a http log"),
    ],
)
def test_model_names(model: str, snake: str, plural: str, a: str) -> None:
    names = ModelNames.of(model)

    assert (names.snake, names.plural, names.a) == (snake, plural, a)
    assert (names.dto, names.new, names.not_found) == (
        f"{model}DTO",
        f"New{model}",
        f"{model}NotFound",
    )


def test_dunder_all_sorts_case_sensitively_like_ruff() -> None:
    """An acronym model (UUID, SKU) must not make ruff's RUF022 reject the facade."""
    names = ["UUIDDTO", "NewUUID", "UnknownAuthor", "UUIDNotFound", "get_b", "get_B", "Item10"]

    assert dunder_all([*names, "Item9"]) == [
        "UUIDDTO",
        "Item9",
        "Item10",
        "NewUUID",
        "UUIDNotFound",
        "UnknownAuthor",
        "get_B",
        "get_b",
    ]
