"""The per-file step of the model analysis: one file's source in, plain data out.

A FileScan holds only strings, numbers and tuples (no ast nodes, no paths of other files), so
a cache can pickle it per file and a warm run never parses an unchanged file again. Names are
kept as written; resolving them across files is the project-wide step (model_index).
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

ExprKind = Literal["name", "string", "call", "other"]

_CLASS_STATEMENT = re.compile(rb"^(?:\xef\xbb\xbf)?[ \t\f]*class[ \t\f]", re.MULTILINE)
_DEF_LINE = re.compile(rb"^( *)(?:async[ \t]+)?def[ \t]", re.MULTILINE)
_DEDENTS: dict[int, re.Pattern[bytes]] = {}
_CODE = re.compile(rb"[^ \n]")
_HEADER_LINES = 60
"""How far a function's signature may run over lines before its body is kept after all."""


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
    target: Expr
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
class FunctionScan:
    """A module-level function and the annotations of its signature (annotated params only)."""

    name: str
    line: int
    column: int
    params: tuple[tuple[str, Annotation], ...]
    returns: Annotation | None


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


def may_define_classes(source: bytes) -> bool:
    """Whether the source has a class statement; a file without one defines no model."""
    return _CLASS_STATEMENT.search(source) is not None


def scan(source: bytes, dotted: str, is_package: bool, *, checked: bool = False) -> FileScan:
    """Read one file's imports, classes and function signatures; never raises on bad source.

    dotted is the file's import name and is_package whether it is an `__init__.py`: both are
    needed to make relative imports absolute. `checked`: the file's syntax is known good (grimp
    parsed it), so the bodies of its functions, which the scan never reads, need not be
    parsed: half the parsing time of a typical models file.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = _parse_skeleton(source) if checked else None
            if tree is None:
                tree = ast.parse(source)
        return _FileScanner(_package_of(dotted, is_package)).run(tree)
    except SyntaxError as error:
        return FileScan(error=ParseError(error.lineno or 1, error.offset or 1, error.msg))
    except (ValueError, RecursionError) as error:
        return FileScan(error=ParseError(1, 1, str(error) or type(error).__name__))


def _parse_skeleton(source: bytes) -> ast.Module | None:
    """The syntax tree with every function body cut down to `pass`; None when that is not
    surely the same tree around the bodies, and the caller parses the whole file."""
    skeleton = without_function_bodies(source)
    if skeleton is None:
        return None
    try:
        return ast.parse(skeleton)
    except (SyntaxError, ValueError, RecursionError):
        return None


def without_function_bodies(source: bytes) -> bytes | None:
    """The source with the body of each plain `def` blanked to one `pass`, lines kept where
    they were; None when nothing was cut.

    Text-based, so a body is cut only when it is unambiguous: the `def` follows an even number
    of triple quotes (it is not text in a string), its signature ends on a line
    with balanced brackets and a `:`, and the cut lines (those indented deeper than the `def`,
    blank or comments) hold balanced brackets and triple quotes and do not end in `\\`.
    Anything else keeps its body, and a skeleton Python cannot parse is not used.
    """
    if b"def" not in source or b"\r" in source or b"\n\t" in source:
        return None
    pieces: list[bytes] = []
    done = 0
    position = 0
    counted = 0
    quotes = [0, 0]
    while True:
        match = _DEF_LINE.search(source, position)
        if match is None:
            break
        position = match.end()
        # A `def` after an odd number of triple quotes is text in a string, not a function.
        quotes[0] += source.count(b'"""', counted, match.start())
        quotes[1] += source.count(b"'''", counted, match.start())
        counted = match.start()
        if quotes[0] % 2 or quotes[1] % 2:
            continue
        header_end = _signature_end(source, match.start())
        if header_end < 0:
            continue
        indent = match.end(1) - match.start(1)
        dedent = _dedent(indent).search(source, header_end + 1)
        body_end = dedent.start() if dedent is not None else len(source)
        start = header_end + 1
        if (
            _CODE.search(source, start, body_end) is None
            or source.count(b'"""', start, body_end) % 2
            or source.count(b"'''", start, body_end) % 2
            or _bracket_balance(source, start, body_end)
            or source[max(start, body_end - 100) : body_end].rstrip().endswith(b"\\")
        ):
            position = header_end
            continue
        lines = source.count(b"\n", start, body_end)
        pieces += (source[done:start], match[1], b" pass", b"\n" * lines)
        done = position = body_end
    if not pieces:
        return None
    pieces.append(source[done:])
    return b"".join(pieces)


def _dedent(indent: int) -> re.Pattern[bytes]:
    """The line break before the next line of code indented `indent` spaces or less."""
    pattern = _DEDENTS.get(indent)
    if pattern is None:
        pattern = _DEDENTS[indent] = re.compile(rb"\n(?=[ ]{0,%d}[^ \n#])" % indent)
    return pattern


def _signature_end(source: bytes, start: int) -> int:
    """Where the line ends on which the signature starting at `start` ends with its `:`;
    -1 when it does not end so within _HEADER_LINES lines."""
    balance = 0
    line_start = start
    for _ in range(_HEADER_LINES):
        line_end = source.find(b"\n", line_start)
        if line_end < 0:
            return -1
        line = source[line_start:line_end]
        balance += _bracket_balance(line)
        if balance < 0:
            return -1
        if balance == 0:
            return line_end if line.rstrip().endswith(b":") else -1
        line_start = line_end + 1
    return -1


def _bracket_balance(text: bytes, start: int = 0, end: int | None = None) -> int:
    """Opening minus closing brackets in text[start:end], strings and comments included."""
    end = len(text) if end is None else end
    return (
        text.count(b"(", start, end)
        + text.count(b"[", start, end)
        + text.count(b"{", start, end)
        - text.count(b")", start, end)
        - text.count(b"]", start, end)
        - text.count(b"}", start, end)
    )


class _FileScanner:
    """Collects a FileScan from a module's top-level statements, in source order."""

    def __init__(self, package: list[str]) -> None:
        self.package = package
        self.bindings: list[Binding] = []
        self.stars: list[StarImport] = []
        self.classes: list[ClassScan] = []
        self.functions: list[FunctionScan] = []
        self.exports: list[str] | None = None

    def run(self, tree: ast.Module) -> FileScan:
        for node in _top_level(tree.body):
            self.statement(node)
        return FileScan(
            bindings=tuple(self.bindings),
            stars=tuple(self.stars),
            classes=tuple(self.classes),
            functions=tuple(self.functions),
            exports=tuple(self.exports) if self.exports is not None else None,
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
        if isinstance(node, ast.AugAssign):
            if self.exports is not None and names is not None:
                self.exports.extend(names)
        else:
            self.exports = names


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
    """A field per assigned name when the call has a target (first argument or `to=`)."""
    callee = _dotted(call.func)
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    target = call.args[0] if call.args else keywords.get("to")
    if callee is None or target is None:
        return
    through = keywords.get("through")
    for name in names:
        yield FieldScan(
            name=name,
            callee=callee,
            target=_expr(target),
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
    return FunctionScan(node.name, node.lineno, node.col_offset, params, returns)


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
        except (SyntaxError, ValueError, RecursionError):
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
