"""The code that used a relation: every site listed (path, line, kind, what to do instead), and
the mechanical, safe ones rewritten with libcst in the owning module's own files.

Without types, a site is recognised by the names Django gives it (the field, its reverse
accessor and query name). Rewrites are limited to the owning module, where by the
architecture's rules a `book` is the model itself and not another module's DTO.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mmkit.decouple.on_delete import snake_case
from mmkit.project import SKIPPED_DIRS, Project

QUERY_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "get",
        "get_or_create",
        "update_or_create",
        "create",
        "update",
        "annotate",
        "alias",
        "aggregate",
        "values",
        "values_list",
        "order_by",
        "only",
        "defer",
        "distinct",
        "earliest",
        "latest",
    }
)
EXPRESSIONS = frozenset(
    {"F", "Q", "OuterRef", "Count", "Sum", "Avg", "Min", "Max", "Exists", "Subquery"}
)
ADMIN_OPTIONS = frozenset(
    {
        "list_select_related",
        "raw_id_fields",
        "autocomplete_fields",
        "list_display",
        "list_display_links",
        "list_editable",
        "list_filter",
        "search_fields",
        "readonly_fields",
        "fields",
        "exclude",
        "ordering",
        "sortable_by",
        "filter_horizontal",
        "filter_vertical",
    }
)
TEMPLATE_SUFFIXES = (".html", ".txt", ".jinja", ".jinja2")
_TEMPLATE_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)


@dataclass(frozen=True)
class Relation:
    """The names by which code reaches the relation being decoupled."""

    field: str
    id_field: str
    model: str
    target_model: str
    target_module: str
    reverse_accessor: str | None
    related_query_name: str
    batch: str
    many_to_many: bool = False

    @property
    def model_snake(self) -> str:
        return snake_case(self.model)

    @property
    def target_snake(self) -> str:
        return snake_case(self.target_model)


@dataclass(frozen=True)
class Site:
    """One place that uses the relation, and what to do there (or what was done)."""

    path: str
    line: int
    kind: str
    code: str
    advice: str
    rewritten: bool = False


@dataclass
class FileResult:
    """The sites found in one file and, when some were rewritten, the file's new text."""

    sites: list[Site] = field(default_factory=list)
    new_text: str | None = None


def find(
    project: Project,
    relation: Relation,
    owning: Sequence[Path],
    texts: dict[Path, str] | None = None,
) -> dict[Path, FileResult]:
    """Every usage site in the project's Python files and templates, by file.

    owning: the owning module's directories (rewrites happen there only); texts: the files the
    decoupling already edited, read as edited. Migrations are not searched.
    """
    texts = texts or {}
    results: dict[Path, FileResult] = {}
    for file in project.files:
        if "migrations" in file.path.parts:
            continue
        source = texts.get(file.path)
        if source is None:
            try:
                source = file.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
        if (
            relation.field not in source
            and (relation.reverse_accessor is None or relation.reverse_accessor not in source)
            and relation.related_query_name not in source
        ):
            continue
        in_owner = any(file.path.is_relative_to(directory) for directory in owning)
        result = _python_file(file.relpath, source, relation, in_owner)
        if result.sites:
            results[file.path] = result
    for path in _templates(project.root):
        result = _template_file(project.relpath(path), path, relation)
        if result.sites:
            results[path] = result
    return results


def _templates(root: Path) -> list[Path]:
    """Template files under root; hidden folders, virtualenvs and node_modules are not walked."""
    found = []
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f not in SKIPPED_DIRS and not f.startswith("."))
        found.extend(Path(directory) / f for f in sorted(files) if f.endswith(TEMPLATE_SUFFIXES))
    return found


def _template_file(relpath: str, path: Path, relation: Relation) -> FileResult:
    result = FileResult()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return result
    forward = re.compile(rf"\.{re.escape(relation.field)}\b(?!_)")
    reverse = (
        re.compile(rf"\.{re.escape(relation.reverse_accessor)}\b")
        if relation.reverse_accessor
        else None
    )
    for match in _TEMPLATE_TAG.finditer(text):
        tag = match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        if forward.search(tag):
            advice = (
                f"the view passes {relation.target_snake} data from {relation.batch} "
                f"(one batch call), keyed by {relation.id_field}"
            )
            result.sites.append(Site(relpath, line, "template", tag, advice))
        elif reverse is not None and reverse.search(tag):
            advice = f"the view asks the module of {relation.model} for them by id"
            result.sites.append(Site(relpath, line, "template", tag, advice))
    return result


def _python_file(relpath: str, source: str, relation: Relation, in_owner: bool) -> FileResult:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return FileResult()
    wrapper = MetadataWrapper(module)
    finder = _Finder(relpath, relation, in_owner)
    updated = wrapper.visit(finder)
    result = FileResult(sorted(finder.sites, key=lambda s: (s.line, s.kind)))
    if any(site.rewritten for site in result.sites):
        result.new_text = updated.code
    return result


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _strings(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return [s for s in (_string(e.value) for e in node.elements) if s is not None]
    single = _string(node)
    return [single] if single is not None else []


class _Finder(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, relpath: str, relation: Relation, in_owner: bool) -> None:
        self.relpath = relpath
        self.relation = relation
        self.in_owner = in_owner
        self.sites: list[Site] = []
        self.classes: list[cst.ClassDef] = []
        self._module: cst.Module | None = None
        self._id_access: set[int] = set()

    def visit_Module(self, node: cst.Module) -> bool:
        self._module = node
        return True

    # helpers -------------------------------------------------------------------------------

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _code(self, node: cst.CSTNode) -> str:
        assert self._module is not None
        return " ".join(self._module.code_for_node(node).split())

    def _add(self, node: cst.CSTNode, kind: str, advice: str, rewritten: bool = False) -> None:
        code = self._code(node)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            # `.filter(author__name=x)`, not the whole chain of calls before it
            code = self._code(node.func.attr) + code[len(self._code(node.func)) :]
            code = f".{code}"
        site = Site(self.relpath, self._line(node), kind, code, advice, rewritten)
        self.sites.append(site)

    def _through(self, lookup: str) -> bool:
        """A lookup that starts at the relation: `author`, `author__name`, `-author__name`."""
        bare = lookup.lstrip("-?^=@")
        return bare == self.relation.field or bare.startswith(f"{self.relation.field}__")

    def _through_reverse(self, lookup: str) -> bool:
        names = {self.relation.related_query_name}
        if self.relation.reverse_accessor:
            names.add(self.relation.reverse_accessor)
        bare = lookup.lstrip("-?^=@")
        return any(bare == n or bare.startswith(f"{n}__") for n in names)

    @property
    def _batch_advice(self) -> str:
        return (
            f"keep {self.relation.id_field} and ask {self.relation.batch} once for all the ids "
            "(a dict by id)"
        )

    # attributes ----------------------------------------------------------------------------

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        relation = self.relation
        inner = original.value
        if (
            isinstance(inner, cst.Attribute)
            and inner.attr.value == relation.field
            and original.attr.value in ("id", "pk")
            and not relation.many_to_many
        ):
            known = _dotted(inner.value).rpartition(".")[2] == relation.model_snake
            safe = known and self.in_owner
            advice = f"use {_dotted(inner.value)}.{relation.id_field}: no query, no relation"
            self._add(original, "attribute-id", advice, rewritten=safe)
            if safe:
                return cst.Attribute(value=inner.value, attr=cst.Name(relation.id_field))
            return updated
        if (
            original.attr.value == relation.field
            and _dotted(original.value) not in ("request", "")
            and id(original) not in self._id_access
        ):
            verb = "the many-to-many manager" if relation.many_to_many else "the related row"
            self._add(original, "attribute", f"{verb} is gone: {self._batch_advice}")
        elif (
            relation.reverse_accessor
            and original.attr.value == relation.reverse_accessor
            and not self.in_owner
        ):
            advice = (
                f"the reverse accessor is gone: ask the module of {relation.model} for the "
                f"rows with this {relation.target_snake} id through its facade"
            )
            self._add(original, "reverse-accessor", advice)
        return updated

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        """`book.author` inside `book.author.id` is one site, the id access."""
        if isinstance(node.value, cst.Attribute) and node.attr.value in ("id", "pk"):
            self._id_access.add(id(node.value))
        return True

    # calls ---------------------------------------------------------------------------------

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = _dotted(original.func).rpartition(".")[2]
        if not name and isinstance(original.func, cst.Attribute):
            name = original.func.attr.value
        relation = self.relation
        new_args = list(updated.args)
        changed = False
        for index, arg in enumerate(original.args):
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is None:
                for lookup in _strings(arg.value):
                    self._string_lookup(original, name, lookup)
                continue
            if name in QUERY_METHODS or name in EXPRESSIONS or name == relation.model:
                rewritten = self._keyword(original, name, keyword, arg)
                if rewritten is not None:
                    new_args[index] = rewritten
                    changed = True
        return updated.with_changes(args=new_args) if changed else updated

    def _string_lookup(self, call: cst.Call, name: str, lookup: str) -> None:
        relation = self.relation
        if name in ("select_related", "prefetch_related", "Prefetch") and self._through(lookup):
            kind = "prefetch_related" if name == "Prefetch" else name
            self._add(call, kind, f"remove it: {self._batch_advice}")
        elif (name in QUERY_METHODS or name in EXPRESSIONS) and self._through(lookup):
            kind = "expression" if name in EXPRESSIONS else "lookup"
            if lookup.lstrip("-") == relation.field:
                advice = f"name {relation.id_field} instead (the id, not the row)"
            else:
                advice = f"no join across modules: {self._batch_advice}"
            self._add(call, kind, advice)
        elif (
            name in QUERY_METHODS | EXPRESSIONS | {"prefetch_related", "Prefetch"}
            and not self.in_owner
            and self._through_reverse(lookup)
        ):
            advice = f"ask the module of {relation.model} through its facade, by id"
            self._add(call, "reverse-lookup", advice)

    def _keyword(self, call: cst.Call, name: str, keyword: str, arg: cst.Arg) -> cst.Arg | None:
        relation = self.relation
        kind = "expression" if name in EXPRESSIONS else "lookup"
        if keyword == relation.field:
            value = _dotted(arg.value)
            is_none = isinstance(arg.value, cst.Name) and arg.value.value == "None"
            known = value.rpartition(".")[2] == relation.target_snake
            safe = self.in_owner and (known or is_none) and not relation.many_to_many
            replacement = "None" if is_none else f"{value}.id" if value else "its id"
            advice = f"{relation.id_field}={replacement}"
            self._add(call, "keyword", advice, rewritten=safe)
            if not safe:
                return None
            new_value: cst.BaseExpression = (
                arg.value if is_none else cst.Attribute(value=arg.value, attr=cst.Name("id"))
            )
            return arg.with_changes(keyword=cst.Name(relation.id_field), value=new_value)
        if keyword.startswith(f"{relation.field}__"):
            rest = keyword[len(relation.field) + 2 :]
            head, _, tail = rest.partition("__")
            if head in ("id", "pk") and not relation.many_to_many:
                new_keyword = relation.id_field + (f"__{tail}" if tail else "")
                advice = f"{new_keyword}=...: the id is on this row"
                self._add(call, kind, advice, rewritten=self.in_owner)
                if self.in_owner:
                    return arg.with_changes(keyword=cst.Name(new_keyword))
                return None
            self._add(call, kind, f"no join across modules: {self._batch_advice}")
            return None
        if not self.in_owner and self._through_reverse(keyword):
            advice = f"ask the module of {relation.model} through its facade, by id"
            self._add(call, "reverse-lookup", advice)
        return None

    # classes: admin options, forms and serializers ----------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.classes.append(node)
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.classes.pop()
        return updated

    def visit_Assign(self, node: cst.Assign) -> bool:
        if not self.classes:
            return True
        names = [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
        if not names:
            return True
        option = names[0]
        looked = [s for s in _strings(node.value) if self._through(s)]
        if not looked:
            return True
        cls = self.classes[-1]
        bases = " ".join(_dotted(b.value) for b in cls.bases)
        if cls.name.value == "Meta" and option in ("fields", "exclude") and len(self.classes) > 1:
            outer = " ".join(_dotted(b.value) for b in self.classes[-2].bases)
            kind = "serializer" if "Serializer" in outer else "form"
            advice = (
                f"the form field is now {self.relation.id_field}: validate it with "
                f"{self.relation.target_module}.facade (does the {self.relation.target_snake} "
                "exist?) and offer choices from it"
            )
            self._add(node, kind, advice)
        elif option in ADMIN_OPTIONS and ("Admin" in bases or "Inline" in bases):
            advice = (
                f"name {self.relation.id_field} instead; show {self.relation.target_snake} "
                f"data through a method that asks {self.relation.target_module}.facade"
            )
            self._add(node, "admin", advice)
        elif cls.name.value == "Meta" and self.in_owner:
            advice = f"the Meta option goes through the relation: name {self.relation.id_field}"
            self._add(node, "meta", advice)
        return True
