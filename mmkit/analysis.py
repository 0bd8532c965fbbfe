"""The analysis as a command runs it: the cache's answer, or discovery and checks.run; and
the report of `mmkit check`.

Shared by the click commands (mmkit.cli) and the console script's quick path (mmkit.launcher),
so it imports neither click nor, until a run needs them, grimp and the checks.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mmkit.config import Config, load
from mmkit.project import discover, require_modules

if TYPE_CHECKING:
    from mmkit.cache import Cache, Result
    from mmkit.output import Report


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
    from mmkit.checks.facts import Facts

    project = discover(config, cache.tree() if cache is not None else None)
    if not allow_empty:
        require_modules(project)
    findings = checks.run(project, facts=Facts.of(project, cache, parallel=True))
    if cache is not None:
        cache.save(project, findings)
    return Result(tuple(findings), len(project.modules), len(project.files))


def open_cache(config: Config, no_cache: bool, cache_dir: Path | None = None) -> Cache | None:
    """The project's cache, or None with `--no-cache`; mmkit.cache imports nothing heavy."""
    if no_cache:
        return None
    from mmkit.cache import Cache

    return Cache.open(config, cache_dir.resolve() if cache_dir is not None else None)


def check_report(
    path: str,
    use_baseline: bool = True,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    path_prefix: str | None = "",
) -> Report:
    """Load the project at or above PATH, run every check and count what was checked.

    With `use_baseline`, findings recorded in mmkit-baseline.json are left out and its
    entries that no longer occur are reported as stale. `path_prefix` None asks git where
    the project sits in its repository.
    """
    started = time.perf_counter()
    configuration = load(path)
    result = analyse(configuration, open_cache(configuration, no_cache, cache_dir), True)
    return summarize(configuration, result, use_baseline, started, path_prefix)


def summarize(
    configuration: Config,
    result: Result,
    use_baseline: bool,
    started: float,
    path_prefix: str | None,
) -> Report:
    """The report of a check: the baseline applied, the discovery note, the seconds since
    `started`, and the path prefix as given or, for None, where git says the project sits.

    The baseline is read on every run, also when the findings come from the cache.
    """
    from mmkit import baseline, vcs
    from mmkit.output import Report
    from mmkit.project import Project, discovery_note

    note = discovery_note(configuration)
    outcome = (
        baseline.filter_for_project(Project(configuration, ()), result.findings)
        if use_baseline
        else baseline.Outcome(open=result.findings)
    )
    return Report(
        findings=outcome.open,
        modules=result.modules,
        files=result.files,
        seconds=time.perf_counter() - started,
        baselined=outcome.baselined,
        stale=outcome.stale,
        notes=(note,) if note else (),
        path_prefix=vcs.path_prefix(configuration.base_dir)
        if path_prefix is None
        else vcs.normalize_prefix(path_prefix),
    )
