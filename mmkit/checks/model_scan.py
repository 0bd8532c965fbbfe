"""The per-file step of the model analysis: one file's source in, plain data out.

A FileScan holds only strings, numbers and tuples (no ast nodes, no paths of other files), so
a cache can pickle it per file and a warm run never parses an unchanged file again. Names are
kept as written; resolving them across files is the project-wide step (model_index).
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from mmkit.checks.import_scan import child_statements

ExprKind = Literal["name", "string", "call", "other"]
ReturnedKind = Literal["instance", "queryset", "instances"]

_INDENTED_FROM = re.compile(rb"^[ \t\f]+from[ \t\f.(\\]", re.MULTILINE)
_CLASS_STATEMENT = re.compile(rb"^(?:\xef\xbb\xbf)?[ \t\f]*class[ \t\f]", re.MULTILINE)


@dataclass(frozen=True)
class Expr:
    """An expression kept as data: a dotted name, a string, a call of a dotted name, or other.

    value is the dotted name, the string, or the callee's dotted name ("" for other);
    text is the expression as written, for messages; args are a call's positional arguments
    when all of them are strings (`apps.get_model("authors", "Author")`).
    """

    kind: ExprKind
    value: str
    text: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binding:
    """A module-level name: an import (origin, absolute dotted) or an assignment (value).

    Both are None for a relative import that climbs above the top package: the name exists,
    but nothing can be said about it.
    """

    name: str
    line: int
    column: int
    origin: str | None = None
    value: Expr | None = None


@dataclass(frozen=True)
class StarImport:
    """`from origin import *`, with origin made absolute."""

    origin: str
    line: int
    column: int


@dataclass(frozen=True)
class FieldScan:
    """A class attribute assigned a call with a target: what a relation field looks like.

    Whether the callee really is a relation field is decided later, across files.
    """

    name: str
    callee: str
    target: Expr | None
    through: Expr | None
    line: int
    column: int


@dataclass(frozen=True)
class ClassScan:
    """A module-level class: its bases, its Meta flags and the fields that may be relations.

    assigned lists every name the class body assigns: it hides fields of abstract bases.
    calls lists the callee of every call the body assigns (`models.CharField`): the evidence
    that a class whose bases cannot be followed (a third-party base) is a model.
    """

    name: str
    line: int
    column: int
    bases: tuple[Expr, ...]
    abstract: bool
    proxy: bool
    fields: tuple[FieldScan, ...]
    assigned: tuple[str, ...]
    calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Annotation:
    """A type annotation as written, and the dotted names it mentions (also in strings)."""

    text: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Returned:
    """What a `return` of a function without a return annotation visibly hands out: a model
    instance (`Author(...)`, `Author.objects.get(...)`), a QuerySet (`Author.objects.all()`) or
    a container of instances (`list(Author.objects.all())`), also through a local variable
    assigned from one. `model` is the dotted name as written."""

    model: str
    what: ReturnedKind
    text: str


@dataclass(frozen=True)
class FunctionScan:
    """A module-level function and the annotations of its signature (annotated params only);
    without a return annotation, what its return statements visibly return."""

    name: str
    line: int
    column: int
    params: tuple[tuple[str, Annotation], ...]
    returns: Annotation | None
    returned: tuple[Returned, ...] = ()


@dataclass(frozen=True)
class NameImport:
    """`from origin import name` anywhere in the file (functions too), origin made absolute:
    the names a file takes from another file, which E003 checks against that file's exports."""

    origin: str
    name: str
    line: int
    column: int
    bound: str = ""
    """The name the statement binds (`as` name), when it differs from `name`."""


@dataclass(frozen=True)
class AttributeUse:
    """`alias.attr.more` where alias is an import of `origin` (absolute; module-level imports,
    and `from x import y` anywhere):
    `import authors.facade as f; f.use_cases` is ("authors.facade", "f", ("use_cases",)).
    The outermost chain of each expression only."""

    origin: str
    alias: str
    attributes: tuple[str, ...]
    line: int
    column: int


@dataclass(frozen=True)
class ParseError:
    """Why a file could not be read; line and column are 1-based."""

    line: int
    column: int
    reason: str


@dataclass(frozen=True)
class FileScan:
    """Everything the model rules need from one file; line numbers 1-based, columns 0-based."""

    bindings: tuple[Binding, ...] = ()
    stars: tuple[StarImport, ...] = ()
    classes: tuple[ClassScan, ...] = ()
    functions: tuple[FunctionScan, ...] = ()
    exports: tuple[str, ...] | None = None
    error: ParseError | None = None
    export_lines: tuple[int, ...] = ()
    exports_literal: bool = True
    """Whether `__all__` is all literal strings; one built from other lists is known only in
    part (`exports` holds its literal strings)."""
    name_imports: tuple[NameImport, ...] = ()
    attribute_uses: tuple[AttributeUse, ...] = ()

    def export_line(self, name: str) -> int | None:
        """The line of `__all__` that lists `name` (its string, or the statement)."""
        if self.exports is None or name not in self.exports:
            return None
        index = self.exports.index(name)
        return self.export_lines[index] if index < len(self.export_lines) else None


TOO_DEEP = "nested too deeply for Python's parser"


def may_define_classes(source: bytes) -> bool:
    """Whether the source has a class statement; a file without one defines no model."""
    return _CLASS_STATEMENT.search(source) is not None


def scan(source: bytes, dotted: str, is_package: bool) -> FileScan:
    """Read one file's imports, classes and function signatures; never raises on bad source.

    dotted is the file's import name and is_package whether it is an `__init__.py`: both are
    needed to make relative imports absolute.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
        return _FileScanner(_package_of(dotted, is_package), source).run(tree)
    except SyntaxError as error:
        return FileScan(error=ParseError(error.lineno or 1, error.offset or 1, error.msg))
    except (RecursionError, MemoryError):
        # CPython's parser gives up on deep nesting with either; Python cannot run the file.
        return FileScan(error=ParseError(1, 1, TOO_DEEP))
    except ValueError as error:
        return FileScan(error=ParseError(1, 1, str(error) or type(error).__name__))


class _FileScanner:
    """Collects a FileScan from a module's top-level statements, in source order."""

    def __init__(self, package: list[str], source: bytes = b"") -> None:
        self.package = package
        self.source = source
        self.bindings: list[Binding] = []
        self.stars: list[StarImport] = []
        self.classes: list[ClassScan] = []
        self.functions: list[FunctionScan] = []
        self.exports: list[str] | None = None
        self.export_lines: list[int] = []
        self.exports_literal = True

    def run(self, tree: ast.Module) -> FileScan:
        for node in _top_level(tree.body):
            self.statement(node)
        name_imports = tuple(_name_imports(tree, self.package, self.source))
        # Module aliases only: lowercase names (a class is not a module). Names a function's
        # own `from x import y` binds count too, after the module-level ones.
        aliases = {b.name: b.origin for b in self.bindings if b.origin is not None}
        for imported in name_imports:
            aliases.setdefault(
                imported.bound or imported.name, f"{imported.origin}.{imported.name}"
            )
        aliases = {
            name: origin
            for name, origin in aliases.items()
            if name[:1].islower() and not _outside_project(origin)
        }
        return FileScan(
            bindings=tuple(self.bindings),
            stars=tuple(self.stars),
            classes=tuple(self.classes),
            functions=tuple(self.functions),
            exports=tuple(self.exports) if self.exports is not None else None,
            export_lines=tuple(self.export_lines),
            exports_literal=self.exports_literal,
            name_imports=name_imports,
            attribute_uses=tuple(_attribute_uses(tree, aliases, self.source)),
        )

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            self.bindings.extend(_import_bindings(node))
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node)
        elif isinstance(node, ast.ClassDef):
            self.classes.append(_class_scan(node))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self.functions.append(_function_scan(node))
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            self.assignment(node)
        elif isinstance(node, ast.Expr) and self.exports is not None:
            self.exports_call(node.value)

    def exports_call(self, call: ast.expr) -> None:
        """`__all__.append("x")` and `__all__.extend([...])`; other calls on it (or arguments
        that are not literal) leave the list unknown."""
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "__all__"
        ):
            return
        assert self.exports is not None
        method, args = call.func.attr, call.args
        if method == "append" and len(args) == 1 and _is_string(args[0]):
            assert isinstance(args[0], ast.Constant)
            self.exports.append(args[0].value)
            self.export_lines.append(args[0].lineno)
        elif method == "extend" and len(args) == 1 and _all_strings(args[0]):
            self.exports.extend(_string_list(args[0]) or [])
            self.export_lines.extend(_string_lines(args[0]))
        else:
            self.exports_literal = False

    def import_from(self, node: ast.ImportFrom) -> None:
        origin = _absolute(node.module, node.level, self.package)
        for alias in node.names:
            if alias.name == "*":
                if origin is not None:
                    self.stars.append(StarImport(origin, node.lineno, node.col_offset))
                continue
            self.bindings.append(
                Binding(
                    alias.asname or alias.name,
                    node.lineno,
                    node.col_offset,
                    origin=f"{origin}.{alias.name}" if origin is not None else None,
                )
            )

    def assignment(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        names = _target_names(node)
        if node.value is None or not names:
            return
        if names == ["__all__"]:
            self.set_exports(node, node.value)
            return
        if isinstance(node, ast.AugAssign):
            return
        value = _expr(node.value)
        for name in names:
            self.bindings.append(Binding(name, node.lineno, node.col_offset, value=value))

    def set_exports(self, node: ast.stmt, value: ast.expr) -> None:
        names = _string_list(value)
        lines = _string_lines(value)
        literal = _all_strings(value)
        if isinstance(node, ast.AugAssign):
            if self.exports is not None and names is not None:
                self.exports.extend(names)
                self.export_lines.extend(lines)
            self.exports_literal = self.exports_literal and literal
        else:
            self.exports = names
            self.export_lines = lines if names is not None else []
            self.exports_literal = literal


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, also inside if/try/with blocks, never inside defs or classes.

    The `else` and `except` branches come first, so the main branch's names win, as they do
    when the code runs normally (`try: import x` over its fallback, `if TYPE_CHECKING:`).
    """
    for node in body:
        if isinstance(node, ast.If):
            yield from _top_level(node.orelse)
            yield from _top_level(node.body)
        elif isinstance(node, ast.Try | ast.TryStar):
            for handler in node.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
            yield from _top_level(node.finalbody)
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _top_level(node.body)
        else:
            yield node


def _package_of(dotted: str, is_package: bool) -> list[str]:
    parts = dotted.split(".") if dotted else []
    return parts if is_package else parts[:-1]


def _absolute(module: str | None, level: int, package: list[str]) -> str | None:
    """The absolute name a (possibly relative) `from ... import` refers to."""
    if level == 0:
        return module
    if level - 1 >= len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _import_bindings(node: ast.Import) -> Iterator[Binding]:
    for alias in node.names:
        if alias.asname:
            yield Binding(alias.asname, node.lineno, node.col_offset, origin=alias.name)
        else:
            head = alias.name.split(".")[0]
            yield Binding(head, node.lineno, node.col_offset, origin=head)


def _target_names(node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def _string_list(node: ast.expr) -> list[str] | None:
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    names = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return [n for n in names if isinstance(n, str)]


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _all_strings(node: ast.expr) -> bool:
    """A list or tuple of string literals only."""
    return isinstance(node, ast.List | ast.Tuple) and all(_is_string(e) for e in node.elts)


def _string_lines(node: ast.expr) -> list[int]:
    """The line of each string in a list or tuple, in the order _string_list keeps them."""
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    return [e.lineno for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def _outside_project(origin: str) -> bool:
    """Django's own modules: never a project's public interface, so what a file takes from
    them is not kept (`models.CharField` in every models.py). The standard library's names
    are kept: a project may have an app called `calendar` or `email`."""
    top = origin.partition(".")[0]
    return top in ("django", "__future__")


def _name_imports(tree: ast.Module, package: list[str], source: bytes) -> Iterator[NameImport]:
    """Every `from x import name` of the file, at any depth (imports are statements); the
    nested statements are walked only when an indented `from` shows there may be one."""
    nested_imports = _INDENTED_FROM.search(source) is not None
    pending: list[ast.stmt] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.ImportFrom):
            origin = _absolute(node.module, node.level, package)
            if origin is None or _outside_project(origin):
                continue
            for alias in node.names:
                if alias.name != "*":
                    bound = alias.asname if alias.asname not in (None, alias.name) else ""
                    yield NameImport(origin, alias.name, node.lineno, node.col_offset, bound or "")
            continue
        if not nested_imports:
            continue
        pending.extend(reversed(child_statements(node)))


def _attribute_uses(
    tree: ast.Module, aliases: dict[str, str], source: bytes
) -> Iterator[AttributeUse]:
    """`alias.attr` chains on module-level import aliases, outermost chain of each expression.

    Names are not scoped: a local variable that shadows an import alias counts as the alias.
    Only the statements whose lines mention `alias.` are walked.
    """
    if not aliases:
        return
    pattern = rb"(?<![\w.])(?:" + b"|".join(re.escape(a.encode()) for a in aliases) + rb")\."
    starts = [m.start() for m in re.finditer(pattern, source)]
    lines = sorted({source.count(b"\n", 0, start) + 1 for start in starts})
    if not lines:
        return
    longest: dict[tuple[int, int], AttributeUse] = {}
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        first = getattr(node, "lineno", None)
        if first is not None:
            last = getattr(node, "end_lineno", None) or first
            at = bisect.bisect_left(lines, first)
            if at == len(lines) or lines[at] > last:
                continue  # no line of this node mentions an alias
        if not isinstance(node, ast.expr):
            pending.extend(ast.iter_child_nodes(node))
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Attribute):
                dotted = _dotted(inner)
                head, _, rest = (dotted or "").partition(".")
                origin = aliases.get(head)
                if origin is None:
                    continue
                # Nested attributes of one chain start at one place: keep the outermost.
                place = (inner.lineno, inner.col_offset)
                known = longest.get(place)
                if known is None or len(known.attributes) < rest.count(".") + 1:
                    attributes = tuple(rest.split("."))
                    longest[place] = AttributeUse(origin, head, attributes, *place)
    yield from sorted(longest.values(), key=lambda use: (use.line, use.column))


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner is not None else None
    return None


def _getattr_dotted(node: ast.expr) -> str | None:
    """`a.b.NAME` for `getattr(a.b, "NAME"[, default])`, the usual way to read an optional
    setting (`getattr(settings, "AUTH_USER_MODEL", "auth.User")`)."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) in (2, 3)
        and not node.keywords
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
        and node.args[1].value.isidentifier()
    ):
        return None
    owner = _dotted(node.args[0])
    return f"{owner}.{node.args[1].value}" if owner is not None else None


def _expr(node: ast.expr) -> Expr:
    dotted = _dotted(node)
    if dotted is not None:
        return Expr("name", dotted, dotted)
    read = _getattr_dotted(node)
    if read is not None:
        return Expr("name", read, ast.unparse(node))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Expr("string", node.value, repr(node.value))
    if isinstance(node, ast.Call):
        callee = _dotted(node.func)
        if callee is not None:
            return Expr("call", callee, ast.unparse(node), _string_args(node))
    return Expr("other", "", ast.unparse(node))


def _string_args(call: ast.Call) -> tuple[str, ...]:
    strings = [
        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
    ]
    return tuple(strings) if len(strings) == len(call.args) else ()


def _class_scan(node: ast.ClassDef) -> ClassScan:
    fields: list[FieldScan] = []
    assigned: list[str] = []
    calls: list[str] = []
    abstract = proxy = False
    # Fields declared under `if` in the class body (`if swapper.is_swapped(...)`) count too.
    for statement in _top_level(node.body):
        if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            abstract = _meta_flag(statement, "abstract")
            proxy = _meta_flag(statement, "proxy")
        elif isinstance(statement, ast.Assign | ast.AnnAssign):
            names = _target_names(statement)
            assigned.extend(names)
            if isinstance(statement.value, ast.Call):
                fields.extend(_field_scans(names, statement, statement.value))
                callee = _dotted(statement.value.func)
                if callee is not None:
                    calls.append(callee)
    return ClassScan(
        name=node.name,
        line=node.lineno,
        column=node.col_offset,
        bases=tuple(_expr(base) for base in node.bases),
        abstract=abstract,
        proxy=proxy,
        fields=tuple(fields),
        assigned=tuple(assigned),
        calls=tuple(dict.fromkeys(calls)),
    )


def _meta_flag(meta: ast.ClassDef, flag: str) -> bool:
    for statement in meta.body:
        if (
            isinstance(statement, ast.Assign)
            and flag in _target_names(statement)
            and isinstance(statement.value, ast.Constant)
        ):
            return statement.value.value is True
    return False


def _field_scans(names: list[str], statement: ast.stmt, call: ast.Call) -> Iterator[FieldScan]:
    """A field per assigned name when the call has a target (first argument or `to=`) or a
    `through=` (taggit's TaggableManager has only that)."""
    callee = _dotted(call.func)
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    target = call.args[0] if call.args else keywords.get("to")
    through = keywords.get("through")
    if callee is None or (target is None and through is None):
        return
    for name in names:
        yield FieldScan(
            name=name,
            callee=callee,
            target=_expr(target) if target is not None else None,
            through=_expr(through) if through is not None else None,
            line=statement.lineno,
            column=statement.col_offset,
        )


def _function_scan(node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionScan:
    arguments = node.args
    every = [
        *arguments.posonlyargs,
        *arguments.args,
        *([arguments.vararg] if arguments.vararg else []),
        *arguments.kwonlyargs,
        *([arguments.kwarg] if arguments.kwarg else []),
    ]
    params = tuple(
        (argument.arg, _annotation(argument.annotation))
        for argument in every
        if argument.annotation is not None
    )
    returns = _annotation(node.returns) if node.returns is not None else None
    returned = () if returns is not None else tuple(dict.fromkeys(_returned(node)))
    return FunctionScan(node.name, node.lineno, node.col_offset, params, returns, returned)


_QUERYSET_METHODS = frozenset(
    [
        "all",
        "filter",
        "exclude",
        "order_by",
        "select_related",
        "prefetch_related",
        "distinct",
        "annotate",
        "alias",
        "none",
        "only",
        "defer",
        "using",
        "reverse",
        "union",
        "intersection",
        "difference",
        "select_for_update",
        "extra",
    ]
)
_INSTANCE_METHODS = frozenset(
    ["get", "first", "last", "latest", "earliest", "create", "get_or_create", "update_or_create"]
)
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
_CONTAINERS = frozenset({"list", "tuple", "set", "sorted"})
_TEXT_LIMIT = 60


def _returned(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[Returned]:
    """The models a function's own return statements visibly hand out (not nested defs).

    Only statements are walked (returns and assignments are statements), never expressions.
    """
    local: dict[str, ast.expr] = {}
    returns: list[ast.Return] = []
    pending: list[ast.stmt] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    local[target.id] = node.value
        elif isinstance(node, ast.Return) and node.value is not None:
            returns.append(node)
        pending.extend(child_statements(node))
    for statement in sorted(returns, key=lambda r: (r.lineno, r.col_offset)):
        assert statement.value is not None
        found = _model_expression(statement.value, dict(local), 0)
        if found is not None:
            text = ast.unparse(statement.value)
            if len(text) > _TEXT_LIMIT:
                text = text[: _TEXT_LIMIT - 3] + "..."
            yield Returned(found[0], found[1], text)


def _model_expression(
    node: ast.expr, local: dict[str, ast.expr], depth: int
) -> tuple[str, ReturnedKind] | None:
    """(the model's dotted name, instance or queryset) for an expression that visibly is one."""
    if depth > 10:
        return None
    if isinstance(node, ast.Name) and node.id in local:
        return _model_expression(local.pop(node.id), local, depth + 1)
    if isinstance(node, ast.Await):
        return _model_expression(node.value, local, depth + 1)
    if isinstance(node, ast.Attribute) and node.attr in _MANAGERS:
        owner = _dotted(node.value)
        return (owner, "queryset") if owner is not None else None
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in _CONTAINERS and len(node.args) == 1:
        inner = _model_expression(node.args[0], local, depth + 1)
        return (inner[0], "instances") if inner is not None else None
    if isinstance(func, ast.Attribute) and (
        func.attr in _QUERYSET_METHODS or func.attr in _INSTANCE_METHODS
    ):
        inner = _model_expression(func.value, local, depth + 1)
        if inner is None or inner[1] != "queryset":
            return None
        return inner[0], "instance" if func.attr in _INSTANCE_METHODS else "queryset"
    callee = _dotted(func)
    if callee is not None and callee.rpartition(".")[2][:1].isupper():
        return callee, "instance"
    return None


def _annotation(node: ast.expr) -> Annotation:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    else:
        text = ast.unparse(node)
    return Annotation(text, tuple(dict.fromkeys(_annotation_refs(node))))


def _annotation_refs(node: ast.expr) -> Iterator[str]:
    """Every dotted name an annotation mentions, outermost first, also inside strings."""
    dotted = _dotted(node)
    if dotted is not None:
        yield dotted
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            parsed = ast.parse(node.value.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        yield from _annotation_refs(parsed.body)
    elif isinstance(node, ast.Subscript):
        yield from _annotation_refs(node.value)
        yield from _annotation_refs(node.slice)
    elif isinstance(node, ast.BinOp):
        yield from _annotation_refs(node.left)
        yield from _annotation_refs(node.right)
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _annotation_refs(element)
