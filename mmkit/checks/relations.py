"""Model relations (E001, E002), read from the source with `ast` or given by Django's registry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mmkit.checks.model_index import (
    GET_USER_MODEL,
    TAGGABLE_MANAGER,
    USER_MODEL_NAME,
    USER_MODEL_SETTING,
    Model,
    ModelIndex,
    ScanReader,
    Symbol,
    Uncertain,
    get_model_label,
    read_scan,
)
from mmkit.checks.model_scan import Expr, FieldScan, ParseError
from mmkit.findings import RULES, Finding
from mmkit.project import Project, SourceFile

_UNKNOWN_FIELD_HINT = (
    "If the field relates models (a ForeignKey or ManyToMany of a package), add its import path "
    "to relation_fields in [tool.mmkit] so that E001 checks it; if it does not, suppress this "
    "line with `# mmkit: ignore[W004]`."
)
TAGGIT_GENERIC_BASES = frozenset(
    f"taggit.models.{name}"
    for name in (
        "CommonGenericTaggedItemBase",
        "GenericTaggedItemBase",
        "GenericUUIDTaggedItemBase",
    )
)
INHERITANCE_KINDS = {"parent": "multi-table inheritance", "proxy": "proxy model"}
SWAPPABLE_GETTERS = frozenset({"swapper.get_model_name"})


@dataclass(frozen=True)
class Relation:
    """One model's relation to another model, whichever door found it.

    kind: ForeignKey, OneToOneField, ManyToManyField, ForeignObject, GenericRelation,
    through (a M2M's intermediate model), parent (multi-table inheritance) or proxy.
    model and target are "app_label.ModelName"; field is None for parent and proxy.
    """

    kind: str
    model: str
    field: str | None
    target: str
    path: Path
    line: int
    column: int
    inherited_from: str | None = None


def from_source(
    project: Project, reader: ScanReader = read_scan, index: ModelIndex | None = None
) -> tuple[list[Relation], list[Finding]]:
    """Every relation of every concrete model in a module, plus W004 notes where unsure.

    `reader` gives each file's FileScan; a cache passes its own to skip unchanged files.
    """
    index = index if index is not None else ModelIndex(project, reader)
    collector = _Collector(project, index)
    for model in index.module_models():
        if not model.abstract:
            collector.collect(model)
    return collector.relations, collector.notes + unparsable_findings(index)


def findings(project: Project, relations: Iterable[Relation]) -> list[Finding]:
    """E001/E002 for the relations that cross from one module into another's models."""
    found = (_finding(project, relation) for relation in relations)
    return [finding for finding in found if finding is not None]


def parse_error_finding(file: SourceFile, error: ParseError) -> Finding:
    """The W004 of a file that does not parse; every check words it the same, so it dedupes."""
    message = f"could not parse {file.relpath}: {error.reason}; the rest of the project was checked"
    return not_analysed(file, error.line, error.column, message)


def not_analysed(
    file: SourceFile, line: int, column: int, message: str, hint: str | None = None
) -> Finding:
    """A W004 at a place in a source file: what there could not be checked, and why."""
    return Finding(
        rule="mmkit.W004",
        path=file.relpath,
        line=line,
        column=column,
        message=message,
        hint=hint or RULES["mmkit.W004"].fix,
        module=file.module.name if file.module else None,
    )


def unparsable_findings(index: ModelIndex) -> list[Finding]:
    """A W004 for each file the index needed and could not parse."""
    return [parse_error_finding(file, error) for file, error in index.unparsable.values()]


def _finding(project: Project, relation: Relation) -> Finding | None:
    module = project.by_label.get(_app_label(relation.model))
    target = project.by_label.get(_app_label(relation.target))
    if module is None or target is None or target.name == module.name or target.shared:
        return None
    rule = "mmkit.E002" if relation.kind in INHERITANCE_KINDS else "mmkit.E001"
    return Finding(
        rule=rule,
        path=project.relpath(relation.path),
        line=relation.line,
        column=relation.column,
        message=_message(relation, target.name),
        hint=RULES[rule].fix,
        module=module.name,
        model=relation.model,
        field=relation.field,
        target=relation.target,
    )


def _message(relation: Relation, target_module: str) -> str:
    of_module = f"of module '{target_module}'"
    if relation.kind in INHERITANCE_KINDS:
        return (
            f"{relation.model} inherits from {relation.target}, a concrete model {of_module} "
            f"({INHERITANCE_KINDS[relation.kind]})"
        )
    subject = _subject(relation.model, relation.field, relation.inherited_from)
    if relation.kind == "through":
        return f"{subject} uses through model {relation.target} {of_module}"
    return f"{subject} is a {relation.kind} to {relation.target}, a model {of_module}"


def _subject(model: str, field: str | None, inherited_from: str | None) -> str:
    subject = f"{model}.{field}"
    return f"{subject} (inherited from {inherited_from})" if inherited_from else subject


def _app_label(label: str) -> str:
    return label.partition(".")[0]


class _Unresolved:
    """The marker of a target that cannot be told statically."""


_UNRESOLVED = _Unresolved()
_Target = str | None | _Unresolved


class _Collector:
    """Reads the relations of concrete models and notes (W004) where it cannot be sure."""

    def __init__(self, project: Project, index: ModelIndex) -> None:
        self.project = project
        self.index = index
        self.relations: list[Relation] = []
        self.notes: list[Finding] = []
        self._user_model_noted = False

    def collect(self, model: Model) -> None:
        for scanned in model.cls.fields:
            self._field(model, model, scanned)
        for owner, scanned in self.index.inherited_fields(model):
            self._field(model, owner, scanned)
        self._parents(model)

    def _field(self, model: Model, owner: Model, scanned: FieldScan) -> None:
        """One field of `model`, written in `owner` (the model itself or an abstract base)."""
        kind = self.index.field_kind(owner.file.dotted, scanned.callee)
        if kind is None:
            self._unknown_field(model, owner, scanned)
            return
        if kind == TAGGABLE_MANAGER:
            self._taggable(model, owner, scanned)
            return
        if scanned.target is not None:
            self._relation(kind, model, owner, scanned, scanned.target)
        if kind == "ManyToManyField" and scanned.through is not None:
            self._relation("through", model, owner, scanned, scanned.through)

    def _taggable(self, model: Model, owner: Model, scanned: FieldScan) -> None:
        """taggit's TaggableManager: a relation to the tag model through `through` (taggit's
        own TaggedItem and Tag when not given). The tag model is the through model's `tag`
        field's target, as taggit reads it; taggit's Tag when that field comes from taggit."""
        if scanned.through is None:
            return
        through = self._relation("through", model, owner, scanned, scanned.through)
        if through is None:
            return
        through_model = self.index.model_by_label(through)
        if through_model is None:
            return
        if any(root in TAGGIT_GENERIC_BASES for root in self.index.roots(through_model.key)):
            # taggit adds `tagged_items = GenericRelation(through)` to the model, in code.
            self.relations.append(
                Relation(
                    kind="GenericRelation",
                    model=model.name,
                    field="tagged_items",
                    target=through,
                    path=model.file.path,
                    line=model.cls.line,
                    column=model.cls.column + 1,
                )
            )
        fields = [(through_model, f) for f in through_model.cls.fields]
        fields += list(self.index.inherited_fields(through_model))
        for declared_in, tag in fields:
            if tag.name == "tag" and tag.target is not None:
                where = (through_model, declared_in)
                self._relation(TAGGABLE_MANAGER, model, owner, scanned, tag.target, where)
                return

    def _unknown_field(self, model: Model, owner: Model, scanned: FieldScan) -> None:
        """A W004 when a field class mmkit does not know passes another module's model (its
        first argument, `to=` or `through=`): it may be a relation field, or may not."""
        classes = self.index.field_classes(owner.file.dotted, scanned.callee)
        if classes is not None and any(c.startswith("django.") for c in classes[1]):
            return  # one of Django's fields (or a subclass), which mmkit knows
        for expr in (scanned.target, scanned.through):
            if expr is None:
                continue
            target = self._model_reference(model, owner, expr)
            if target is None:
                continue
            module = self.project.by_label.get(target.partition(".")[0])
            if module is None or module.shared or module.label == model.app_label:
                continue
            inherited_from = owner.key if owner is not model else None
            line, column = _place(model, scanned, inherited_from)
            subject = _subject(model.name, scanned.name, inherited_from)
            callee = classes[0] if classes is not None else scanned.callee
            message = (
                f"cannot tell whether {subject} relates to {target}, a model of module "
                f"'{module.name}': it is a {callee}, a field mmkit does not know; not checked"
            )
            self.notes.append(not_analysed(model.file, line, column, message, _UNKNOWN_FIELD_HINT))
            return

    def _model_reference(self, model: Model, owner: Model, expr: Expr) -> str | None:
        """The label of the module model `expr` names (a class or "label.Model"), else None."""
        symbol = self.index.resolve(owner.file.dotted, expr)
        if symbol is not None and symbol.kind == "class":
            found = self.index.model(symbol.value)
            return found.label if found is not None else None
        if symbol is not None and symbol.kind == "string" and "." in symbol.value:
            app_label, _, name = symbol.value.partition(".")
            return self.index.model_label(app_label, name)
        return None

    def _relation(
        self,
        kind: str,
        model: Model,
        owner: Model,
        scanned: FieldScan,
        expr: Expr,
        written: tuple[Model, Model] | None = None,
    ) -> str | None:
        """Record one relation; its target's label, or None when it has none to record.

        `written` is (model, owner) of where `expr` is written when that is not the field's
        own model: the tag field of a TaggableManager's through model.
        """
        inherited_from = owner.key if owner is not model else None
        target = self._target(*(written or (model, owner)), expr)
        if isinstance(target, str):
            target = self._real_label(target)
            line, column = _place(model, scanned, inherited_from)
            self.relations.append(
                Relation(
                    kind=kind,
                    model=model.name,
                    field=scanned.name,
                    target=target,
                    path=model.file.path,
                    line=line,
                    column=column,
                    inherited_from=inherited_from,
                )
            )
            return target
        if target is _UNRESOLVED:
            self.notes.append(self._unresolved(kind, model, scanned, expr, inherited_from))
        return None

    def _unresolved(
        self, kind: str, model: Model, scanned: FieldScan, expr: Expr, inherited_from: str | None
    ) -> Finding:
        """The W004 of a target (or through model) that cannot be told without running code."""
        subject = _subject(model.name, scanned.name, inherited_from)
        callee = scanned.callee.rpartition(".")[2]
        if kind == "through":
            what, written = "through model", f"{callee}(through={expr.text})"
        else:
            what, written = "target", f"{callee}({expr.text})"
        line, column = _place(model, scanned, inherited_from)
        message = f"cannot resolve the {what} of {subject} ({written}); not checked"
        return not_analysed(model.file, line, column, message)

    def _real_label(self, target: str) -> str:
        """The target as Django's registry names it: a model name in a "label.Model" string
        is case-insensitive, so "authors.author" is the class authors.Author. A name no module
        model of that label has is kept as written."""
        app_label, _, name = target.partition(".")
        return self.index.model_label(app_label, name) or target

    def _target(self, model: Model, owner: Model, expr: Expr) -> _Target:
        """The "label.Model" a field points to; None when it cannot be a module's model."""
        symbol = self.index.resolve(owner.file.dotted, expr)
        if symbol is not None and symbol.kind == "string":
            return _lazy_reference(symbol.value, model)
        if symbol is not None and symbol.kind == "class":
            # Django accepts only models as targets, so a project class is its module's model
            # even when its bases hide that (treebeard's MP_Node).
            target = self.index.model(symbol.value)
            return target.label if target is not None else self.index.class_label(symbol.value)
        if symbol is not None and (symbol.kind, symbol.value) in (
            ("external", USER_MODEL_SETTING),
            ("call", GET_USER_MODEL),
        ):
            return self._user_model()
        if expr.kind == "name" and expr.value.rpartition(".")[2] == USER_MODEL_NAME:
            # A name spelled AUTH_USER_MODEL is the setting, read through a wrapper or a
            # compat module (`from ..conf import settings`) that cannot be followed.
            return self._user_model()
        if symbol is None:
            return _UNRESOLVED
        if symbol.kind == "call":
            return self._named_by_call(symbol)
        if symbol.kind == "external" and not symbol.value.startswith("django.conf.settings."):
            return None
        return _UNRESOLVED

    def _named_by_call(self, symbol: Symbol) -> _Target:
        """A swappable target named by swapper (wagtail's pages): `get_model_name("app",
        "Model")` reads the setting <APP>_<MODEL>_MODEL, else means "app.Model". Django's
        `apps.get_model("app", "Model")` with literal arguments names "app.Model"."""
        label = get_model_label(symbol)
        if label is not None:
            return label if isinstance(label, str) else _UNRESOLVED
        if symbol.value not in SWAPPABLE_GETTERS or len(symbol.args) != 2:
            return _UNRESOLVED
        app_label, name = symbol.args
        if (app_label, name) == ("auth", "User"):
            return self._user_model()
        setting = f"{app_label.upper()}_{name.upper()}_MODEL"
        found = self.index.setting(setting, f"{app_label}.{name}")
        return found if isinstance(found, str) else _UNRESOLVED

    def _user_model(self) -> str | None:
        """The user model's label; None (after one W004) when the settings cannot tell."""
        found = self.index.user_model()
        if isinstance(found, str):
            return found
        if not self._user_model_noted:
            self._user_model_noted = True
            self.notes.append(self._user_model_note(found))
        return None

    def _user_model_note(self, uncertain: Uncertain) -> Finding:
        settings = self.project.config.settings
        message = (
            f"cannot read AUTH_USER_MODEL from {settings} ({uncertain.reason}); relations to "
            "the user model were not checked"
        )
        if uncertain.file is not None:
            return not_analysed(uncertain.file, uncertain.line, uncertain.column, message)
        path = self.project.relpath(self.project.config.path)
        return Finding("mmkit.W004", path, 1, 1, message, RULES["mmkit.W004"].fix)

    def _parents(self, model: Model) -> None:
        """E002 material: the concrete models this one inherits from (its table's parents)."""
        for base in self.index.unresolved_bases(model):
            message = (
                f"cannot resolve the base {base.text} of {model.name}: its arguments are not "
                "literal strings; the inheritance was not checked"
            )
            self.notes.append(
                not_analysed(model.file, model.cls.line, model.cls.column + 1, message)
            )
        kind = "proxy" if model.cls.proxy else "parent"
        for base in self.index.bases(model):
            if base.abstract or base.label is None:
                continue
            self.relations.append(
                Relation(
                    kind=kind,
                    model=model.name,
                    field=None,
                    target=base.label,
                    path=model.file.path,
                    line=model.cls.line,
                    column=model.cls.column + 1,
                )
            )


def _place(model: Model, scanned: FieldScan, inherited_from: str | None) -> tuple[int, int]:
    """Where a field's finding goes: its own line, or the concrete model's class line."""
    if inherited_from is None:
        return scanned.line, scanned.column + 1
    return model.cls.line, model.cls.column + 1


def _lazy_reference(value: str, model: Model) -> _Target:
    """A string target as Django reads it: "self", "Model" (the model's app) or "label.Model"."""
    if value == "self":
        return model.label
    if "." not in value:
        return f"{model.app_label}.{value}"
    label, _, name = value.partition(".")
    return value if label and name and "." not in name else _UNRESOLVED
