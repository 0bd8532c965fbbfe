"""The text `mmkit decouple` prints: the plan, or what a decoupling changed and what is left."""

from __future__ import annotations

from collections.abc import Sequence

from mmkit.decouple.apply import Outcome
from mmkit.decouple.plan import SUPPORTED, Crossing
from mmkit.project import Project


def plan_text(project: Project, crossings: Sequence[Crossing]) -> str:
    """One line per E001: where, which field, what decoupling it would take."""
    if not crossings:
        return "no cross-module relations (mmkit.E001): nothing to decouple\n"
    lines = []
    for crossing in crossings:
        relation = crossing.relation
        where = f"{project.relpath(relation.path)}:{relation.line}"
        lines.append(
            f"{where}: {crossing.name} {relation.kind} to {relation.target}: {crossing.work()}"
        )
    ready = [c for c in crossings if c.kind in SUPPORTED and not c.keeps_legitimately]
    count = len(crossings)
    relations = "relation" if count == 1 else "relations"
    lines.append(f"{count} cross-module {relations}; decouple one field at a time, e.g.:")
    if ready:
        lines.append(f"  mmkit decouple {ready[0].name}")
    return "\n".join(lines) + "\n"


def outcome_text(outcome: Outcome) -> str:
    """The files changed (a diff of each with --dry-run), the usage sites, the notes, next."""
    project = outcome.project
    lines: list[str] = []
    for edit in outcome.edits:
        relpath = project.relpath(edit.path)
        if not outcome.written:
            lines.append(edit.diff(relpath).rstrip("\n"))
        verb = "created" if edit.before is None else "edited"
        lines.append(f"{verb} {relpath}: {edit.what}")
    rewritten = sum(1 for site in outcome.sites if site.rewritten)
    if outcome.sites:
        lines.append(
            f"{len(outcome.sites)} usage sites of {outcome.crossing.name} ({rewritten} rewritten):"
        )
        for site in outcome.sites:
            done = " (rewritten)" if site.rewritten else ""
            lines.append(f"  {site.path}:{site.line}: {site.kind}{done}: {site.code}")
            lines.append(f"      {'did' if site.rewritten else 'do'}: {site.advice}")
    else:
        lines.append(f"no code uses {outcome.crossing.name} besides the model")
    lines.extend(f"note: {note}" for note in outcome.notes)
    if outcome.written:
        fix = ", fix the sites listed" if rewritten < len(outcome.sites) else ""
        lines.append(f"next: python manage.py migrate{fix}, then mmkit check")
    else:
        lines.append("dry run: nothing was written")
    return "\n".join(lines) + "\n"
