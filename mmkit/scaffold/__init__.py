"""`mmkit new-module`: plan the files of a module, validate them, write them atomically.

The steps are separate so each can be tested alone: `make_plan` validates and renders in
memory (nothing written), `describe` says what a plan does, `apply` writes it all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from mmkit.config import Config, ConfigError, load
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.fields import KNOWN_TYPES
from mmkit.scaffold.journal import read_journal, sweep, undo
from mmkit.scaffold.lock import project_lock
from mmkit.scaffold.plan import Plan, Request, describe, make_plan
from mmkit.scaffold.register import settings_path
from mmkit.scaffold.write import apply

__all__ = [
    "KNOWN_TYPES",
    "Plan",
    "Request",
    "ScaffoldError",
    "apply",
    "create_module",
    "describe",
    "make_plan",
]


def create_module(request: Request, start: Path | str = ".", dry_run: bool = False) -> str:
    """Plan the module and, unless `dry_run`, write it; returns the report to print.

    The writing run holds the project lock from reading the files it edits to the last write,
    and first undoes what a killed run left (see mmkit.scaffold.journal).
    """
    if dry_run:
        return describe(make_plan(request, start), dry_run)
    try:
        config = load(start)
    except ConfigError as error:
        raise ScaffoldError(str(error)) from None
    with project_lock(config.base_dir):
        notes = recover(config)
        plan = make_plan(request, start)
        apply(plan)
    return "\n".join([*notes, describe(plan, dry_run)])


def recover(config: Config) -> list[str]:
    """Undo an interrupted run's half-done work and sweep its leftovers; what it did, to print."""
    notes: list[str] = []
    journal = read_journal(config.base_dir)
    if journal is not None:
        left = undo(config.base_dir, journal)
        notes.append(f"undid an interrupted `mmkit new-module {journal.name}`")
        notes.extend(f"note: {line}" for line in left)
    settings = settings_path(config)
    sweep(config.root, [config.path, *([settings] if settings is not None else [])])
    return notes
