"""The one library of checks both doors call: a Project in, a sorted list of Findings out."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from mmkit.checks.relations import Relation
from mmkit.findings import RULES, Finding
from mmkit.project import Project, no_modules_message

if TYPE_CHECKING:
    from mmkit.checks.facts import Facts

__all__ = [
    "EVENT_RULES",
    "IMPORT_RULES",
    "INTERFACE_RULES",
    "NO_MODULES",
    "RELATION_RULES",
    "Relation",
    "no_modules",
    "run",
]

RELATION_RULES = frozenset({"mmkit.E001", "mmkit.E002"})
IMPORT_RULES = frozenset({"mmkit.E003", "mmkit.E004", "mmkit.E005"})
INTERFACE_RULES = frozenset({"mmkit.W001", "mmkit.W002"})
EVENT_RULES = frozenset({"mmkit.E006"})
NOT_ANALYSED = "mmkit.W004"
NO_MODULES = "mmkit.W005"


def no_modules(project: Project) -> Finding:
    """mmkit.W005 at pyproject.toml: the same warning in both doors for a project with no
    module, so a check of nothing never passes and a new project still runs."""
    return Finding(
        rule=NO_MODULES,
        path=project.relpath(project.config.path),
        line=1,
        column=1,
        message=no_modules_message(project.config),
        hint=RULES[NO_MODULES].fix,
    )


def run(
    project: Project,
    relations: Iterable[Relation] | None = None,
    facts: Facts | None = None,
    rules: Collection[str] | None = None,
) -> list[Finding]:
    """Run every rule over the project; `relations` comes from Django's registry in that door.

    Without `relations`, model relations are read from the source with `ast`. Inline
    `# mmkit: ignore[...]` comments are applied here, so both doors honour them. Every rule
    reads the files through one facts provider (mmkit.checks.facts), which reads each module
    file once; a door passes one built on the cache's store, else a fresh one is made. `rules`
    limits the run to some rule ids: a part of the analysis none of them needs is skipped.
    """
    if not project.modules:
        return [no_modules(project)]
    from mmkit import suppressions
    from mmkit.checks import events, imports, interfaces, unchecked
    from mmkit.checks import relations as relations_check
    from mmkit.checks.facts import Facts
    from mmkit.checks.model_index import ScanReader

    facts = facts if facts is not None else Facts(project)

    def source_relations(read: ScanReader) -> list[Finding]:
        found, notes = relations_check.from_source(project, read)
        return notes + relations_check.findings(project, found)

    def wanted(*ids: str) -> bool:
        return rules is None or any(rule_id in rules for rule_id in ids)

    scans = relations is None or wanted(*INTERFACE_RULES, *EVENT_RULES)
    facts.begin(scans)
    table = facts.import_table() if wanted(*IMPORT_RULES) else None
    pairs = imports.cross_module_pairs(project, table) if table is not None else []
    publics = imports.public_imports(pairs)
    facts.prepare(publics, scans)
    findings: list[Finding] = []
    if wanted(NOT_ANALYSED):
        findings.extend(unchecked.findings(project))
    if wanted(*RELATION_RULES, NOT_ANALYSED):
        if relations is None:
            findings.extend(facts.memo("relations", source_relations))
        else:
            findings.extend(relations_check.findings(project, relations))
    if wanted(*IMPORT_RULES):
        findings.extend(
            imports.findings(
                project,
                table=table,
                pairs=pairs,
                publics=publics,
                statement=facts.statement,
                reader=facts.scan,
                taken=facts.taken,
            )
        )
    if wanted(*INTERFACE_RULES):
        findings.extend(facts.memo("interfaces", lambda read: interfaces.findings(project, read)))
    if wanted(*EVENT_RULES):
        # Not memoized as a whole: it reads events.py itself, which the scan log cannot see.
        findings.extend(events.findings(project, facts.scan))
    if rules is not None:
        findings = [finding for finding in findings if finding.rule in rules]
    found = suppressions.apply(
        project, sorted(set(findings), key=lambda f: f.sort_key), facts.comments, rules
    )
    facts.flush()
    return found
