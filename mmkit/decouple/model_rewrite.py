"""The model side: a relation field becomes an id field (or a link model), rewritten with libcst
so every comment and all the formatting around it survive, and the result is `ruff format` clean.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from mmkit.decouple.imports import add_imports

LINE_LENGTH = 88
"""ruff's default; the project's own `line-length` wins (see line_length)."""


@dataclass(frozen=True)
class IdField:
    """The field that replaces a relation: `author_id = models.BigIntegerField(db_index=True)`."""

    name: str
    field_class: str
    options: tuple[tuple[str, str], ...]
    comment: str


@dataclass(frozen=True)
class Rewrite:
    """What to do to one class of a models file; link_model is source text put after it."""

    class_name: str
    field: str
    replacement: IdField | None
    link_model: str | None = None
    target_name: str | None = None
    width: int = LINE_LENGTH


def line_length(base_dir: Path) -> int:
    """The project's ruff `line-length` (pyproject.toml's [tool.ruff], ruff.toml, following one
    `extend`), so the rewritten code is what `ruff format` would write there."""
    for name, table in (
        ("ruff.toml", ()),
        (".ruff.toml", ()),
        ("pyproject.toml", ("tool", "ruff")),
    ):
        path = base_dir / name
        found = _ruff_setting(path, table)
        if found is not None:
            return found
    return LINE_LENGTH


def _ruff_setting(path: Path, table: tuple[str, ...], depth: int = 0) -> int | None:
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        return None
    value = data.get("line-length")
    if isinstance(value, int):
        return value
    extend = data.get("extend")
    if isinstance(extend, str) and depth < 3:
        other = (path.parent / extend).resolve()
        nested = ("tool", "ruff") if other.name == "pyproject.toml" else ()
        return _ruff_setting(other, nested, depth + 1)
    return None


def call_text(
    name: str, callee: str, options: Sequence[tuple[str, str]], indent: int, width: int
) -> str:
    """`name = callee(k=v, ...)` as ruff formats it: on one line, else the arguments on one
    indented line, else one argument a line with a trailing comma (indent: the block's)."""
    written = [f"{key}={value}" if key else value for key, value in options]
    arguments = ", ".join(written)
    one = f"{name} = {callee}({arguments})"
    if indent + len(one) <= width:
        return one
    if indent + 4 + len(arguments) <= width:
        return f"{name} = {callee}(\n    {arguments}\n)"
    lines = "".join(f"    {argument},\n" for argument in written)
    return f"{name} = {callee}(\n{lines})"


def rewrite(source: str, change: Rewrite) -> str:
    """The models file with the change made; the source is returned unchanged when the class
    or the field is not found (the caller compares and refuses)."""
    module = cst.parse_module(source)
    prefix = _models_prefix(module)
    transformer = _FieldRewriter(change, prefix or "models.", module.default_indent)
    updated = module.visit(transformer)
    if not transformer.replaced:
        return source
    if change.target_name is not None and not _still_used(updated, change.target_name):
        updated = updated.visit(_ImportRemover(change.target_name))
    if prefix is None:
        return add_imports(updated.code, [("django.db", "models")], set())
    return updated.code


def _models_prefix(module: cst.Module) -> str | None:
    """How the file names Django's model fields (`models.`); None when it does not import
    django.db's models, which is then imported."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and _dotted(small.module) == "django.db":
                names = small.names
                if isinstance(names, Sequence):
                    for alias in names:
                        if _dotted(alias.name) == "models":
                            return f"{_alias_name(alias)}."
    return None


def _alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _dotted(alias.name)


def _dotted(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _assigns(statement: cst.SimpleStatementLine, name: str) -> bool:
    for small in statement.body:
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign):
            targets = [small.target]
        else:
            continue
        if any(isinstance(t, cst.Name) and t.value == name for t in targets):
            return True
    return False


class _FieldRewriter(cst.CSTTransformer):
    """Replaces the field in the class body and renames it where the class's Meta lists it."""

    def __init__(self, change: Rewrite, prefix: str, indent: str) -> None:
        self.change = change
        self.prefix = prefix
        self.indent = indent
        self.classes: list[str] = []
        self.replaced = False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.classes.append(node.name.value)
        return True

    def leave_ClassDef(
        self, original: cst.ClassDef, updated: cst.ClassDef
    ) -> cst.ClassDef | cst.FlattenSentinel[cst.BaseStatement]:
        self.classes.pop()
        if self.classes or original.name.value != self.change.class_name:
            return updated
        if self.change.link_model is not None and self.replaced:
            link = cst.parse_module(self.change.link_model).body
            spaced = [
                statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
                if isinstance(statement, cst.ClassDef)
                else statement
                for statement in link
            ]
            return cst.FlattenSentinel([updated, *spaced])
        return updated

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if self.classes != [self.change.class_name] or not _assigns(original, self.change.field):
            return updated
        self.replaced = True
        new = self.change.replacement
        if new is None:
            return cst.RemoveFromParent()
        callee = f"{self.prefix}{new.field_class}"
        text = call_text(new.name, callee, new.options, len(self.indent), self.change.width)
        statement = cst.parse_statement(text)
        assert isinstance(statement, cst.SimpleStatementLine)
        comment = cst.EmptyLine(comment=cst.Comment(f"# {new.comment}"))
        return statement.with_changes(leading_lines=[*original.leading_lines, comment])

    def leave_Element(self, original: cst.Element, updated: cst.Element) -> cst.Element:
        """`"author"` and `"-author"` in the Meta's lists (ordering, indexes, constraints)."""
        new = self.change.replacement
        if new is None or self.classes != [self.change.class_name, "Meta"]:
            return updated
        value = updated.value
        if not isinstance(value, cst.SimpleString):
            return updated
        text = value.evaluated_value
        if text not in (self.change.field, f"-{self.change.field}"):
            return updated
        renamed = text.replace(self.change.field, new.name)
        quote = value.quote
        return updated.with_changes(value=value.with_changes(value=f"{quote}{renamed}{quote}"))


def _still_used(module: cst.Module, name: str) -> bool:
    """Whether `name` is used anywhere but in the imports that bind it."""

    class Finder(cst.CSTVisitor):
        found = False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                self.found = True

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            # A name used in a string annotation keeps its import.
            if node.evaluated_value == name:
                self.found = True

    finder = Finder()
    module.visit(finder)
    return finder.found


class _ImportRemover(cst.CSTTransformer):
    """Drops the import of the other module's model once the relation no longer names it; the
    blank lines before a removed statement stay where they were."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _only_target(self, small: cst.BaseSmallStatement) -> bool:
        return (
            isinstance(small, cst.ImportFrom)
            and isinstance(small.names, Sequence)
            and all(_alias_name(alias) == self.name for alias in small.names)
        )

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if not isinstance(updated.names, Sequence) or self._only_target(updated):
            return updated
        kept = [a for a in updated.names if _alias_name(a) != self.name]
        if len(kept) == len(updated.names):
            return updated
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=kept)

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for statement in updated.body:
            if isinstance(statement, cst.SimpleStatementLine) and all(
                self._only_target(small) for small in statement.body
            ):
                carried.extend(line for line in statement.leading_lines if line.comment is None)
                continue
            if carried:
                statement = statement.with_changes(
                    leading_lines=[*carried, *statement.leading_lines]
                )
                carried = []
            body.append(statement)
        return updated.with_changes(body=body)
