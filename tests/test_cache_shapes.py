"""Cache content of the wrong shape under a valid key is discarded, never trusted.

Each case writes valid JSON with the right format and key but a field of the wrong shape, as
a bug, a foreign tool or a disk error could; the next runs must find exactly what a run
without the cache finds, and must not write the damage back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_cache import check as cached_check
from test_cache import edit

from mmkit.checks import run
from mmkit.project import load_project

VIEWS_E003 = ("mmkit.E003", "books/views.py", 3)
Damage = Callable[[dict[str, Any]], None]


@pytest.fixture
def small(copy_fixture: Callable[[str], Path]) -> Path:
    return copy_fixture("imp_small")


def check(mmkit_cli: Callable[..., Any], project: Path, cache: Path) -> set[tuple[str, str, int]]:
    return cached_check(mmkit_cli, project, "--cache-dir", str(cache))


def touch_back(path: Path) -> None:
    """Change a file's stat (a few seconds in the past, so it may be cached)."""
    edit(path, path.read_text() + "\n")


def first_finding(record: dict[str, Any]) -> dict[str, Any]:
    return record["findings"][0]


def set_in(path: tuple[str, ...], value: object) -> Damage:
    def damage(record: dict[str, Any]) -> None:
        target = record
        for key in path[:-1]:
            target = target[key] if key != "*" else next(iter(target.values()))
        last = path[-1]
        if last == "*":
            target[next(iter(target))] = value
        else:
            target[last] = value

    return damage


RESULT_DAMAGE: dict[str, Damage] = {
    "findings-a-dict": set_in(("findings",), {}),
    "findings-a-string": set_in(("findings",), "E003"),
    "path-not-a-string": lambda r: first_finding(r).update(path=3),
    "line-a-string": lambda r: first_finding(r).update(line="3"),
    "line-a-bool": lambda r: first_finding(r).update(line=True),
    "unknown-rule": lambda r: first_finding(r).update(rule="mmkit.E999"),
    "missing-field": lambda r: first_finding(r).pop("hint"),
    "extra-field": lambda r: first_finding(r).update(colour="red"),
    "extra-not-pairs": lambda r: first_finding(r).update(extra=[["a"]]),
    "modules-a-string": set_in(("modules",), "2"),
}


@pytest.mark.parametrize("damage", RESULT_DAMAGE.values(), ids=RESULT_DAMAGE.keys())
def test_a_result_of_the_wrong_shape_is_discarded(
    small: Path, tmp_path: Path, mmkit_cli: Callable[..., Any], damage: Damage
) -> None:
    cache = tmp_path / "cache"
    assert check(mmkit_cli, small, cache) == {VIEWS_E003}
    path = cache / "result.json"
    record = json.loads(path.read_text())
    damage(record)
    path.write_text(json.dumps(record))

    assert check(mmkit_cli, small, cache) == {VIEWS_E003}
    assert check(mmkit_cli, small, cache) == {VIEWS_E003}


def record_field(relpath: str, index: int, value: object) -> Damage:
    """Set one item of a file's record in facts.json (`*`: of every record)."""

    def damage(record: dict[str, Any]) -> None:
        files = record["files"]
        for key in files if relpath == "*" else [relpath]:
            files[key][index] = value

    return damage


def _each_derived(record: dict[str, Any], field: str, value: object) -> None:
    for item in record["shared"]["derived"]["results"].values():
        item[field] = value


# A record: [mtime, size, dotted, classes, comments, places, scan, imports, taken].
PART_DAMAGE: dict[str, Damage] = {
    "imports-entry-a-dict": record_field("books/views.py", 7, {}),
    "imports-lines-a-list": record_field("books/views.py", 7, [["authors.models", "3"]]),
    "imports-line-not-a-number": record_field("books/views.py", 7, "authors.models/x"),
    "imports-no-module": record_field("books/views.py", 7, "3"),
    "imports-skipped-a-number": record_field("books/views.py", 7, 3),
    "imports-modules-a-dict": set_in(("shared", "imports", "modules"), {}),
    "imports-present-a-dict": set_in(("shared", "imports", "present"), {}),
    "record-stat-strings": record_field("*", 0, "1"),
    "record-comments-a-dict": record_field("*", 4, {}),
    "record-places-not-quads": record_field("*", 5, [[1, "x"]]),
    "record-scan-not-a-scan": record_field("*", 6, '{"Nope": []}'),
    "record-scan-not-json": record_field("*", 6, "{"),
    "record-taken-not-pairs": record_field("*", 8, [["authors.facade"], [["a"]]]),
    "record-taken-no-public": record_field("*", 8, ["authors.facade", "name"]),
    "record-too-short": set_in(("files", "*"), [1, 2]),
    "shared-a-list": set_in(("shared",), []),
    "derived-findings-a-dict": lambda r: _each_derived(r, "findings", {}),
    "derived-used-a-list": lambda r: _each_derived(r, "used", []),
}


@pytest.mark.parametrize("damage", PART_DAMAGE.values(), ids=PART_DAMAGE.keys())
def test_a_cache_part_of_the_wrong_shape_is_discarded_and_not_saved_again(
    small: Path, tmp_path: Path, mmkit_cli: Callable[..., Any], damage: Damage
) -> None:
    cache = tmp_path / "cache"
    assert check(mmkit_cli, small, cache) == {VIEWS_E003}
    path = cache / "facts.json"
    record = json.loads(path.read_text())
    damage(record)
    path.write_text(json.dumps(record))
    touch_back(small / "authors" / "facade.py")  # the result misses: the parts are read

    assert check(mmkit_cli, small, cache) == {VIEWS_E003}
    touch_back(small / "authors" / "facade.py")
    assert check(mmkit_cli, small, cache) == {VIEWS_E003}
    assert {(f.rule, f.path, f.line) for f in run(load_project(small))} == {VIEWS_E003}
    saved = json.loads(path.read_text())
    assert saved["files"]["books/views.py"][7] == "authors.models/3"
