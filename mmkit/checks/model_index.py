"""The project-wide step of the model analysis: names resolved across files, models told apart.

Files are scanned lazily. The relation rules ask only for module files with a class statement;
any other file is read when a name is followed into it (a re-export, an abstract base outside
every module, the settings module), so most files of a project are never parsed.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from mmkit.checks.model_scan import (
    Binding,
    ClassScan,
    Expr,
    FieldScan,
    FileScan,
    FunctionScan,
    ParseError,
    may_define_classes,
    scan,
)
from mmkit.project import Project, SourceFile

ScanReader = Callable[[SourceFile, bool], FileScan | None]
"""Gives a file's FileScan; with `required` False it may return None for a file whose source
cannot define a class. The cache wraps this to skip unchanged files."""

Definition = ClassScan | FunctionScan | Binding
SymbolKind = Literal["class", "function", "external", "file", "string", "call"]

USER_MODEL_NAME = "AUTH_USER_MODEL"
USER_MODEL_SETTING = f"django.conf.settings.{USER_MODEL_NAME}"
GET_USER_MODEL = "django.contrib.auth.get_user_model"
DEFAULT_USER_MODEL = "auth.User"
GET_MODEL = "get_model"
"""A model lookup by label usable as a base class or a target: Django's `apps.get_model` and
the helpers named like it (django-oscar's `oscar.core.loading.get_model`)."""


def get_model_label(symbol: Symbol | None) -> str | Uncertain | None:
    """ "label.Model" for `apps.get_model("label", "Model")` or `apps.get_model("label.Model")`
    with literal arguments; Uncertain when the arguments are not literal; None for other
    expressions."""
    if symbol is None or symbol.kind != "call" or symbol.value.rpartition(".")[2] != GET_MODEL:
        return None
    args = symbol.args
    if len(args) == 2 and all(args):
        return f"{args[0]}.{args[1]}"
    if len(args) == 1 and args[0].count(".") == 1 and all(args[0].split(".")):
        return args[0]
    return Uncertain("its arguments are not literal strings")


MODEL_BASES = frozenset(
    {
        "django.db.models.Model",
        "django.contrib.auth.base_user.AbstractBaseUser",
        "django.contrib.sessions.base_session.AbstractBaseSession",
    }
)
QUERYSET_BASES = frozenset({"django.db.models.QuerySet"})
_RELATION_KINDS = ("ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject")
RELATION_FIELDS: dict[str, str] = {
    **{f"django.db.models.{kind}": kind for kind in _RELATION_KINDS},
    "django.contrib.contenttypes.fields.GenericRelation": "GenericRelation",
}
_CANONICAL = {
    "django.db.models.base.Model": "django.db.models.Model",
    "django.db.models.query.QuerySet": "django.db.models.QuerySet",
    **{
        f"django.db.models.fields.related.{kind}": f"django.db.models.{kind}"
        for kind in _RELATION_KINDS
    },
}
_THIRD_PARTY_FIELD_SUFFIXES = ("ManyToManyField", "OneToOneField", "ForeignKey")
TAGGABLE_MANAGER = "TaggableManager"
THIRD_PARTY_FIELDS: dict[str, str] = {
    "taggit.managers.TaggableManager": TAGGABLE_MANAGER,
    "modelcluster.fields.ParentalKey": "ForeignKey",
    "modelcluster.fields.ParentalManyToManyField": "ManyToManyField",
    **{
        f"mptt.{where}.Tree{kind}": kind
        for where in ("fields", "models")
        for kind in ("ForeignKey", "OneToOneField", "ManyToManyField")
    },
    "sortedm2m.fields.SortedManyToManyField": "ManyToManyField",
}
"""Relation fields of third-party packages, by import path, with the kind Django's registry
names them by: the nearest Django relation field they subclass, else their own class name."""
_MODEL_FIELD_MODULES = (
    "django.db.models.",
    "django.contrib.postgres.fields.",
    "django.contrib.gis.db.models.",
)
_MODEL_ATTRIBUTE_SUFFIXES = ("Field", "Manager")
_NOT_MODEL_SUFFIXES = ("Manager", "QuerySet", "Field", "Key")


@dataclass(frozen=True)
class Symbol:
    """What a name stands for: a project class or function (its key), an outside dotted name,
    a project file, a string constant, or the result of calling a callee (its dotted name,
    with the call's string arguments)."""

    kind: SymbolKind
    value: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Model:
    """A model class of the project; key is the defining file's dotted name + the class name."""

    key: str
    file: SourceFile
    cls: ClassScan

    @property
    def app_label(self) -> str | None:
        return self.file.module.label if self.file.module else None

    @property
    def label(self) -> str | None:
        """ "books.Book", as Django names it; None outside modules."""
        return f"{self.app_label}.{self.cls.name}" if self.app_label else None

    @property
    def name(self) -> str:
        """The label, or outside modules (where only abstract bases matter) the key."""
        return self.label or self.key

    @property
    def abstract(self) -> bool:
        return self.cls.abstract


@dataclass(frozen=True)
class Uncertain:
    """Something the analysis cannot read statically, and where to say so."""

    reason: str
    file: SourceFile | None = None
    line: int = 1
    column: int = 1


@dataclass(frozen=True, eq=False)
class _Scope:
    """A scanned file and its module-level names, each bound to its last definition."""

    file: SourceFile
    scan: FileScan
    names: dict[str, Definition]


def read_scan(file: SourceFile, required: bool) -> FileScan | None:
    """The reader without a cache: read the bytes, skip class-less files unless required."""
    try:
        source = file.path.read_bytes()
    except OSError as error:
        return FileScan(error=ParseError(1, 1, error.strerror or str(error)))
    if not required and not may_define_classes(source):
        return None
    return scan(source, file.dotted, file.path.name == "__init__.py")


def is_model_base(dotted: str) -> bool:
    """Django's Model, or a class of a third-party `models` module that looks like a model."""
    if dotted in MODEL_BASES:
        return True
    module, _, name = dotted.rpartition(".")
    return (
        module.rpartition(".")[2] == "models"
        and not module.startswith("django.db")
        and name[:1].isupper()
        and not name.endswith(_NOT_MODEL_SUFFIXES)
    )


def relation_kind(dotted: str) -> str | None:
    """The Django relation field an outside class is, also by name for third-party fields."""
    kind = RELATION_FIELDS.get(dotted) or THIRD_PARTY_FIELDS.get(dotted)
    if kind is not None or dotted.startswith("django."):
        return kind
    name = dotted.rpartition(".")[2]
    return next((k for k in _THIRD_PARTY_FIELD_SUFFIXES if name.endswith(k)), None)


def is_model_attribute(dotted: str) -> bool:
    """A class only a model's body uses: a Django model field or manager, or a relation field."""
    return relation_kind(dotted) is not None or (
        dotted.startswith(_MODEL_FIELD_MODULES) and dotted.endswith(_MODEL_ATTRIBUTE_SUFFIXES)
    )


def is_opaque_base(dotted: str) -> bool:
    """An outside base the analysis cannot look into and that may be a model: a third-party
    class (treebeard's MP_Node), not Django's own (known) nor the standard library's."""
    top = dotted.partition(".")[0]
    return top != "django" and top not in sys.stdlib_module_names and not is_model_base(dotted)


class ModelIndex:
    """Resolves names across the project's files and answers: is this a model, which field?"""

    def __init__(self, project: Project, reader: ScanReader = read_scan) -> None:
        self.project = project
        self._reader = reader
        self._files = project.by_dotted
        self._scopes: dict[str, _Scope | None] = {}
        self._roots: dict[str, tuple[str, ...]] = {}
        self._opaque: dict[str, bool] = {}
        self._models: dict[str, Model | None] = {}
        self._field_kinds: dict[tuple[str, str], str | None] = {}
        self._user_model: str | Uncertain | None = None
        self._labels: dict[tuple[str, str], Model] | None = None
        self.unparsable: dict[str, tuple[SourceFile, ParseError]] = {}

    # Files -------------------------------------------------------------------------------

    def scope(self, dotted: str) -> _Scope | None:
        """The names of the project file `dotted`; None outside the project or unparsable."""
        file = self._files.get(dotted)
        return self._load(file, required=True) if file is not None else None

    def _load(self, file: SourceFile, required: bool) -> _Scope | None:
        if file.dotted in self._scopes:
            return self._scopes[file.dotted]
        scanned = self._reader(file, required)
        if scanned is None:
            return None
        scope = None
        if scanned.error is not None:
            self.unparsable[file.dotted] = (file, scanned.error)
        else:
            scope = _Scope(file, scanned, _names(scanned))
        self._scopes[file.dotted] = scope
        return scope

    def module_models(self) -> Iterator[Model]:
        """Every model class defined in a module's files; reads files with a class only."""
        for file in self.project.files:
            if file.module is None:
                continue
            scope = self._load(file, required=False)
            if scope is None:
                continue
            for name, entry in scope.names.items():
                if isinstance(entry, ClassScan):
                    model = self.model(f"{file.dotted}.{name}")
                    if model is not None:
                        yield model

    def model_label(self, app_label: str, name: str) -> str | None:
        """The label of the module model `name` of app `app_label`, its name matched without
        regard to case as Django's registry does ("authors.author" is authors.Author); None
        when no module model of that app has the name."""
        found = self._by_label(app_label, name)
        return f"{found.app_label}.{found.cls.name}" if found is not None else None

    def _by_label(self, app_label: str, name: str) -> Model | None:
        """The first module model of app `app_label` named `name`, case aside."""
        if self._labels is None:
            self._labels = {}
            for model in self.module_models():
                if model.app_label is not None:
                    key = (model.app_label, model.cls.name.lower())
                    self._labels.setdefault(key, model)
        return self._labels.get((app_label, name.lower()))

    # Names -------------------------------------------------------------------------------

    def resolve(self, where: str, expr: Expr) -> Symbol | None:
        """What `expr`, written at module level of the file `where`, stands for."""
        return self._expr(where, expr, set())

    def _expr(self, where: str, expr: Expr, seen: set[tuple[str, str]]) -> Symbol | None:
        if expr.kind == "string":
            return Symbol("string", expr.value)
        if expr.kind not in ("name", "call"):
            return None
        head, *tail = expr.value.split(".")
        found = self._member(where, head, tail, seen)
        if expr.kind == "call":
            return Symbol("call", found.value, expr.args) if found is not None else None
        return found

    def _lookup(self, dotted: str, seen: set[tuple[str, str]]) -> Symbol | None:
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in self._files:
                if end == len(parts):
                    return Symbol("file", prefix)
                return self._member(prefix, parts[end], parts[end + 1 :], seen)
        return Symbol("external", _CANONICAL.get(dotted, dotted))

    def _member(
        self, where: str, name: str, tail: list[str], seen: set[tuple[str, str]]
    ) -> Symbol | None:
        """`name` (then `.tail`) as the file `where` defines, imports or star-imports it."""
        if (where, name) in seen:
            return None
        seen.add((where, name))
        scope = self.scope(where)
        if scope is None:
            return None
        entry = scope.names.get(name)
        if isinstance(entry, ClassScan | FunctionScan):
            kind: SymbolKind = "class" if isinstance(entry, ClassScan) else "function"
            return None if tail else Symbol(kind, f"{where}.{name}")
        if isinstance(entry, Binding):
            return self._binding(where, entry, tail, seen)
        return self._star_member(scope, name, tail, seen)

    def _binding(
        self, where: str, binding: Binding, tail: list[str], seen: set[tuple[str, str]]
    ) -> Symbol | None:
        if binding.origin is not None:
            return self._lookup(".".join([binding.origin, *tail]), seen)
        if binding.value is None:
            return None
        found = self._expr(where, binding.value, seen)
        if not tail or found is None:
            return found
        if found.kind in ("external", "file"):
            return self._lookup(".".join([found.value, *tail]), seen)
        return None

    def _star_member(
        self, scope: _Scope, name: str, tail: list[str], seen: set[tuple[str, str]]
    ) -> Symbol | None:
        """A name that came in through `from x import *`; project files first, then others."""
        outside = None
        for star in reversed(scope.scan.stars):
            if star.origin not in self._files:
                outside = outside or star.origin
                continue
            if not self._exports(star.origin, name):
                continue
            found = self._member(star.origin, name, tail, seen)
            if found is not None:
                return found
        if outside is not None:
            return self._lookup(".".join([outside, name, *tail]), seen)
        return None

    def _exports(self, dotted: str, name: str) -> bool:
        scope = self.scope(dotted)
        if scope is None:
            return False
        if scope.scan.exports is not None:
            return name in scope.scan.exports
        return not name.startswith("_")

    def star_names(self, dotted: str, seen: set[str] | None = None) -> set[str]:
        """The names `from dotted import *` brings in, when dotted is a project file."""
        seen = seen if seen is not None else set()
        scope = self.scope(dotted)
        if scope is None or dotted in seen:
            return set()
        seen.add(dotted)
        if scope.scan.exports is not None:
            return set(scope.scan.exports)
        names = {name for name in scope.names if not name.startswith("_")}
        for star in scope.scan.stars:
            names |= {n for n in self.star_names(star.origin, seen) if not n.startswith("_")}
        return names

    # Classes -----------------------------------------------------------------------------

    def _class(self, key: str) -> tuple[SourceFile, ClassScan] | None:
        where, _, name = key.rpartition(".")
        scope = self.scope(where)
        entry = scope.names.get(name) if scope is not None else None
        return (scope.file, entry) if scope is not None and isinstance(entry, ClassScan) else None

    def function(self, key: str) -> tuple[SourceFile, FunctionScan] | None:
        """The file and signature of a project function, by key (file's dotted name + name)."""
        where, _, name = key.rpartition(".")
        scope = self.scope(where)
        entry = scope.names.get(name) if scope is not None else None
        if scope is None or not isinstance(entry, FunctionScan):
            return None
        return scope.file, entry

    def roots(self, key: str) -> tuple[str, ...]:
        """The outside classes (Django's, third-party) a project class derives from, in order."""
        if key in self._roots:
            return self._roots[key]
        self._roots[key] = ()
        found = self._class(key)
        if found is None:
            return ()
        file, cls = found
        roots: list[str] = []
        for base in cls.bases:
            symbol = self.resolve(file.dotted, base)
            if symbol is None:
                continue
            if symbol.kind == "external":
                roots.append(symbol.value)
            elif symbol.kind == "class":
                roots.extend(self.roots(symbol.value))
        self._roots[key] = tuple(dict.fromkeys(roots))
        return self._roots[key]

    def model(self, key: str) -> Model | None:
        """The project model with this key, or None when the class is not a model."""
        if key not in self._models:
            self._models[key] = None
            found = self._class(key)
            if found is not None and self._is_model(key, *found):
                self._models[key] = Model(key, *found)
        return self._models[key]

    def _is_model(self, key: str, file: SourceFile, cls: ClassScan) -> bool:
        """Django's Model among the roots, a base taken for a model, or else, when a base
        cannot be followed (a third-party or computed base), a body that declares model fields:
        Django's fields only work on a model, so a class that declares them is one."""
        if any(is_model_base(root) for root in self.roots(key)):
            return True
        for base in cls.bases:
            symbol = self.resolve(file.dotted, base)
            if self.model_of(symbol) or get_model_label(symbol) is not None:
                return True
        return self.opaque(key) and self._declares_model_attributes(file.dotted, cls)

    def opaque(self, key: str) -> bool:
        """Whether a base of the project class, at any depth, cannot be followed: a third-party
        class, a name bound at run time (`MP_Node = get_tree_base()`) or one not found."""
        if key not in self._opaque:
            self._opaque[key] = False
            found = self._class(key)
            if found is not None:
                file, cls = found
                self._opaque[key] = any(self._opaque_base(file.dotted, base) for base in cls.bases)
        return self._opaque[key]

    def _opaque_base(self, where: str, base: Expr) -> bool:
        symbol = self.resolve(where, base)
        if symbol is None:
            return not (base.kind == "name" and hasattr(builtins, base.value))
        if symbol.kind == "external":
            return is_opaque_base(symbol.value)
        if symbol.kind == "class":
            return self.opaque(symbol.value)
        return symbol.kind == "call"

    def _declares_model_attributes(self, where: str, cls: ClassScan) -> bool:
        """Meta.proxy, or a field or manager of Django's (or a subclass of one); not
        Meta.abstract, which factory_boy's and graphene's classes use as well."""
        if cls.proxy:
            return True
        for callee in cls.calls:
            symbol = self.resolve(where, Expr("name", callee, callee))
            if symbol is not None and symbol.kind == "external":
                roots: tuple[str, ...] = (symbol.value,)
            elif symbol is not None and symbol.kind == "class":
                roots = self.roots(symbol.value)
            else:
                continue
            if any(is_model_attribute(root) for root in roots):
                return True
        return False

    def class_label(self, key: str) -> str | None:
        """ "label.Name" of a project class by the module of its file, whatever its bases."""
        found = self._class(key)
        if found is None or found[0].module is None:
            return None
        return f"{found[0].module.label}.{found[1].name}"

    def model_of(self, symbol: Symbol | None) -> Model | None:
        return self.model(symbol.value) if symbol is not None and symbol.kind == "class" else None

    def is_model(self, symbol: Symbol | None) -> bool:
        """A project model, or an outside class that is one (django.contrib.auth's User)."""
        if symbol is not None and symbol.kind == "external":
            return is_model_base(symbol.value)
        return self.model_of(symbol) is not None

    def is_queryset(self, symbol: Symbol | None) -> bool:
        if symbol is None:
            return False
        if symbol.kind == "external":
            return symbol.value in QUERYSET_BASES
        return symbol.kind == "class" and any(r in QUERYSET_BASES for r in self.roots(symbol.value))

    def bases(self, model: Model) -> Iterator[Model]:
        """The model's direct bases that are models themselves (a class, or a module model
        named by `apps.get_model(...)` with literal arguments)."""
        for base in model.cls.bases:
            symbol = self.resolve(model.file.dotted, base)
            found = self.model_of(symbol)
            label = get_model_label(symbol)
            if found is None and isinstance(label, str):
                found = self.model_by_label(label)
            if found is not None:
                yield found

    def unresolved_bases(self, model: Model) -> Iterator[Expr]:
        """Bases named by `apps.get_model(...)` whose arguments cannot be read statically."""
        for base in model.cls.bases:
            if isinstance(get_model_label(self.resolve(model.file.dotted, base)), Uncertain):
                yield base

    def field_kind(self, where: str, callee: str) -> str | None:
        """The relation kind of a field class called as `callee` in the file `where`, if any:
        Django's, a known third-party one's (by its outside bases), or the class name of one
        the configuration lists in relation_fields."""
        key = (where, callee)
        if key not in self._field_kinds:
            found = None
            classes = self.field_classes(where, callee)
            if classes is not None:
                own, outside = classes
                kinds = (relation_kind(dotted) for dotted in outside)
                found = next((kind for kind in kinds if kind), None)
                listed = self.project.config.relation_fields
                if found is None:
                    named = (c for c in (own, *outside) if c in listed)
                    found = next((c.rpartition(".")[2] for c in named), None)
            self._field_kinds[key] = found
        return self._field_kinds[key]

    def field_classes(self, where: str, callee: str) -> tuple[str, tuple[str, ...]] | None:
        """The dotted name of the class a field call names and the outside classes it is or
        derives from; None when the callee cannot be followed (bound at run time, a function)."""
        symbol = self.resolve(where, Expr("name", callee, callee))
        if symbol is not None and symbol.kind == "external":
            return symbol.value, (symbol.value,)
        if symbol is not None and symbol.kind == "class":
            return symbol.value, self.roots(symbol.value)
        return None

    def model_by_label(self, label: str) -> Model | None:
        """The module model Django would name `label` ("books.Book"), if there is one."""
        app_label, _, name = label.partition(".")
        return self._by_label(app_label, name)

    def inherited_fields(self, model: Model) -> Iterator[tuple[Model, FieldScan]]:
        """Fields the model gets from its abstract bases (at any depth), nearest base first.

        A name the model or a nearer base assigns hides the field, as it does in Django.
        """
        hidden = set(model.cls.assigned)
        visited = {model.key}

        def walk(current: Model) -> Iterator[tuple[Model, FieldScan]]:
            for base in self.bases(current):
                if not base.abstract or base.key in visited:
                    continue
                visited.add(base.key)
                for scanned in base.cls.fields:
                    if scanned.name not in hidden:
                        yield base, scanned
                hidden.update(base.cls.assigned)
                yield from walk(base)

        return walk(model)

    # Settings ----------------------------------------------------------------------------

    def user_model(self) -> str | Uncertain:
        """AUTH_USER_MODEL as the configured settings module sets it; Django's default else."""
        if self._user_model is None:
            self._user_model = self.setting(USER_MODEL_NAME, DEFAULT_USER_MODEL)
        return self._user_model

    def setting(self, name: str, default: str) -> str | Uncertain:
        """A string setting as the configured settings module sets it; `default` else."""
        settings = self.project.config.settings
        if settings is None:
            return default
        if settings not in self._files:
            return Uncertain("no file for it under root")
        value = self._setting(settings, name, set())
        return default if value is None else value

    def _setting(self, dotted: str, name: str, seen: set[str]) -> str | Uncertain | None:
        """A settings value, following `from .base import *`; None when nothing sets it."""
        file = self._files[dotted]
        scope = self.scope(dotted)
        if scope is None:
            return Uncertain(f"{file.relpath} could not be parsed", file)
        seen.add(dotted)
        entry = scope.names.get(name)
        if isinstance(entry, Binding):
            symbol = self._binding(dotted, entry, [], set())
            if symbol is not None and symbol.kind == "string":
                return symbol.value
            written = (
                entry.value.text if entry.value is not None else f"imported from {entry.origin}"
            )
            return Uncertain(f"{written} is not a plain string", file, entry.line, entry.column + 1)
        for star in reversed(scope.scan.stars):
            if star.origin in seen:
                continue
            if star.origin not in self._files:
                reason = f"it may come from {star.origin}, outside the project"
                return Uncertain(reason, file, star.line, star.column + 1)
            value = self._setting(star.origin, name, seen)
            if value is not None:
                return value
        return None


def _names(scanned: FileScan) -> dict[str, Definition]:
    """Module-level names; a class or def after an import of the same name replaces it."""
    names: dict[str, Definition] = {b.name: b for b in scanned.bindings}
    for definition in sorted((*scanned.classes, *scanned.functions), key=lambda d: d.line):
        current = names.get(definition.name)
        if not (isinstance(current, Binding) and current.line > definition.line):
            names[definition.name] = definition
    return names
