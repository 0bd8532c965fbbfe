"""W004 for what discovery found under root and could not read: never a silent "no findings"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mmkit.findings import RULES, Finding
from mmkit.project import Project, Unreadable


def findings(project: Project) -> Iterator[Finding]:
    """One W004 per unreadable file (a FIFO, a dangling symlink, a name that is not UTF-8)
    and per folder that cannot be listed."""
    for problem in project.unreadable:
        if problem.file:
            message = (
                f"could not read {problem.relpath}: {problem.reason}; "
                "the rest of the project was checked"
            )
        else:
            message = f"{problem.reason}; its files were not checked"
        yield Finding(
            rule="mmkit.W004",
            path=problem.relpath,
            line=1,
            column=1,
            message=message,
            hint=RULES["mmkit.W004"].fix,
            module=_module_name(project, problem),
        )


def _module_name(project: Project, problem: Unreadable) -> str | None:
    try:
        parts = problem.path.relative_to(project.root).parts
    except ValueError:
        return None
    folder = parts[:-1] if problem.file else parts
    module = project.module_of(".".join(folder)) if folder else None
    return module.name if module is not None else None


def hidden_paths(project: Project) -> frozenset[str]:
    """The files grimp must not open: reading a FIFO blocks, an undecodable name panics."""
    return frozenset(str(Path(p.path)) for p in project.unreadable if p.file)
