"""What replaces the relation in the model: an id field of the target's key type, or, for a
many-to-many field, a link model keeping both ids. Data and source text; no file is touched."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mmkit.decouple.errors import DecoupleError
from mmkit.decouple.facts import FieldFacts, KeyFacts
from mmkit.decouple.model_rewrite import IdField, call_text
from mmkit.decouple.on_delete import article, snake_case

ID_FIELDS = {
    "AutoField": "IntegerField",
    "BigAutoField": "BigIntegerField",
    "SmallAutoField": "SmallIntegerField",
    "IntegerField": "IntegerField",
    "BigIntegerField": "BigIntegerField",
    "SmallIntegerField": "SmallIntegerField",
    "PositiveIntegerField": "IntegerField",
    "PositiveBigIntegerField": "BigIntegerField",
    "PositiveSmallIntegerField": "SmallIntegerField",
    "UUIDField": "UUIDField",
    "CharField": "CharField",
}
"""The field that holds a key of each type, as the foreign key's column does (a positive
integer key is referenced by a plain integer column, without the check)."""


@dataclass(frozen=True)
class LinkModel:
    """The model that replaces a many-to-many field: `BookAuthor(book, author_id)`."""

    name: str
    target_id: str
    source: str


def id_class(name: str, key: KeyFacts) -> str:
    """The id field's class for the target's key; a refusal for a key type it does not know."""
    found = ID_FIELDS.get(key.type)
    if found is None:
        raise DecoupleError(
            f"{name}: the target's primary key type is unknown ({key.type}, {key.class_path}); "
            "mmkit decouple knows integer, UUID and character keys"
        )
    return found


def id_field(found: FieldFacts, target_module: str) -> IdField:
    """`author_id = models.BigIntegerField(db_index=True, ...)`: same column, same nullability."""
    field_class = id_class(found.name, found.target_key)
    options: list[tuple[str, str]] = []
    if field_class == "CharField":
        options.append(("max_length", str(found.target_key.max_length)))
    if found.db_index or found.one_to_one:
        options.append(("db_index", "True"))
    if found.one_to_one:
        options.append(("unique", "True"))
    if found.null:
        options.append(("null", "True"))
    if found.blank:
        options.append(("blank", "True"))
    if found.db_column:
        options.append(("db_column", f'"{found.db_column}"'))
    kind = "OneToOneField" if found.one_to_one else "ForeignKey"
    comment = (
        f"id of {article(found.target)} {found.target}, owned by module {target_module} "
        f"(no {kind} across modules)"
    )
    return IdField(found.attname or f"{found.field}_id", field_class, tuple(options), comment)


def link_model(found: FieldFacts, target_module: str, width: int) -> LinkModel:
    """The link model's class statement, as `ruff format` writes it at `width`."""
    model, target = found.object_name, found.target_object_name
    name = f"{model}{target}"
    source_field = found.through_source or snake_case(model)
    target_id = f"{snake_case(target)}_id"
    field_class = id_class(found.name, found.target_key)
    related = f"{snake_case(target)}_links"
    foreign_key = call_text(
        source_field,
        "models.ForeignKey",
        [("", model), ("on_delete", "models.CASCADE"), ("related_name", f'"{related}"')],
        4,
        width,
    )
    id_line = call_text(target_id, f"models.{field_class}", [("db_index", "True")], 4, width)
    constraint = (
        f'models.UniqueConstraint(fields=["{source_field}", "{target_id}"], '
        f'name="{found.app}_{name.lower()}_unique")'
    )
    if len(constraint) + 13 > width:
        head, _, rest = constraint.partition("(")
        constraint = f"{head}(\n                {rest[:-1]}\n            )"
    doc = (
        f'"""A {model}\'s {found.target} ids: the many-to-many field `{found.field}`, decoupled."""'
    )
    if len(doc) + 4 > width:
        doc = f'"""The {found.target} ids of a {model} (many-to-many, decoupled)."""'
    comment = (
        f"# id of {article(found.target)} {found.target}, owned by module {target_module} "
        "(no relation across modules)"
    )
    source = (
        f"class {name}(models.Model):\n"
        f"    {doc}\n\n"
        f"    {_indent(foreign_key)}\n"
        f"    {comment}\n"
        f"    {_indent(id_line)}\n\n"
        "    class Meta:\n"
        "        constraints = [\n"
        f"            {constraint},\n"
        "        ]\n"
    )
    return LinkModel(name, target_id, source)


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def target_name(source: str, class_name: str, field: str) -> str | None:
    """The name the relation's target was written with (`Author`), when a plain name: its
    import goes once the field no longer uses it."""
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.ClassDef) and node.name == class_name):
            continue
        for statement in node.body:
            if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)):
                continue
            if not any(isinstance(t, ast.Name) and t.id == field for t in statement.targets):
                continue
            call = statement.value
            written = next((k.value for k in call.keywords if k.arg == "to"), None)
            written = written or (call.args[0] if call.args else None)
            return written.id if isinstance(written, ast.Name) else None
    return None


def refuse_name_taken(source: str, class_name: str, name: str, filename: str) -> None:
    """The new field or link model must not clash with a name the file already has."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            raise DecoupleError(f"{filename} has a class {name} already: rename it first")
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for statement in node.body:
                targets = statement.targets if isinstance(statement, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    raise DecoupleError(f"{class_name} has a {name} already: rename it first")
