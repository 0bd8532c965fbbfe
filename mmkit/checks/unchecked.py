"""W004 for what the check cannot see: never a silent "no findings".

Files and folders under root that cannot be read or listed, and modules that `exclude` hides
whole (a module named `migrations` under the default exclude).
"""

from __future__ import annotations

from collections.abc import Iterator

from mmkit.findings import RULES, Finding
from mmkit.project import Project, Unreadable


def findings(project: Project) -> Iterator[Finding]:
    """One W004 per unreadable file (a FIFO, a dangling symlink, a name that is not UTF-8),
    per folder that cannot be listed and per module hidden by `exclude`."""
    yield from excluded_modules(project)
    for problem in project.unreadable:
        if problem.file:
            message = (
                f"could not read {problem.relpath}: {problem.reason}; "
                "the rest of the project was checked"
            )
        else:
            message = (
                f"could not list {problem.relpath}/ ({problem.reason}); its files were not checked"
            )
        yield Finding(
            rule="mmkit.W004",
            path=problem.relpath,
            line=1,
            column=1,
            message=message,
            hint=RULES["mmkit.W004"].fix,
            module=_module_name(project, problem),
        )


def excluded_modules(project: Project) -> Iterator[Finding]:
    """A W004 for each module none of whose files is checked because `exclude` leaves it out."""
    checked = {file.module.name for file in project.files if file.module is not None}
    for module in project.modules:
        if module.name in checked:
            continue
        init = project.relpath(module.path / "__init__.py")
        if not project.is_excluded(init):
            continue
        patterns = ", ".join(f'"{p}"' for p in project.config.exclude)
        yield Finding(
            rule="mmkit.W004",
            path=init,
            line=1,
            column=1,
            message=f"module '{module.name}' is left out by exclude = [{patterns}]: "
            "none of its files is checked",
            hint=RULES["mmkit.W004"].fix,
            module=module.name,
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
    return frozenset(str(p.path) for p in project.unreadable if p.file)
