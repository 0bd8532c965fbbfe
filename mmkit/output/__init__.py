"""Formatters: a Report (data) in, text for a terminal, a file or a CI system out."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from mmkit.findings import Finding

FORMATS = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class Report:
    """What one `mmkit check` run found: open findings, stale baseline entries and counts."""

    findings: tuple[Finding, ...]
    modules: int
    files: int
    seconds: float
    baselined: int = 0
    stale: tuple[str, ...] = ()
    path_prefix: str = ""
    """Put before each path by the formats CI systems read (sarif, github): where
    pyproject.toml's directory sits in the repository ("backend/")."""

    @property
    def failed(self) -> bool:
        return bool(self.findings or self.stale)


def render(fmt: str, report: Report) -> str:
    """Render the report in one of FORMATS; each lives in mmkit/output/<format>.py as render()."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = import_module(f"mmkit.output.{fmt}")
    return module.render(report)
