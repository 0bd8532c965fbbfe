"""The benchmark generator: deterministic, and its expected.json is what the tree really holds.

The import-based expectations (E003, E004, E005) are checked against grimp's graph of the
generated tree with a small reference implementation of those rules, so the benchmark can trust
its counts when it judges mmkit, import-linter and tach. Only a tiny size is generated here.
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
import tomllib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "benchmarks" / "generate.py"
MODULES, FILES = 50, 8


def generate(out: Path, layout: str, modules: int = MODULES, files: int = FILES) -> dict:
    result = subprocess.run(
        [
            *(sys.executable, str(GENERATE), str(out)),
            *("--modules", str(modules), "--files", str(files), "--layout", layout),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads((out / "expected.json").read_text())


def digest(tree: Path) -> dict[str, str]:
    return {
        path.relative_to(tree).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(tree.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module", params=["rooted", "flat"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp(request.param) / "project"
    return out, generate(out, request.param)


def module_of(dotted: str, modules: list[str]) -> str | None:
    matches = [m for m in modules if dotted == m or dotted.startswith(m + ".")]
    return max(matches, key=len) if matches else None


def import_graph(out: Path, expected: dict) -> grimp.ImportGraph:
    sys.path.insert(0, str(out))
    try:
        return grimp.build_graph(*expected["top_level_packages"], cache_dir=None)
    finally:
        sys.path.remove(str(out))


def test_counts_and_sizes(project) -> None:
    out, expected = project
    assert expected["counts"] == {
        "mmkit.E001": 5,
        "mmkit.E002": 2,
        "mmkit.E003": 7,
        "mmkit.E004": 1,
        "mmkit.E005": 2,
        "mmkit.W001": 1,
        "mmkit.W002": 2,
    }
    for module in expected["modules"]:
        package = out.joinpath(*module.split("."))
        assert len(list(package.rglob("*.py"))) == FILES
    assert len(list(out.rglob("*.py"))) == expected["python_files"]
    for path in out.rglob("*.py"):
        ast.parse(path.read_bytes(), filename=str(path))


def test_same_arguments_give_the_same_tree(tmp_path: Path) -> None:
    generate(tmp_path / "a", "rooted")
    generate(tmp_path / "b", "rooted")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    for out, files in ((tmp_path / "full", FILES), (tmp_path / "new", 3)):
        result = subprocess.run(
            [sys.executable, str(GENERATE), str(out), "--modules", "5", "--files", str(files)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "error:" in result.stderr
    assert not (tmp_path / "new").exists()


def test_relation_and_interface_sites_point_at_the_right_code(project) -> None:
    out, expected = project
    shapes = {
        "mmkit.E001": lambda line, detail: f'"{detail}"' in line and "models." in line,
        "mmkit.E002": lambda line, detail: line.startswith("class Special("),
        "mmkit.W002": lambda line, detail: line.startswith("def ") and "Entity" in line,
    }
    for finding in expected["findings"]:
        if finding["rule"] in shapes:
            line = (out / finding["path"]).read_text().splitlines()[finding["line"] - 1]
            assert shapes[finding["rule"]](line, finding["detail"]), (finding, line)
    without_facade = {f["module"] for f in expected["findings"] if f["rule"] == "mmkit.W001"}
    for module in expected["modules"]:
        facade = out.joinpath(*module.split("."), "facade.py")
        assert facade.exists() == (module not in without_facade)


def test_import_findings_are_exactly_what_the_graph_holds(project) -> None:
    out, expected = project
    graph = import_graph(out, expected)
    modules = expected["modules"]
    shared = set(expected["shared"])
    config = tomllib.loads((out / "pyproject.toml").read_text())["tool"]["mmkit"]["modules"]
    private, undeclared, edges = set(), set(), set()
    for importer in graph.modules:
        source = module_of(importer, modules)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            target = module_of(imported, [*modules, *shared])
            if target in (None, source) or target in shared:
                continue
            edges.add((source, target))
            lines = {
                d["line_number"]
                for d in graph.get_import_details(importer=importer, imported=imported)
            }
            path = out.joinpath(*importer.split(".")).with_suffix(".py").relative_to(out)
            is_facade = imported == f"{target}.facade"
            for line in lines:
                if not is_facade:
                    private.add((importer, imported, line))
                declared = config[source].get("depends_on")
                if declared is not None and target not in declared:
                    undeclared.add(("mmkit.E005", path.as_posix(), line))
    assert private == {tuple(i) for i in expected["illegal_imports"]}
    assert undeclared == {
        (f["rule"], f["path"], f["line"]) for f in expected["findings"] if f["rule"] == "mmkit.E005"
    }
    cycles = {tuple(cycle["modules"]) for cycle in expected["cycles"]}
    assert {(a, b) for a, b in edges if (b, a) in edges and a < b} == cycles
    acyclic = {(a, b) for a, b in edges if (a, b) not in cycles}
    sorter = TopologicalSorter({m: {b for a, b in acyclic if a == m} for m in modules})
    try:
        sorter.prepare()
    except CycleError as error:  # pragma: no cover - the assertion message is the point
        pytest.fail(f"an accidental cycle besides the deliberate ones: {error.args[1]}")
