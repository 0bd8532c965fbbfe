"""Findings and the rule catalogue: the data every door and formatter shares.

One catalogue gives each rule a stable id, so CLI output, JSON, SARIF, Django checks,
suppressions, the baseline and `mmkit explain` can never disagree about what a rule is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; both fail `mmkit check`, they differ in Django and SARIF."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue, with the documentation `mmkit explain` and SARIF show."""

    id: str
    name: str
    title: str
    severity: Severity
    why: str
    bad: str
    good: str
    fix: str

    @property
    def short_id(self) -> str:
        """The id without the `mmkit.` prefix, as written in suppressions (`E003`)."""
        return self.id.removeprefix("mmkit.")


@dataclass(frozen=True)
class Finding:
    """One violation of one rule at one place; paths are POSIX and relative to the project."""

    rule: str
    path: str
    line: int
    column: int
    message: str
    hint: str
    module: str | None = None
    imported: str | None = None
    model: str | None = None
    field: str | None = None
    target: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)


def rule(rule_id: str) -> Rule:
    """Look a rule up by `mmkit.E003`, `E003` or `e003`; KeyError when there is none."""
    normalized = rule_id.strip().upper().removeprefix("MMKIT.")
    return RULES[f"mmkit.{normalized}"]


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


RULES: dict[str, Rule] = _rules(
    Rule(
        id="mmkit.E001",
        name="cross-module-relation",
        title="A model field relates to another module's model",
        severity=Severity.ERROR,
        why="",
        bad="",
        good="",
        fix="Keep the other module's id (an indexed integer or UUID field) instead of a relation, "
        "and ask that module's facade for its data.",
    ),
    Rule(
        id="mmkit.E002",
        name="cross-module-inheritance",
        title="A model inherits from another module's concrete model",
        severity=Severity.ERROR,
        why="",
        bad="",
        good="",
        fix="Give the model its own table and keep the other module's id; share behaviour "
        "through an abstract base model in a shared module.",
    ),
    Rule(
        id="mmkit.E003",
        name="private-import",
        title="Code imports another module's private code",
        severity=Severity.ERROR,
        why="",
        bad="",
        good="",
        fix="Import the module's public interface (its facade) instead, and add the function "
        "you need there if it is missing.",
    ),
    Rule(
        id="mmkit.E004",
        name="dependency-cycle",
        title="Modules depend on each other in a cycle",
        severity=Severity.ERROR,
        why="",
        bad="",
        good="",
        fix="Break the cycle: move the shared piece into one of the modules or a shared module, "
        "or invert one dependency with a callback or a signal.",
    ),
    Rule(
        id="mmkit.E005",
        name="undeclared-dependency",
        title="A module imports a module its depends_on does not list",
        severity=Severity.ERROR,
        why="",
        bad="",
        good="",
        fix="Add the module to depends_on in [tool.mmkit.modules.<name>] if the dependency is "
        "intended, or remove the import.",
    ),
    Rule(
        id="mmkit.W001",
        name="no-public-interface",
        title="A module has no public interface",
        severity=Severity.WARNING,
        why="",
        bad="",
        good="",
        fix="Add a facade.py with the functions other modules may call, or set public = [] for "
        "the module if nothing of it is meant to be used from outside (a gateway).",
    ),
    Rule(
        id="mmkit.W002",
        name="model-in-public-interface",
        title="A public interface hands out models",
        severity=Severity.WARNING,
        why="",
        bad="",
        good="",
        fix="Return frozen dataclasses (DTOs) from the facade and convert models to them inside "
        "the module.",
    ),
    Rule(
        id="mmkit.W003",
        name="unused-suppression",
        title="A suppression comment suppresses nothing",
        severity=Severity.WARNING,
        why="",
        bad="",
        good="",
        fix="Remove the comment, or correct the rule id in it.",
    ),
    Rule(
        id="mmkit.W004",
        name="not-analysed",
        title="mmkit could not analyse part of the code",
        severity=Severity.WARNING,
        why="",
        bad="",
        good="",
        fix="Run mmkit on a Python that understands the file's syntax, fix the syntax error, or "
        "write the relation target so it can be read statically (a class or 'label.Model').",
    ),
    Rule(
        id="mmkit.E100",
        name="configuration-error",
        title="The mmkit configuration cannot be read",
        severity=Severity.ERROR,
        why="",
        bad="",
        good="",
        fix="Correct [tool.mmkit] in pyproject.toml, or point settings.MMKIT_CONFIG at it.",
    ),
)
