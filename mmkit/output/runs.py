"""Formatters for `mmkit test`: the steps of one isolated run, or the table of `--all`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from mmkit.testing.spec import FAILED, NO_TESTS, OK, STEPS, RunResult, RunSpec, Step

SCHEMA_VERSION = 1
COLUMNS = ("module", "mode", "boots", "checks", "migrates", "tests", "time")


def plan_line(spec: RunSpec) -> str:
    """What a run loads and leaves out, printed before its output."""
    left_out = ", ".join(info.name for info in spec.left_out) or "nothing"
    return (
        f"mmkit test {spec.module} --with {spec.mode}: loads {', '.join(spec.loaded)}; "
        f"leaves out {left_out}"
    )


def steps(result: RunResult, verdict: bool = True) -> str:
    """One line per step, its detail indented below when it did not pass, and a verdict."""
    lines = []
    for step in result.steps:
        lines.append(f"{step.name:<8} {_cell(step)}")
        if step.detail and step.status != OK:
            lines.extend(f"    {line}" for line in step.detail.splitlines())
    if verdict:
        lines.append(_verdict([result]))
    return "\n".join(lines) + "\n"


def table(results: Sequence[RunResult]) -> str:
    """`--all`: a row per module with every step's outcome and the time, then a verdict."""
    rows = [COLUMNS]
    for result in results:
        cells = [_cell(result.step(name)) for name in STEPS]
        rows.append((result.module, result.mode, *cells, f"{result.seconds:.1f} s"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.append(_verdict(results))
    return "\n".join(lines) + "\n"


def as_json(results: Sequence[RunResult]) -> str:
    """`{"schema_version": 1, "runs": [...], "passed": bool}` for CI."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "runs": [result.to_data() for result in results],
        "passed": all(result.ok for result in results),
    }
    return json.dumps(document, indent=2) + "\n"


def _cell(step: Step) -> str:
    if step.name == "tests" and step.status in (OK, FAILED) and (step.passed or step.failed):
        counts = [f"{step.passed} passed"]
        counts += [f"{step.failed} failed"] if step.failed else []
        counts += [f"{step.skipped} skipped"] if step.skipped else []
        return ", ".join(counts)
    return step.status if step.status != NO_TESTS else "no tests"


def _verdict(results: Sequence[RunResult]) -> str:
    failed = [result.module for result in results if not result.ok]
    if not failed:
        modules = "module stands" if len(results) == 1 else "modules stand"
        return f"{len(results)} {modules} alone"
    return f"{len(failed)} of {len(results)} failed: {', '.join(failed)}"
