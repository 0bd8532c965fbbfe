"""Measure mmkit against grimp's bare graph build, import-linter and tach on generated projects.

    python benchmarks/run.py [--sizes 50x10,200x25,500x40] [--layouts rooted,flat] [--rounds 5]
                             [--no-real]

For each size and layout the tree comes from benchmarks/generate.py, and a real public Django
code base (wagtail's wheel, benchmarks/real.py) is measured beside them; the tools then take turns,
round after round (the order rotates), each run in a fresh process whose wall time and peak
resident memory (os.wait4's rusage of exactly that process) are recorded:

- floor: Python's start, reading every checked file and grimp's import scan of them
  (benchmarks/floor.py): what no cold check can go below;
- grimp: `grimp.build_graph` of the top-level packages, no cache; and grimp with its own cache
  (`cache_dir`), nothing changed;
- mmkit cold (`--no-cache` when mmkit has it, and always with `.mmkit_cache/` deleted first),
  mmkit warm with nothing changed (after an untimed run that fills the cache), and mmkit warm
  after one service file changed;
- lint-imports `--no-cache` with one `protected` contract per module (E003 only);
- tach check with each module's interface = its facade and depends_on as `tach sync` writes it.

mmkit's modules are compiled to bytecode first, as pip does when it installs a package, so
no run pays for compiling them (an editable install with PYTHONDONTWRITEBYTECODE set would).

Then each tool's findings are compared with the generator's expected.json, mmkit's findings
with and without its cache are compared with each other, and the tables of
medians, ratios to grimp, peak memory, findings and goal verdicts are printed and written into
docs/performance.md between its result markers (a re-run replaces them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # a sibling script, not an installed package
import real  # a sibling script too

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"
DEFAULT_SIZES = "50x10,200x25,500x40"
TOOLS = (
    "floor",
    "grimp",
    "grimp-cached",
    "mmkit-cold",
    "mmkit-warm",
    "mmkit-changed",
    "lint-imports",
    "tach",
)
TITLES = {
    "floor": "floor",
    "grimp": "grimp build",
    "grimp-cached": "grimp, its cache warm",
    "mmkit-cold": "mmkit cold",
    "mmkit-warm": "mmkit warm",
    "mmkit-changed": "mmkit 1 changed",
    "lint-imports": "lint-imports",
    "tach": "tach check",
}
GRIMP_FLOOR = (
    "import sys, grimp; sys.path.insert(0, '.'); "
    "graph = grimp.build_graph(*sys.argv[1:], cache_dir=None); print(len(graph.modules))"
)
GRIMP_CACHED = (
    "import sys, grimp; sys.path.insert(0, '.'); "
    "graph = grimp.build_graph(*sys.argv[1:], cache_dir='.grimp_cache'); print(len(graph.modules))"
)
SITE_RULES = ("mmkit.E001", "mmkit.E002", "mmkit.E003", "mmkit.E005", "mmkit.W002")
TEXT_FINDING = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<rule>mmkit\.\w+) "
)
LINT_IMPORT = re.compile(r"^- (?P<importer>\S+) -> (?P<imported>\S+) \(l\.(?P<lines>[\d, ]+)\)")


@dataclass(frozen=True)
class Sample:
    """One run of one tool: wall time, peak resident memory, CPU time and what it printed."""

    seconds: float
    peak_kb: int
    returncode: int
    output: str
    cpu: float = 0.0

    @property
    def failed(self) -> bool:
        """Exit 0 (clean) and 1 (violations found) are both a completed check."""
        return self.returncode not in (0, 1)


@dataclass(frozen=True)
class Tools:
    """The commands to run, and what the installed mmkit's `check` supports."""

    python: str
    mmkit: str | None
    lint_imports: str | None
    tach: str | None
    mmkit_options: frozenset[str]
    versions: dict[str, str]


FLOOR = str(Path(__file__).resolve().parent / "floor.py")
CHECKED_LIST = ".bench-checked.txt"
COLD_GOAL_SIZES = ("200x25", "500x40", "wagtail")
"""Where the issue asks cold to be no slower than tach (and the real code base)."""
WARM_GOAL_SIZES = ("200x25",)


@dataclass
class Case:
    """One tree (generated, or the real code base) and everything measured on it."""

    name: str
    layout: str
    directory: Path
    expected: dict
    generation_seconds: float
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    verdicts: dict[str, str] = field(default_factory=dict)

    @property
    def generated(self) -> bool:
        return "real" not in self.expected


def measure(argv: list[str], cwd: Path) -> Sample:
    """Run one command in a fresh process; its rusage comes from wait4, so it is that run's."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, usage.ru_maxrss, process.returncode, text, cpu)


def find_tools() -> Tools:
    """The tools beside this Python (the project's .venv), else on PATH."""
    bin_dir = Path(sys.executable).parent

    def locate(name: str) -> str | None:
        candidate = bin_dir / name
        return str(candidate) if candidate.exists() else shutil.which(name)

    mmkit = locate("mmkit")
    options: frozenset[str] = frozenset()
    if mmkit:
        helptext = subprocess.run(
            [mmkit, "check", "--help"], capture_output=True, text=True, check=False
        ).stdout
        options = frozenset(re.findall(r"--[a-z][a-z-]+", helptext))
    versions = {}
    for distribution in ("mmkit", "grimp", "import-linter", "tach"):
        try:
            versions[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[distribution] = "not installed"
    return Tools(
        python=sys.executable,
        mmkit=mmkit,
        lint_imports=locate("lint-imports"),
        tach=locate("tach"),
        mmkit_options=options,
        versions=versions,
    )


def compile_bytecode(tools: Tools) -> None:
    """Compile mmkit's modules once, as an installed package has them (see the docstring)."""
    subprocess.run(
        [tools.python, "-m", "compileall", "-q", str(REPO / "mmkit")], check=False, cwd=REPO
    )


def commands(tools: Tools, case: Case) -> dict[str, list[str] | None]:
    mmkit = [tools.mmkit, "check", "."] if tools.mmkit else None
    cold = None
    if mmkit is not None:
        cold = [*mmkit, "--no-cache"] if "--no-cache" in tools.mmkit_options else mmkit
    packages = case.expected["top_level_packages"]
    return {
        "floor": [tools.python, FLOOR, CHECKED_LIST, *packages],
        "grimp": [tools.python, "-c", GRIMP_FLOOR, *packages],
        "grimp-cached": [tools.python, "-c", GRIMP_CACHED, *packages],
        "mmkit-cold": cold,
        "mmkit-warm": mmkit,
        "mmkit-changed": mmkit,
        "lint-imports": [tools.lint_imports, "--no-cache"]
        if tools.lint_imports and case.generated
        else None,
        "tach": [tools.tach, "check", "--output", "json"] if tools.tach else None,
    }


def run_rounds(
    tools: Tools, case: Case, rounds: int, wanted: tuple[str, ...], log: Callable
) -> None:
    """Alternate the tools for `rounds` rounds, rotating their order each round."""
    argv = commands(tools, case)
    changed = case.directory / case.expected["change_file"]
    original = changed.read_text()
    edited = False

    def timed(tool: str) -> None:
        command = argv[tool]
        if command is None or tool not in wanted:
            return
        sample = measure(command, case.directory)
        case.samples.setdefault(tool, []).append(sample)
        log(
            f"    {tool:14} {sample.seconds:7.3f} s {sample.peak_kb / 1024:7.1f} MB"
            f"  exit {sample.returncode}"
        )

    def cold() -> None:
        shutil.rmtree(case.directory / ".mmkit_cache", ignore_errors=True)
        timed("mmkit-cold")

    def warm_block() -> None:
        nonlocal edited
        if argv["mmkit-warm"] is None or not {"mmkit-warm", "mmkit-changed"} & set(wanted):
            return
        measure(argv["mmkit-warm"], case.directory)
        timed("mmkit-warm")
        edited = not edited
        extra = "\n\ndef edited_by_the_benchmark() -> int:\n    return 1\n"
        changed.write_text(original + extra if edited else original)
        timed("mmkit-changed")

    def grimp_cached() -> None:
        if argv["grimp-cached"] is None or "grimp-cached" not in wanted:
            return
        measure(argv["grimp-cached"], case.directory)
        timed("grimp-cached")

    blocks = [
        lambda: timed("floor"),
        lambda: timed("grimp"),
        grimp_cached,
        cold,
        lambda: timed("lint-imports"),
        lambda: timed("tach"),
    ]
    blocks.append(warm_block)
    for number in range(rounds):
        log(f"  round {number + 1}/{rounds}")
        shift = number % len(blocks)
        for block in blocks[shift:] + blocks[:shift]:
            block()
    changed.write_text(original)


def check_findings(tools: Tools, case: Case) -> None:
    """Compare each tool's findings with expected.json; one verdict line per tool."""
    expected = case.expected
    if tools.mmkit:
        case.verdicts["cache"] = _check_cache(tools, case)
        case.verdicts["mmkit"] = (
            _check_mmkit(tools, case) if case.generated else _count_mmkit(tools, case)
        )
    if not case.generated:
        if "tach" in case.samples:
            case.verdicts["tach"] = _count_tach(case.samples["tach"][-1])
        return
    if "lint-imports" in case.samples:
        case.verdicts["lint-imports"] = _check_import_linter(
            case.samples["lint-imports"][-1], expected
        )
    if "tach" in case.samples:
        case.verdicts["tach"] = _check_tach(case.samples["tach"][-1], expected)


def _check_cache(tools: Tools, case: Case) -> str:
    """Whether a run without the cache, one that fills it and one answered from it (after
    the timed rounds, so after the edits too) find the very same findings."""
    if "--no-cache" not in tools.mmkit_options:
        return "no --no-cache"
    shutil.rmtree(case.directory / ".mmkit_cache", ignore_errors=True)
    runs = [
        _mmkit_findings(tools, case, extra) for extra in (["--no-cache"], [], [], ["--no-cache"])
    ]
    problems = [problem for found, problem in runs if found is None]
    if problems:
        return problems[0]
    keys = [sorted(json.dumps(f, sort_keys=True) for f in found) for found, _ in runs]
    same = all(key == keys[0] for key in keys)
    return f"{'identical' if same else 'DIFFERENT'} ({len(keys[0])} findings, 4 runs)"


def _count_mmkit(tools: Tools, case: Case) -> str:
    findings, problem = _mmkit_findings(tools, case)
    if findings is None:
        return problem
    counts = Counter(f["rule"].removeprefix("mmkit.") for f in findings)
    return ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()))


def _tach_diagnostics(sample: Sample) -> tuple[list[tuple[str, dict]], str]:
    """tach's JSON diagnostics as (kind, location) pairs, or why there are none."""
    if sample.failed:
        return [], f"failed (exit {sample.returncode})"
    text = sample.output
    start = 0 if text.startswith("[") else text.find("\n[") + 1
    try:
        diagnostics = json.loads(text[start:])
    except ValueError:
        return [], "unreadable JSON output"
    found = []
    for item in diagnostics:
        located = item.get("Located", {})
        code = located.get("details", {}).get("Code", {"other": None})
        found.append((next(iter(code), "other"), located))
    return found, ""


def _count_tach(sample: Sample) -> str:
    diagnostics, problem = _tach_diagnostics(sample)
    if problem:
        return problem
    kinds = Counter(kind for kind, _ in diagnostics)
    return ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))


def _mmkit_findings(
    tools: Tools, case: Case, extra: list[str] | None = None
) -> tuple[list[dict] | None, str]:
    use_json = "--format" in tools.mmkit_options
    argv = [tools.mmkit, "check", ".", *(["--format", "json"] if use_json else [])]
    argv += [*(extra or []), *(["--no-baseline"] if "--no-baseline" in tools.mmkit_options else [])]
    sample = measure(argv, case.directory)
    if sample.failed:
        last = sample.output.strip().splitlines()[-1:] or [""]
        return None, f"failed (exit {sample.returncode}: {last[0][:80]})"
    if use_json:
        try:
            return json.loads(sample.output)["findings"], ""
        except (ValueError, KeyError) as error:
            return None, f"unreadable JSON output ({error})"
    found = []
    for line in sample.output.splitlines():
        match = TEXT_FINDING.match(line)
        if match:
            found.append(match.groupdict() | {"line": int(match["line"])})
    return found, ""


def _check_mmkit(tools: Tools, case: Case) -> str:
    findings, problem = _mmkit_findings(tools, case)
    if findings is None:
        return problem
    expected = case.expected
    counts = Counter(f["rule"] for f in findings)
    parts, wrong = [], []
    for rule, want in expected["counts"].items():
        got = counts.get(rule, 0)
        parts.append(f"{rule.removeprefix('mmkit.')} {got}/{want}")
        if got != want:
            wrong.append(rule)
    extra = sorted(set(counts) - set(expected["counts"]))
    wrong += extra
    parts += [f"{rule.removeprefix('mmkit.')} {counts[rule]}/0" for rule in extra]
    sites = {(f["rule"], f["path"], int(f["line"])) for f in findings if f["rule"] in SITE_RULES}
    want_sites = {
        (f["rule"], f["path"], f["line"]) for f in expected["findings"] if f["rule"] in SITE_RULES
    }
    edges = {(e["path"], e["line"]) for c in expected["cycles"] for e in c["edges"]}
    stray_cycles = [
        f
        for f in findings
        if f["rule"] == "mmkit.E004" and (f["path"], int(f["line"])) not in edges
    ]
    if sites != want_sites and not wrong:
        wrong.append("sites")
    if stray_cycles:
        wrong.append("E004 sites")
    verdict = "all found" if not wrong else "MISMATCH"
    missing = len(want_sites - sites)
    unexpected = len(sites - want_sites)
    detail = f"; {missing} sites missing, {unexpected} unexpected" if missing or unexpected else ""
    return f"{verdict}: {', '.join(parts)}{detail}"


def _check_import_linter(sample: Sample, expected: dict) -> str:
    if sample.failed:
        return f"failed (exit {sample.returncode})"
    found = set()
    for line in sample.output.splitlines():
        match = LINT_IMPORT.match(line.strip())
        if match:
            for number in match["lines"].split(","):
                found.add((match["importer"], match["imported"], int(number)))
    want = {tuple(item) for item in expected["illegal_imports"]}
    verdict = "all found" if found == want else "MISMATCH"
    return (
        f"{verdict}: {len(found & want)}/{len(want)} private imports (E003), "
        f"{len(found - want)} unexpected"
    )


def _check_tach(sample: Sample, expected: dict) -> str:
    diagnostics, problem = _tach_diagnostics(sample)
    if problem:
        return problem
    found: dict[str, set[tuple[str, int]]] = {}
    for kind, located in diagnostics:
        found.setdefault(kind, set()).add((located.get("file_path"), located.get("line_number")))
    by_path = {
        rule: {(f["path"], f["line"]) for f in expected["findings"] if f["rule"] == rule}
        for rule in ("mmkit.E003", "mmkit.E005")
    }
    upward = {(c["edges"][0]["path"], c["edges"][0]["line"]) for c in expected["cycles"]}
    want = {
        "PrivateDependency": by_path["mmkit.E003"],
        "UndeclaredDependency": by_path["mmkit.E005"] | upward,
    }
    private = found.get("PrivateDependency", set())
    undeclared = found.get("UndeclaredDependency", set())
    others = sum(len(v) for k, v in found.items() if k not in want)
    want_private, want_undeclared = want["PrivateDependency"], want["UndeclaredDependency"]
    ok = private == want_private and undeclared == want_undeclared
    return (
        f"{'all found' if ok else 'MISMATCH'}: "
        f"{len(private & want_private)}/{len(want_private)} interface (E003), "
        f"{len(undeclared & want_undeclared)}/{len(want_undeclared)} "
        f"undeclared (E005 + E004's upward edge), {others} other"
    )


def median(case: Case, tool: str) -> tuple[float, float] | None:
    """Median seconds and median peak MB of a tool's completed runs; None if none completed."""
    samples = [s for s in case.samples.get(tool, []) if not s.failed]
    if not samples or len(samples) < len(case.samples.get(tool, [])):
        return None
    return (
        statistics.median(s.seconds for s in samples),
        statistics.median(s.peak_kb for s in samples) / 1024,
    )


def _measure_table(title: str, cases: list[Case], measure: int) -> list[str]:
    """One measure (index into a tool's medians) of every case, as a Markdown table."""
    lines = [
        "",
        f"### {title}",
        "",
        "| size | layout | " + " | ".join(TITLES[t] for t in TOOLS) + " |",
        "|---|---|" + "---:|" * len(TOOLS),
    ]
    for case in cases:
        cells = [_cell(case, tool, measure) for tool in TOOLS]
        lines.append(f"| {case.name} | {case.layout} | " + " | ".join(cells) + " |")
    return lines


def _cell(case: Case, tool: str, column: int) -> str:
    samples = case.samples.get(tool)
    if not samples:
        return "n/a"
    result = median(case, tool)
    if result is None:
        failed = next(s for s in samples if s.failed)
        return f"failed (exit {failed.returncode})"
    if column == 1:
        return f"{result[1]:.0f} MB"
    if column == 2:
        return f"{statistics.median(s.cpu for s in samples):.3f} s"
    floor = median(case, "grimp")
    ratio = f" ({result[0] / floor[0]:.2f}x)" if floor and tool != "grimp" else ""
    return f"{result[0]:.3f} s{ratio}"


def goals(case: Case) -> list[tuple[str, str]]:
    """The issue's goals, each with the measured figure and whether it is met; a goal set for
    some trees only is shown as a plain figure elsewhere."""

    def seconds(tool: str) -> float | None:
        result = median(case, tool)
        return result[0] if result else None

    def peak(tool: str) -> float | None:
        result = median(case, tool)
        return result[1] if result else None

    def verdict(value: float | None, limit: float, text: str, applies: bool = True) -> str:
        if value is None:
            return "not measured"
        if not applies:
            return text.format(value)
        return f"{text.format(value)} — {'met' if value <= limit else 'NOT met'}"

    def ratio(value: float | None, base: float | None) -> float | None:
        return value / base if value and base else None

    cold, tach, floor = seconds("mmkit-cold"), seconds("tach"), seconds("floor")
    grimp, warm, changed = seconds("grimp"), seconds("mmkit-warm"), seconds("mmkit-changed")
    peaks = [p for p in (peak(t) for t in ("mmkit-cold", "mmkit-warm", "mmkit-changed")) if p]
    top = max(peaks) if peaks else None
    cache = case.verdicts.get("cache", "not checked")
    cold_applies, warm_applies = case.name in COLD_GOAL_SIZES, case.name in WARM_GOAL_SIZES
    return [
        ("cold ≤ tach", verdict(ratio(cold, tach), 1.0, "{:.2f}x tach", cold_applies)),
        ("cold ≤ 2x floor", verdict(ratio(cold, floor), 2.0, "{:.2f}x floor")),
        (
            "warm ≤ 0.25x grimp build",
            verdict(ratio(warm, grimp), 0.25, "{:.2f}x grimp", warm_applies),
        ),
        ("1 changed ≤ 0.3x cold", verdict(ratio(changed, cold), 0.3, "{:.2f}x cold")),
        (
            "peak memory ≤ 1.5x grimp build",
            verdict(ratio(top, peak("grimp")), 1.5, "{:.2f}x grimp"),
        ),
        (
            "findings with = without cache",
            f"{cache} — {'met' if cache.startswith('identical') else 'NOT met'}",
        ),
    ]


def report(cases: list[Case], tools: Tools, rounds: int) -> str:
    """The Markdown tables that go to the terminal and into docs/performance.md."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{name} {version}" for name, version in tools.versions.items())
    cache = "yes" if "--no-cache" in tools.mmkit_options else "no (cold = warm until it exists)"
    lines = [
        f"Measured {now} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {versions}; {rounds} rounds, medians; "
        f"mmkit `--no-cache`: {cache}.",
        "",
        "### Wall time (median; x = ratio to grimp's bare build)",
        "",
        "files: the files mmkit checks (tests and migrations excluded); the real code base "
        "holds more (see below).",
        "",
        "| size | layout | files | " + " | ".join(TITLES[t] for t in TOOLS) + " |",
        "|---|---|---:|" + "---:|" * len(TOOLS),
    ]
    for case in cases:
        cells = [_cell(case, tool, 0) for tool in TOOLS]
        lines.append(
            f"| {case.name} | {case.layout} | {case.expected['python_files']:,} | "
            + " | ".join(cells)
            + " |"
        )
    lines += _measure_table(
        "CPU time (median of user + system; tach, grimp's scan and a cold mmkit use both cores)",
        cases,
        2,
    )
    lines += _measure_table("Peak memory (median of each run's maximum resident set)", cases, 1)
    lines += [
        "",
        "### Goals",
        "",
        "| size | layout | " + " | ".join(name for name, _ in goals(cases[0])) + " |",
        "|---|---|" + "---|" * len(goals(cases[0])),
    ]
    for case in cases:
        lines.append(
            f"| {case.name} | {case.layout} | "
            + " | ".join(value for _, value in goals(case))
            + " |"
        )
    lines += [
        "",
        "### Did every tool find the generated violations?",
        "",
        "| size | layout | expected (per rule) | mmkit | lint-imports | tach |",
        "|---|---|---|---|---|---|",
    ]
    for case in cases:
        counts = (
            ", ".join(
                f"{rule.removeprefix('mmkit.')} {n}" for rule, n in case.expected["counts"].items()
            )
            if case.generated
            else "(a real code base: counts only)"
        )
        verdicts = [
            case.verdicts.get(tool, "not run") for tool in ("mmkit", "lint-imports", "tach")
        ]
        lines.append(f"| {case.name} | {case.layout} | {counts} | " + " | ".join(verdicts) + " |")
    missing = [
        name
        for name, path in {
            "mmkit": tools.mmkit,
            "lint-imports": tools.lint_imports,
            "tach": tools.tach,
        }.items()
        if path is None
    ]
    if missing:
        lines += [
            "",
            f"Not installed, so not measured: {', '.join(missing)} (`make bench` installs them).",
        ]
    return "\n".join(lines) + "\n"


def write_doc(doc: Path, results: str) -> None:
    """Replace the text between the result markers (or append them) in the performance page."""
    block = f"{BEGIN}\n{results}{END}"
    text = doc.read_text() if doc.exists() else "# Performance\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)


def parse_sizes(value: str) -> list[tuple[int, int]]:
    sizes = []
    for item in value.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*", item)
        if not match:
            raise argparse.ArgumentTypeError(f"size {item!r} is not MODULESxFILES, e.g. 50x10")
        sizes.append((int(match[1]), int(match[2])))
    return sizes


def parse_list(choices: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def parse(value: str) -> tuple[str, ...]:
        items = tuple(item.strip() for item in value.split(",") if item.strip())
        unknown = [item for item in items if item not in choices]
        if unknown or not items:
            raise argparse.ArgumentTypeError(
                f"unknown {', '.join(unknown) or 'empty list'}; choose from {', '.join(choices)}"
            )
        return items

    return parse


CHECKED = (
    "import sys; from mmkit.config import load; from mmkit.project import discover; "
    "files = discover(load(sys.argv[1])).files; "
    "print(''.join(f'{f.relpath} {f.dotted}\\n' for f in files), end='')"
)


def write_checked(case: Case) -> None:
    """The checked files for the floor (floor.py), from mmkit's own discovery.

    Like everything heavy, in a process of its own: a child's peak memory (wait4's ru_maxrss)
    starts at the size of the process that spawned it, so this one must stay small.
    """
    listed = subprocess.run(
        [sys.executable, "-c", CHECKED, str(case.directory)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (case.directory / CHECKED_LIST).write_text(listed)


def measure_case(case: Case, tools: Tools, args: argparse.Namespace, log: Callable) -> Case:
    write_checked(case)
    run_rounds(tools, case, args.rounds, args.tools, log)
    check_findings(tools, case)
    for tool, verdict in case.verdicts.items():
        log(f"  {tool}: {verdict}")
    if not args.keep:
        shutil.rmtree(case.directory, ignore_errors=True)
    return case


def bench_tree(
    spec: generate.Spec, workdir: Path, tools: Tools, args: argparse.Namespace, log: Callable
) -> Case:
    """Generate one tree, time every tool on it, check their findings, remove the tree."""
    directory = workdir / f"{spec.layout}-{spec.modules}x{spec.files}"
    shutil.rmtree(directory, ignore_errors=True)
    start = time.perf_counter()
    # A process of its own, as write_checked: the bench process must stay small.
    script = str(Path(generate.__file__).resolve())
    sizes = [f"--modules={spec.modules}", f"--files={spec.files}", f"--layout={spec.layout}"]
    command = [sys.executable, script, str(directory), *sizes]
    subprocess.run(command, check=True, capture_output=True)
    expected = json.loads((directory / "expected.json").read_text())
    name = f"{spec.modules}x{spec.files}"
    case = Case(name, spec.layout, directory, expected, time.perf_counter() - start)
    log(
        f"{case.name} {spec.layout}: {case.expected['python_files']} files generated in "
        f"{case.generation_seconds:.1f} s into {directory}"
    )
    return measure_case(case, tools, args, log)


def bench_real(workdir: Path, tools: Tools, args: argparse.Namespace, log: Callable) -> Case:
    """The real code base (benchmarks/real.py), measured like a generated tree."""
    directory = workdir / real.PACKAGE
    shutil.rmtree(directory, ignore_errors=True)
    start = time.perf_counter()
    prepared = subprocess.run(
        [sys.executable, str(Path(real.__file__).resolve()), str(directory), tools.tach or ""],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(prepared.stdout)
    case = Case(real.PACKAGE, "wheel", directory, expected, time.perf_counter() - start)
    log(
        f"{expected['real']}: {expected['python_files']} checked of "
        f"{expected['all_python_files']} files, {expected['modules']} modules, in {directory}"
    )
    return measure_case(case, tools, args, log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes(DEFAULT_SIZES),
        help=f"MODULESxFILES, comma-separated (default {DEFAULT_SIZES})",
    )
    parser.add_argument(
        "--layouts",
        type=parse_list(generate.LAYOUTS),
        default=generate.LAYOUTS,
        help="rooted,flat (default both)",
    )
    parser.add_argument(
        "--tools",
        type=parse_list(TOOLS),
        default=TOOLS,
        help=f"which runs to time (default all: {','.join(TOOLS)})",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds per tree (default 5)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where to generate the trees (default: a temporary directory)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated trees")
    parser.add_argument(
        "--no-real",
        action="store_true",
        help=f"leave out the real code base ({real.PACKAGE} {real.VERSION}, from PyPI)",
    )
    parser.add_argument("--doc", type=Path, default=DOC, help="page to write the results into")
    parser.add_argument("--no-doc", action="store_true", help="print the results only")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    specs = [generate.Spec(m, f, layout) for m, f in args.sizes for layout in args.layouts]
    for spec in specs:
        try:
            generate.validate(spec)
        except ValueError as error:
            parser.error(str(error))
    tools = find_tools()
    compile_bytecode(tools)
    log = lambda message: print(message, flush=True)  # noqa: E731
    for name, path in (("lint-imports", tools.lint_imports), ("tach", tools.tach)):
        if path is None:
            log(f"note: {name} is not installed (pip install -e '.[bench]'); it is skipped")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mmkit-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cases = []
    try:
        for spec in specs:
            cases.append(bench_tree(spec, workdir, tools, args, log))
        if not args.no_real:
            cases.append(bench_real(workdir, tools, args, log))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    results = report(cases, tools, args.rounds)
    print()
    print(results)
    if not args.no_doc:
        write_doc(args.doc, results)
        print(f"wrote the results into {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
