"""The field types `--field name:type` knows, and how each one is written in every file.

A field type is data (Django field, Python type, a sample value for the tests), so the
templates stay free of type-specific branches and a new type is one entry here.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from mmkit.scaffold.errors import ScaffoldError

REF_PREFIX = "ref:"
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_NAME_LENGTH = 30
# Names a model field cannot take: Django's own (pk, objects), the generated code's (id is the
# primary key and the DTO's first field; `models` would shadow the import in models.py), and
# the attributes every model instance has.
RESERVED_FIELD_NAMES = frozenset(
    {
        "id",
        "pk",
        "objects",
        "models",
        "self",
        "adelete",
        "arefresh_from_db",
        "asave",
        "check",
        "clean",
        "clean_fields",
        "date_error_message",
        "delete",
        "from_db",
        "full_clean",
        "get_constraints",
        "get_deferred_fields",
        "prepare_database_save",
        "refresh_from_db",
        "save",
        "save_base",
        "serializable_value",
        "unique_error_message",
        "validate_constraints",
        "validate_unique",
    }
)


@dataclass(frozen=True)
class FieldType:
    """How one `--field` type is stored (Django), typed (Python) and sampled (tests)."""

    name: str
    django_class: str
    django_kwargs: tuple[tuple[str, str], ...]
    python_type: str
    sample: str
    other_sample: str
    stdlib_import: str | None = None


FIELD_TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("str", "CharField", (("max_length", "200"),), "str", '"First"', '"Second"'),
        FieldType("text", "TextField", (), "str", '"Some text."', '"Other text."'),
        FieldType("int", "IntegerField", (), "int", "7", "-3"),
        FieldType(
            "decimal",
            "DecimalField",
            (("decimal_places", "2"), ("max_digits", "12")),
            "decimal.Decimal",
            'decimal.Decimal("12.50")',
            'decimal.Decimal("0.99")',
            "decimal",
        ),
        FieldType("bool", "BooleanField", (("default", "False"),), "bool", "True", "False"),
        FieldType(
            "date",
            "DateField",
            (),
            "datetime.date",
            "datetime.date(2024, 1, 31)",
            "datetime.date(1999, 12, 1)",
            "datetime",
        ),
        FieldType(
            "datetime",
            "DateTimeField",
            (),
            "datetime.datetime",
            "datetime.datetime(2024, 1, 31, tzinfo=datetime.UTC)",
            "datetime.datetime(1999, 12, 1, tzinfo=datetime.UTC)",
            "datetime",
        ),
        FieldType(
            "uuid",
            "UUIDField",
            (),
            "uuid.UUID",
            'uuid.UUID("12345678-1234-5678-1234-567812345678")',
            'uuid.UUID("87654321-4321-8765-4321-876543210987")',
            "uuid",
        ),
        FieldType(
            "email",
            "EmailField",
            (("max_length", "254"),),
            "str",
            '"first@example.com"',
            '"second@example.com"',
        ),
        FieldType(
            "ref",
            "PositiveBigIntegerField",
            (("db_index", "True"),),
            "int",
            "1",
            "2",
        ),
    )
}
KNOWN_TYPES = (*(name for name in FIELD_TYPES if name != "ref"), "ref:MODULE")


@dataclass(frozen=True)
class FieldSpec:
    """One `--field` as given: a name, a type and, for `ref:MODULE`, the module it refers to."""

    name: str
    type: FieldType
    ref_module: str | None = None

    @property
    def django_call(self) -> tuple[str, tuple[str, ...]]:
        """The Django field as a callee and its arguments, the way makemigrations writes them."""
        arguments = tuple(f"{key}={value}" for key, value in self.type.django_kwargs)
        return f"models.{self.type.django_class}", arguments


def parse_field(text: str) -> FieldSpec:
    """`name:type` or `name:ref:MODULE` into a FieldSpec; a ScaffoldError says what is wrong."""
    name, separator, type_name = text.partition(":")
    if not separator:
        raise ScaffoldError(f"--field {text!r}: write it as name:type, e.g. title:str")
    check_field_name(name, text)
    if type_name.startswith(REF_PREFIX):
        module = type_name.removeprefix(REF_PREFIX)
        if not module or not all(part.isidentifier() for part in module.split(".")):
            raise ScaffoldError(
                f"--field {text!r}: ref needs a module name, e.g. {name}:ref:authors"
            )
        return FieldSpec(name=name, type=FIELD_TYPES["ref"], ref_module=module)
    field_type = FIELD_TYPES.get(type_name)
    if field_type is None or type_name == "ref":
        raise ScaffoldError(
            f"--field {text!r}: unknown type {type_name!r}; known types: {', '.join(KNOWN_TYPES)}"
        )
    return FieldSpec(name=name, type=field_type)


def check_field_name(name: str, text: str) -> None:
    """Refuse names that are not plain lowercase identifiers or that Django or the code use."""
    where = f"--field {text!r}"
    if not FIELD_NAME.match(name):
        raise ScaffoldError(
            f"{where}: the field name must be lowercase letters, digits and underscores, "
            "starting with a letter"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ScaffoldError(f"{where}: the field name is longer than {MAX_NAME_LENGTH} characters")
    if keyword.iskeyword(name):
        raise ScaffoldError(f"{where}: {name!r} is a Python keyword")
    if name.endswith("_") or "__" in name:
        raise ScaffoldError(f"{where}: Django field names cannot end with '_' or contain '__'")
    if name in RESERVED_FIELD_NAMES:
        raise ScaffoldError(f"{where}: {name!r} is taken by Django or the generated code")


def parse_fields(texts: tuple[str, ...] | list[str]) -> tuple[FieldSpec, ...]:
    """Parse every `--field`, refusing a name given twice."""
    fields = tuple(parse_field(text) for text in texts)
    seen: set[str] = set()
    for field in fields:
        if field.name in seen:
            raise ScaffoldError(f"--field {field.name!r} is given twice")
        seen.add(field.name)
    return fields
