"""Which modules a `mmkit test` run loads with MODULE, from the project and the mode.

The door's half of an isolated run: the analysis decides the modules (declared depends_on,
or the imports when a module declares none); the runtime gets them as a RunSpec of plain data.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from mmkit.config import ConfigError, did_you_mean
from mmkit.project import Module, Project
from mmkit.testing.spec import ModuleInfo, RunSpec

Dependencies = Mapping[str, tuple[str, ...]]


def find_module(project: Project, name: str) -> Module:
    """The module called NAME (or labelled NAME), or a ConfigError with a "did you mean"."""
    names = [module.name for module in project.modules]
    if name in names:
        return project.module(name)
    if name in project.by_label:
        return project.by_label[name]
    raise ConfigError(f"unknown module '{name}'{did_you_mean(name, names)}")


def settings_module(project: Project) -> str:
    """The project's settings: [tool.mmkit] settings, else $DJANGO_SETTINGS_MODULE."""
    found = project.config.settings or os.environ.get("DJANGO_SETTINGS_MODULE")
    if not found:
        raise ConfigError(
            f"{project.config.path}: mmkit test needs the project's Django settings: add "
            'settings = "config.settings" (your settings module) to [tool.mmkit]'
        )
    return found


def dependencies(project: Project, imported: Callable[[], set[tuple[str, str]]]) -> Dependencies:
    """Each module's dependencies: its depends_on, or the modules it imports when it has none.

    `imported` computes the import graph's (module, module) pairs; it is called only when a
    module declares no depends_on.
    """
    pairs: set[tuple[str, str]] | None = None
    found: dict[str, tuple[str, ...]] = {}
    for module in project.modules:
        if module.depends_on is not None:
            found[module.name] = module.depends_on
            continue
        if pairs is None:
            pairs = imported()
        found[module.name] = tuple(
            sorted(target for source, target in pairs if source == module.name)
        )
    return found


def loaded(project: Project, module: Module, mode: str, deps: Dependencies) -> tuple[str, ...]:
    """MODULE, its dependencies by the mode (none, direct, all: transitive), shared modules."""
    chosen = {module.name}
    if mode == "direct":
        chosen.update(deps[module.name])
    elif mode == "all":
        pending = [module.name]
        while pending:
            for other in deps[pending.pop()]:
                if other not in chosen:
                    chosen.add(other)
                    pending.append(other)
    chosen.update(other.name for other in project.modules if other.shared)
    return tuple(sorted(chosen))


def plan(
    project: Project,
    module: Module,
    mode: str,
    deps: Dependencies,
    settings: str,
    pytest_args: tuple[str, ...] = (),
) -> RunSpec:
    """The RunSpec of one isolated run of MODULE."""
    names = loaded(project, module, mode, deps)
    return RunSpec(
        module=module.name,
        mode=mode,
        loaded=names,
        left_out=tuple(
            ModuleInfo(other.name, other.label, str(other.path), other.public)
            for other in project.modules
            if other.name not in names
        ),
        settings=settings,
        root=str(project.root),
        base_dir=str(project.base_dir),
        tests=str(module.path),
        pytest_args=pytest_args,
        all_modules=tuple(other.name for other in project.modules),
        depends_on=tuple(deps[module.name]),
    )
