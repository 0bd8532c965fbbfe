"""A cold `mmkit check` spreads the per-file facts over worker processes when there are many
files: its findings must be exactly those of the run in one process, and so must the cache's.

The tree is the benchmark's generated one (benchmarks/generate.py), large enough to fork
(mmkit.checks.workers.MIN_ITEMS); MMKIT_JOBS=1 is the run in one process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_bench_generate import generate

from mmkit.checks import workers

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def check(tree: Path, jobs: str, *options: str) -> tuple[int, list[tuple[str, str, int, str]]]:
    environment = {**os.environ, "MMKIT_JOBS": jobs}
    environment.pop("MMKIT_CACHE_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "mmkit", "check", str(tree), "--format", "json", *options],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    found = json.loads(result.stdout)["findings"]
    return result.returncode, sorted((f["rule"], f["path"], f["line"], f["message"]) for f in found)


@needs_fork
def test_workers_find_what_one_process_finds(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    expected = generate(tree, "rooted", modules=60, files=10)
    assert expected["python_files"] > workers.MIN_ITEMS

    alone = check(tree, "1", "--no-cache")
    assert alone[0] == 1 and len(alone[1]) == sum(expected["counts"].values())
    assert check(tree, "2", "--no-cache") == alone
    assert check(tree, "2") == alone  # fills the cache from the workers' facts
    changed = tree / expected["change_file"]
    changed.write_text(changed.read_text() + "\n# edited\n")
    assert check(tree, "1") == alone  # the result missed: the other files' facts are cached


@pytest.mark.parametrize("command", ["check", "graph", "baseline"])
def test_a_wrong_jobs_setting_is_one_line_and_exit_2(
    tmp_path: Path, copy_fixture, command: str
) -> None:
    project = copy_fixture("imp_small")
    environment = {**os.environ, "MMKIT_JOBS": "two"}
    result = subprocess.run(
        [sys.executable, "-m", "mmkit", command, str(project), "--no-cache"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: MMKIT_JOBS must be a whole number of processes, 1 or more; got 'two'"
    ]
