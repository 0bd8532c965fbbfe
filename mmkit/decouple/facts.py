"""What Django knows of a relation field, as data: read in the child process (worker.py) and
handed to the parent as JSON, so the rest of mmkit decouple never imports the project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MARKER = "mmkit-decouple-answer:"
"""Starts the child's answer line on stdout, so whatever the project prints is ignored."""


@dataclass(frozen=True)
class KeyFacts:
    """The target's field the relation points at (its primary key): what the id field copies."""

    type: str
    class_path: str
    max_length: int | None
    primary_key: bool


@dataclass(frozen=True)
class FieldFacts:
    """One concrete model's relation field as Django's registry has it.

    on_delete, attname, column and db_column are None for a many-to-many field; through,
    through_source and through_target only apply to one.
    """

    label: str
    model_name: str
    object_name: str
    plural: str
    field: str
    declared_in: str
    target: str
    target_object_name: str
    target_plural: str
    target_key: KeyFacts
    db_index: bool
    related_name: str | None
    related_query_name: str
    null: bool
    blank: bool
    many_to_many: bool
    one_to_one: bool
    primary_key: bool
    on_delete: str | None = None
    attname: str | None = None
    column: str | None = None
    db_column: str | None = None
    through: str | None = None
    through_auto: bool = True
    through_source: str | None = None
    through_target: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldFacts:
        return cls(**{**data, "target_key": KeyFacts(**data["target_key"])})

    @property
    def app(self) -> str:
        return self.label.partition(".")[0]

    @property
    def name(self) -> str:
        return f"{self.label}.{self.field}"

    @property
    def reverse_accessor(self) -> str | None:
        """`author.books`: the related_name, or Django's default (`book_set`, `book`)."""
        if self.related_name and self.related_name.endswith("+"):
            return None
        if self.related_name:
            return self.related_name
        return self.model_name if self.one_to_one else f"{self.model_name}_set"
