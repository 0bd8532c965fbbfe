"""SARIF and GitHub annotations name files from the repository root, where CI resolves them:
pyproject.toml's directory relative to `git rev-parse --show-toplevel`, or --path-prefix."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mmkit.vcs import normalize_prefix

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """A git repository whose mmkit project lives in backend/ (pyproject.toml not at the root)."""
    repository = tmp_path / "repo"
    shutil.copytree(FIXTURES / "out_small", repository / "backend")
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    return repository / "backend"


def sarif_uris(mmkit_cli, project: Path, *options: str) -> set[str]:
    result = mmkit_cli("check", str(project), "--format", "sarif", *options)
    run = json.loads(result.stdout)["runs"][0]
    return {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for found in run["results"]
        for location in found["locations"]
    }


def github_files(mmkit_cli, project: Path, *options: str) -> set[str]:
    result = mmkit_cli("check", str(project), "--format", "github", *options)
    return {line.split("file=")[1].split(",")[0] for line in result.stdout.splitlines()}


def test_paths_are_relative_to_the_git_top_level(mmkit_cli, nested: Path) -> None:
    expected = {"backend/web/__init__.py", "backend/web/views.py"}
    assert sarif_uris(mmkit_cli, nested) == expected
    assert github_files(mmkit_cli, nested) == expected


def test_path_prefix_overrides_git(mmkit_cli, nested: Path) -> None:
    expected = {"src/app/web/__init__.py", "src/app/web/views.py"}
    assert sarif_uris(mmkit_cli, nested, "--path-prefix", "src/app") == expected
    assert github_files(mmkit_cli, nested, "--path-prefix", "./src/app/") == expected
    assert sarif_uris(mmkit_cli, nested, "--path-prefix", "") == {
        "web/__init__.py",
        "web/views.py",
    }


def test_outside_a_repository_paths_stay_project_relative(mmkit_cli, copy_fixture) -> None:
    project = copy_fixture("out_small")
    assert sarif_uris(mmkit_cli, project) == {"web/__init__.py", "web/views.py"}


def test_text_and_json_keep_project_relative_paths(mmkit_cli, nested: Path) -> None:
    result = mmkit_cli("check", str(nested), "--format", "json", "--path-prefix", "x")
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {
        "web/__init__.py",
        "web/views.py",
    }


@pytest.mark.parametrize(
    ("given", "expected"), [("", ""), (".", ""), ("a/b", "a/b/"), ("./a//b/", "a/b/")]
)
def test_prefixes_are_normalised(given: str, expected: str) -> None:
    assert normalize_prefix(given) == expected
