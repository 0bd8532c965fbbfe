"""The one library of checks both doors call: a Project in, a sorted list of Findings out."""

from __future__ import annotations

from collections.abc import Iterable

from mmkit.checks.relations import Relation
from mmkit.findings import Finding
from mmkit.project import Project

__all__ = ["Relation", "run"]


def run(project: Project, relations: Iterable[Relation] | None = None) -> list[Finding]:
    """Run every rule over the project; `relations` comes from Django's registry in that door.

    Without `relations`, model relations are read from the source with `ast`. Inline
    `# mmkit: ignore[...]` comments are applied here, so both doors honour them.
    """
    from mmkit import suppressions
    from mmkit.checks import imports, interfaces
    from mmkit.checks import relations as relations_check

    findings: list[Finding] = []
    if relations is None:
        relations, notes = relations_check.from_source(project)
        findings.extend(notes)
    findings.extend(relations_check.findings(project, relations))
    findings.extend(imports.findings(project))
    findings.extend(interfaces.findings(project))
    return suppressions.apply(project, sorted(set(findings), key=lambda f: f.sort_key))
