"""The events rule (E006): an event class is a frozen dataclass of plain values.

An event is stored as JSON in the outbox and read by other modules after the publishing
transaction is gone, so a mutable class or a field typed as a model or QuerySet cannot work.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mmkit.checks.model_index import ModelIndex, ScanReader, read_scan
from mmkit.checks.model_scan import Expr, _dotted
from mmkit.findings import RULES, Finding
from mmkit.project import Project, SourceFile

RULE = "mmkit.E006"
_NOT_EVENTS = ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "Exception", "Protocol")


@dataclass(frozen=True)
class EventField:
    """An annotated field of a class in events.py, with the dotted names its annotation uses."""

    name: str
    line: int
    column: int
    text: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class EventClass:
    """A public module-level class of an events.py, as written."""

    name: str
    line: int
    column: int
    frozen_dataclass: bool
    fields: tuple[EventField, ...]


def event_classes(source: str) -> list[EventClass]:
    """The event classes a source declares; enums, exceptions and _private classes are not."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # W004 of the other rules already says this file was not analysed
    return [
        EventClass(
            name=node.name,
            line=node.lineno,
            column=node.col_offset + 1,
            frozen_dataclass=any(_frozen_dataclass(d) for d in node.decorator_list),
            fields=tuple(_fields(node)),
        )
        for node in tree.body
        if isinstance(node, ast.ClassDef) and _is_event_candidate(node)
    ]


def _is_event_candidate(node: ast.ClassDef) -> bool:
    if node.name.startswith("_"):
        return False
    for base in node.bases:
        name = (_dotted(base) or "").rpartition(".")[2]
        if name in _NOT_EVENTS or name.endswith("Error"):
            return False
    return True


def _frozen_dataclass(decorator: ast.expr) -> bool:
    if not isinstance(decorator, ast.Call):
        return False
    if (_dotted(decorator.func) or "").rpartition(".")[2] != "dataclass":
        return False
    return any(
        k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in decorator.keywords
    )


def _fields(node: ast.ClassDef) -> list[EventField]:
    found = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            found.append(
                EventField(
                    name=statement.target.id,
                    line=statement.lineno,
                    column=statement.col_offset + 1,
                    text=ast.unparse(statement.annotation),
                    refs=tuple(_refs(statement.annotation)),
                )
            )
    return found


def _refs(annotation: ast.expr) -> list[str]:
    """Dotted names used in an annotation, also inside string (forward) annotations."""
    found: list[str] = []
    for node in ast.walk(annotation):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                found.extend(_refs(ast.parse(node.value, mode="eval").body))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
        elif isinstance(node, ast.Name | ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted not in found:
                found.append(dotted)
    return found


def _is_events_file(file: SourceFile) -> bool:
    module = file.module
    if module is None:
        return False
    events = f"{module.name}.events"
    return file.dotted == events or file.dotted.startswith(events + ".")


def findings(project: Project, reader: ScanReader = read_scan) -> list[Finding]:
    """E006 for each class of a module's events.py that is not a frozen dataclass, and each
    field annotated with a model or a QuerySet."""
    index = ModelIndex(project, reader)
    found: list[Finding] = []
    for file in project.files:
        if not _is_events_file(file):
            continue
        try:
            source = file.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for event in event_classes(source):
            where = f"{file.dotted}.{event.name}"
            if not event.frozen_dataclass:
                found.append(
                    _e006(file, event.line, event.column, f"{where} is not a frozen dataclass")
                )
            for field in event.fields:
                what = _model_ref(index, file, field)
                if what is not None:
                    message = f"{where}.{field.name} is annotated {field.text}, {what}"
                    found.append(_e006(file, field.line, field.column, message))
    return found


def _model_ref(index: ModelIndex, file: SourceFile, field: EventField) -> str | None:
    for ref in field.refs:
        symbol = index.resolve(file.dotted, Expr("name", ref, ref))
        if index.is_queryset(symbol):
            return "a QuerySet" if field.text == ref else f"which names a QuerySet ({ref})"
        if index.is_model(symbol):
            return "a model" if field.text == ref else f"which names a model ({ref})"
    return None


def _e006(file: SourceFile, line: int, column: int, message: str) -> Finding:
    return Finding(
        rule=RULE,
        path=file.relpath,
        line=line,
        column=column,
        message=message,
        hint=RULES[RULE].fix,
        module=file.module.name if file.module else None,
    )
