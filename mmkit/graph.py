"""The module graph: modules as nodes, allowed dependencies and violations as edges.

Built from the same import graph and findings as `mmkit check`, so the picture and the
check cannot disagree. Mermaid is the default because GitHub renders it in Markdown; DOT is
there for Graphviz. Output is sorted, so it can be committed and diffed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from mmkit.findings import Finding
from mmkit.project import Module, Project

if TYPE_CHECKING:
    from mmkit.cache import Cache

FORMATS = ("mermaid", "dot")
VIOLATION_COLOR = "#d73a49"
IMPORT_RULES = frozenset({"mmkit.E003", "mmkit.E005"})
RELATION_RULES = frozenset({"mmkit.E001", "mmkit.E002"})
CYCLE_RULE = "mmkit.E004"
_CYCLE = re.compile(r"cycle: (?P<path>[\w.]+(?: -> [\w.]+)+)")
_MERMAID_RESERVED = frozenset(
    {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click", "linkstyle"}
)


@dataclass(frozen=True)
class Edge:
    """A dependency of one module on another; `violations` counts findings per short rule id."""

    source: str
    target: str
    violations: tuple[tuple[str, int], ...] = ()

    @property
    def label(self) -> str:
        return ", ".join(f"{rule} x{count}" for rule, count in self.violations)


@dataclass(frozen=True)
class Graph:
    """Nodes and edges, sorted: allowed dependencies first, then violations."""

    nodes: tuple[str, ...]
    allowed: tuple[Edge, ...]
    violations: tuple[Edge, ...]


def for_project(project: Project, cache: Cache | None = None) -> Graph:
    """Run the checks and read the allowed dependencies from the import graph.

    The import table the checks read is the one the graph draws: it is made once.
    """
    from mmkit import checks
    from mmkit.checks import imports
    from mmkit.checks.facts import Facts

    facts = Facts.of(project, cache, parallel=True)
    findings = checks.run(project, facts=facts)
    table = facts.import_table() if project.modules else None
    return build(project, findings, imports.allowed_dependencies(project, table=table))


def build(
    project: Project, findings: Iterable[Finding], allowed: Iterable[tuple[str, str]]
) -> Graph:
    """A pure function of the findings and the allowed (module, module) dependencies."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for finding in findings:
        for edge in _violation_edges(project, finding):
            counts.setdefault(edge, Counter())[finding.rule.removeprefix("mmkit.")] += 1
    violations = tuple(
        Edge(source, target, tuple(sorted(counter.items())))
        for (source, target), counter in sorted(counts.items())
    )
    return Graph(
        nodes=tuple(sorted(module.name for module in project.modules)),
        allowed=tuple(Edge(source, target) for source, target in sorted(set(allowed))),
        violations=violations,
    )


def _violation_edges(project: Project, finding: Finding) -> list[tuple[str, str]]:
    """The (module, module) pairs a finding is about; none for findings about one module."""
    if finding.rule == CYCLE_RULE:
        match = _CYCLE.search(finding.message)
        cycle = dict(finding.extra).get("cycle") or (match["path"] if match else "")
        names = [name.strip() for name in cycle.split("->") if name.strip()]
        return [(a, b) for a, b in pairwise(names) if a != b]
    if finding.rule in IMPORT_RULES and finding.imported:
        source, target = finding.module, project.module_of(finding.imported)
    elif finding.rule in RELATION_RULES and finding.model and finding.target:
        owner = _by_label(project, finding.model)
        source = finding.module or (owner.name if owner else None)
        target = _by_label(project, finding.target)
    else:
        return []
    if source is None or target is None or source == target.name:
        return []
    return [(source, target.name)]


def _by_label(project: Project, model: str) -> Module | None:
    return project.by_label.get(model.partition(".")[0])


def render(graph: Graph, fmt: str = "mermaid") -> str:
    """The graph as Mermaid or DOT text."""
    if fmt == "mermaid":
        return mermaid(graph)
    if fmt == "dot":
        return dot(graph)
    raise ValueError(f"unknown graph format {fmt!r}")


def mermaid(graph: Graph) -> str:
    """A `flowchart LR`: solid arrows for allowed dependencies, red dashed ones for violations."""
    ids = _mermaid_ids(graph.nodes)
    lines = ["flowchart LR"]
    lines.extend(f'    {ids[name]}["{name}"]' for name in graph.nodes)
    lines.extend(f"    {ids[e.source]} --> {ids[e.target]}" for e in graph.allowed)
    lines.extend(f"    {ids[e.source]} -.->|{e.label}| {ids[e.target]}" for e in graph.violations)
    if graph.violations:
        first = len(graph.allowed)
        indexes = ",".join(str(first + i) for i in range(len(graph.violations)))
        lines.append(
            f"    linkStyle {indexes} stroke:{VIOLATION_COLOR},stroke-width:2px,"
            f"color:{VIOLATION_COLOR}"
        )
    return "\n".join(lines) + "\n"


def _mermaid_ids(nodes: tuple[str, ...]) -> dict[str, str]:
    """Node ids Mermaid accepts: word characters only, never a keyword, unique."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in nodes:
        base = re.sub(r"\W", "_", name)
        if base.lower() in _MERMAID_RESERVED:
            base += "_"
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}_{number}", number + 1
        ids[name] = candidate
        taken.add(candidate)
    return ids


def dot(graph: Graph) -> str:
    """A Graphviz digraph with the same edges; violations are red, dashed and labelled."""
    lines = ["digraph mmkit {", "    rankdir=LR;", "    node [shape=box];"]
    lines.extend(f"    {_quote(name)};" for name in graph.nodes)
    lines.extend(f"    {_quote(e.source)} -> {_quote(e.target)};" for e in graph.allowed)
    lines.extend(
        f"    {_quote(e.source)} -> {_quote(e.target)} [style=dashed, "
        f'color="{VIOLATION_COLOR}", fontcolor="{VIOLATION_COLOR}", label={_quote(e.label)}];'
        for e in graph.violations
    )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
