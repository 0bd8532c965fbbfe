"""`mmkit new-module`: plan the files of a module, validate them, write them atomically.

The steps are separate so each can be tested alone: `make_plan` validates and renders in
memory (nothing written), `describe` says what a plan does, `apply` writes it all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.fields import KNOWN_TYPES
from mmkit.scaffold.plan import Plan, Request, describe, make_plan
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
    """Plan the module and, unless `dry_run`, write it; returns the report to print."""
    plan = make_plan(request, start)
    if not dry_run:
        apply(plan)
    return describe(plan, dry_run)
