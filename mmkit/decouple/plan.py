"""The plan: every cross-module relation (mmkit.E001) and what decoupling each would take.

Read from the source by the same analysis as `mmkit check` (read-only use of mmkit.checks), so
the plan lists exactly the E001s the check reports, suppressed and baselined ones included.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from mmkit.checks.model_index import ModelIndex
from mmkit.checks.relations import Relation, findings, from_source
from mmkit.decouple.errors import DecoupleError
from mmkit.findings import Finding
from mmkit.project import Project

SUPPORTED = ("ForeignKey", "OneToOneField", "ManyToManyField")


@dataclass(frozen=True)
class Sharer:
    """A concrete model that gets an inherited relation field, and whether its copy crosses."""

    model: str
    crosses: bool


@dataclass(frozen=True)
class Crossing:
    """One relation field from a module into another module's model, and where it is written.

    declared_in is the file whose class statement declares the field (the model's, or the
    abstract base's when `base` names one); shared_by lists every concrete model that inherits
    the field from that base.
    """

    relation: Relation
    module: str
    target_module: str
    declared_in: Path
    declaring_class: str
    on_delete: str | None
    base: str | None = None
    shared_by: tuple[Sharer, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.relation.model}.{self.relation.field}"

    @property
    def kind(self) -> str:
        return self.relation.kind

    @property
    def keeps_legitimately(self) -> tuple[str, ...]:
        """Models that inherit the field without crossing a module boundary."""
        return tuple(s.model for s in self.shared_by if not s.crosses)

    def work(self) -> str:
        """What `mmkit decouple` would do, in a few words, for the plan."""
        target = self.relation.target
        if self.kind not in SUPPORTED:
            return f"a {self.kind}: not handled by mmkit decouple; rewrite it by hand"
        if self.base is not None:
            if self.keeps_legitimately:
                kept = ", ".join(self.keeps_legitimately)
                verb = "keeps" if len(self.keeps_legitimately) == 1 else "keep"
                return f"inherited from {self.base}; {kept} {verb} it legitimately: override it"
            apps = sorted({s.model.partition(".")[0] for s in self.shared_by})
            return (
                f"inherited from {self.base} by {len(self.shared_by)} models: decoupled at the "
                f"base, one migration per app ({', '.join(apps)})"
            )
        if self.kind == "ManyToManyField":
            return f"a link model keeping {target} ids, with a migration that copies the rows"
        return f"an id field, a migration that keeps every row; {_on_delete_work(self)}"


def _on_delete_work(crossing: Crossing) -> str:
    target = crossing.relation.target.partition(".")[2]
    action = crossing.on_delete
    if action in ("CASCADE", "SET_NULL"):
        return f"on_delete={action} becomes a handler of {target}Deleted"
    if action in ("PROTECT", "RESTRICT"):
        return f"on_delete={action} cannot cross a module boundary: choose first"
    if action == "DO_NOTHING":
        return "on_delete=DO_NOTHING needs nothing"
    return f"on_delete={action or 'unknown'}"


def crossings(project: Project) -> list[Crossing]:
    """Every E001 of the project, in the check's order, with what it is declared in."""
    index = ModelIndex(project)
    relations, _ = from_source(project, index=index)
    return _crossings(project, index, relations, findings(project, relations))


def _crossings(
    project: Project, index: ModelIndex, relations: list[Relation], reported: list[Finding]
) -> list[Crossing]:
    crossing_keys = {(f.model, f.field) for f in reported}
    shared: dict[tuple[str, str], list[Sharer]] = {}
    for relation in relations:
        if relation.inherited_from is not None and relation.kind != "through":
            shared.setdefault((relation.inherited_from, relation.field or ""), []).append(
                Sharer(relation.model, (relation.model, relation.field) in crossing_keys)
            )
    found = []
    for relation in relations:
        if relation.kind == "through" or (relation.model, relation.field) not in crossing_keys:
            continue
        found.append(_crossing(project, index, relation, shared))
    return sorted(found, key=lambda c: (str(c.relation.path), c.relation.line, c.name))


def resolve(project: Project, name: str) -> tuple[Crossing, list[Finding]]:
    """The crossing `label.Model.field` names, with the E001s and E002s `mmkit check` reports
    (before suppressions and the baseline); a refusal when it is not one of the project's."""
    label, _, field = name.rpartition(".")
    app_label, _, model_name = label.partition(".")
    if not app_label or not model_name or not field or "." in model_name:
        raise DecoupleError(f"{name!r} is not MODEL_FIELD: write it as app_label.Model.field")
    index = ModelIndex(project)
    real = index.model_label(app_label, model_name)
    if real is None:
        raise DecoupleError(f"there is no model {label} in the project's modules")
    relations, _ = from_source(project, index=index)
    reported = findings(project, relations)
    for crossing in _crossings(project, index, relations, reported):
        if crossing.relation.model == real and crossing.relation.field == field:
            if crossing.kind not in SUPPORTED:
                raise DecoupleError(
                    f"{crossing.name} is a {crossing.kind}: mmkit decouple handles ForeignKey, "
                    "OneToOneField and ManyToManyField"
                )
            return crossing, reported
    for relation in relations:
        if relation.model == real and relation.field == field:
            where = project.by_label.get(relation.target.partition(".")[0])
            whose = f"module '{where.name}'" if where else "an app that is not a module"
            raise DecoupleError(
                f"{real}.{field} relates to {relation.target} ({whose}): not a cross-module "
                "relation, nothing to decouple"
            )
    raise FieldNotFound(real, field)


class FieldNotFound(DecoupleError):
    """Statically no such relation: Django is asked whether the field exists elsewhere."""

    def __init__(self, model: str, field: str) -> None:
        super().__init__(f"{model} has no relation field {field!r} in the project's source")
        self.model = model
        self.field = field


def _crossing(
    project: Project,
    index: ModelIndex,
    relation: Relation,
    shared: dict[tuple[str, str], list[Sharer]],
) -> Crossing:
    module = project.by_label[relation.model.partition(".")[0]]
    target = project.by_label[relation.target.partition(".")[0]]
    declared_in, class_name = relation.path, relation.model.partition(".")[2]
    base = relation.inherited_from
    if base is not None:
        owner = index.model(base)
        if owner is not None:
            declared_in, class_name = owner.file.path, owner.cls.name
    return Crossing(
        relation=relation,
        module=module.name,
        target_module=target.name,
        declared_in=declared_in,
        declaring_class=class_name,
        on_delete=_on_delete(declared_in, class_name, relation.field or ""),
        base=base,
        shared_by=tuple(shared.get((base, relation.field or ""), ())) if base else (),
    )


def _on_delete(path: Path, class_name: str, field: str) -> str | None:
    """The on_delete the source writes (CASCADE, ...): the plan reads it without Django."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for statement in node.body:
                call = _assigned_call(statement, field)
                if call is not None:
                    return _on_delete_of(call)
    return None


def _assigned_call(statement: ast.stmt, field: str) -> ast.Call | None:
    if isinstance(statement, ast.Assign):
        names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        value = statement.value
    elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        names, value = [statement.target.id], statement.value
    else:
        return None
    return value if field in names and isinstance(value, ast.Call) else None


def _on_delete_of(call: ast.Call) -> str | None:
    written = next((k.value for k in call.keywords if k.arg == "on_delete"), None)
    if written is None and len(call.args) > 1:
        written = call.args[1]
    if isinstance(written, ast.Attribute):
        return written.attr
    if isinstance(written, ast.Name):
        return written.id
    if isinstance(written, ast.Call):
        return ast.unparse(written.func).rpartition(".")[2]
    return None
