"""The per-file facts issue 16 added (names imported from public files, attribute reads on
import aliases, `__all__` lines, what unannotated functions return, package relation fields)
are cached like the rest: a run with the cache finds exactly what a run without finds, also
when the whole-result shortcut is missed and only the per-file facts are reused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mmkit import cache as cache_module
from mmkit.checks import run
from mmkit.checks.facts import Facts
from mmkit.project import load_project

FIXTURES = ("exp_all", "rel_packages", "rel_tree_fields", "iface_returns", "rel_get_model")


@pytest.mark.parametrize("name", FIXTURES)
def test_cached_facts_find_what_a_cold_run_finds(name: str, copy_fixture) -> None:
    project_dir: Path = copy_fixture(name)
    old = 1_000_000_000
    for path in project_dir.rglob("*"):
        os.utime(path, ns=(old, old))  # settled files: the cache keeps their facts
    cold = run(load_project(project_dir))

    project = load_project(project_dir)
    first = cache_module.Cache.open(project.config)
    assert run(project, facts=Facts.of(project, first)) == cold
    first.save(project, cold)

    # A new file misses the result shortcut; every other file's facts come from the cache.
    extra = sorted(project_dir.rglob("facade.py"))[0]
    (extra.parent / "extra.py").write_text("VALUE = 1\n")
    project = load_project(project_dir)
    second = cache_module.Cache.open(project.config)
    assert second.lookup() is None
    assert run(project, facts=Facts.of(project, second)) == run(load_project(project_dir)) == cold
