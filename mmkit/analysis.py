"""The analysis as a command runs it: the cache's answer, or discovery and checks.run.

Shared by the click commands (mmkit.cli) and the console script's quick path (mmkit.launcher),
so it imports neither click nor, until a run needs them, grimp and the checks.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mmkit.config import Config, ConfigError
from mmkit.project import discover, require_modules

if TYPE_CHECKING:
    from mmkit.cache import Cache, Result


@contextmanager
def without_gc_pauses() -> Iterator[None]:
    """Hold off the cyclic garbage collector while the analysis allocates.

    Parsing and graph building make millions of objects but next to no reference cycles, and
    every full collection walks all of them: half a second on a large code base. A command
    is a short process, so the few cycles wait for the end of the analysis.
    """
    gc.freeze()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


def analyse(config: Config, cache: Cache | None, allow_empty: bool = False) -> Result:
    """Every finding before the baseline: stored ones when nothing changed, else a fresh run.

    A run answered from the cache discovers nothing and imports neither grimp nor the checks.
    With `allow_empty`, a project without modules is mmkit.W005 (`check`), else an error.
    A command's run may spread the per-file work over worker processes (MMKIT_JOBS).
    """
    from mmkit.cache import Result

    if cache is not None:
        stored = cache.lookup()
        if stored is not None:
            return stored
    from mmkit import checks
    from mmkit.checks import workers
    from mmkit.checks.facts import Facts

    try:
        workers.jobs_setting()
    except ValueError as error:
        raise ConfigError(str(error)) from None
    project = discover(config, cache.tree() if cache is not None else None)
    if not allow_empty:
        require_modules(project)
    findings = checks.run(project, facts=Facts.of(project, cache, parallel=True))
    if cache is not None:
        cache.save(project, findings)
    return Result(tuple(findings), len(project.modules), len(project.files))
