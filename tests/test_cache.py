"""The cache (`.mmkit_cache/`): warm runs must find exactly what a cold run finds.

Every test edits a copy of a fixture between runs and compares with what a run without the
cache finds. Timings are never asserted; where a test needs to know which path a run took,
it makes the other path fail (a patched function that raises).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mmkit import cache as cache_module
from mmkit.checks import imports as imports_check
from mmkit.checks import run
from mmkit.checks.facts import Facts
from mmkit.checks.import_scan import scan_imports
from mmkit.config import ConfigError
from mmkit.project import dotted_name, iter_python_files, load_project

FIXTURES = Path(__file__).parent / "fixtures"
Cli = Callable[..., Result]
Found = set[tuple[str, str, int]]

VIEWS_E003 = ("mmkit.E003", "books/views.py", 3)
FORMAT = cache_module.FORMAT
CACHE_FILES = ("result.json", "facts.json")


@pytest.fixture(autouse=True)
def _default_cache_location(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the cache beside pyproject.toml, so the suite's own is undone."""
    monkeypatch.delenv("MMKIT_CACHE_DIR", raising=False)


def check(cli: Cli, project: Path, *options: str) -> Found:
    """(rule, path, line) of every finding `mmkit check --format json` reports."""
    result = cli("check", str(project), "--format", "json", "--no-baseline", *options)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    return {(f["rule"], f["path"], f["line"]) for f in document["findings"]}


def cold(project: Path) -> Found:
    """What a run that ignores every cache finds: the reference for each warm run."""
    return {(f.rule, f.path, f.line) for f in run(load_project(project))}


def edit(path: Path, text: str) -> None:
    """Rewrite a file, its modification time a few seconds back, as an editor a while ago.

    (A file modified within the last second is never cached; the tests want it cached.)
    """
    path.write_text(text)
    past = path.stat().st_mtime_ns - 5_000_000_000
    os.utime(path, ns=(past, past))


def forbid(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{target} must not run")

    monkeypatch.setattr(target, refuse)


@pytest.fixture
def small(copy_fixture: Callable[[str], Path]) -> Path:
    """imp_small: books/views.py imports authors.models (one E003)."""
    return copy_fixture("imp_small")


def test_a_warm_run_answers_from_the_cache_without_analysing(
    small: Path, mmkit_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check(mmkit_cli, small) == {VIEWS_E003}
    assert sorted(p.name for p in (small / ".mmkit_cache").iterdir()) == sorted(
        [".gitignore", "CACHEDIR.TAG", *CACHE_FILES]
    )
    forbid(monkeypatch, "mmkit.checks.run")
    assert check(mmkit_cli, small) == {VIEWS_E003}


def test_the_cache_directory_ignores_itself_in_git(small: Path, mmkit_cli: Cli) -> None:
    check(mmkit_cli, small)
    ignore = (small / ".mmkit_cache" / ".gitignore").read_text().splitlines()
    assert "*" in ignore


def test_a_run_with_nothing_changed_imports_neither_grimp_nor_the_checks(
    small: Path, mmkit_cli: Cli
) -> None:
    check(mmkit_cli, small)
    script = (
        "import sys\n"
        "from mmkit.cli import main\n"
        "try:\n"
        f"    main(['check', {str(small)!r}], standalone_mode=False)\n"
        "finally:\n"
        "    print([m for m in ('grimp', 'django', 'mmkit.checks') if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "[]", result.stdout + result.stderr


def test_adding_and_removing_a_violation_changes_the_next_warm_run(
    small: Path, mmkit_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(mmkit_cli, small)
    facade = small / "books" / "facade.py"
    original = facade.read_text()

    def warm() -> Found:
        # The graph is not built again for an edit: only the edited file is scanned.
        with monkeypatch.context() as patch:
            forbid(patch, "mmkit.checks.imports.build_graph")
            return check(mmkit_cli, small)

    edit(facade, "from authors import models\n\n" + original)
    added = {VIEWS_E003, ("mmkit.E003", "books/facade.py", 1)}
    assert warm() == added == cold(small)

    edit(facade, original)
    assert warm() == {VIEWS_E003} == cold(small)


def test_a_model_relation_added_or_removed_shows_in_the_next_warm_run(
    small: Path, mmkit_cli: Cli
) -> None:
    check(mmkit_cli, small)
    models = small / "books" / "models.py"
    relation = (
        "from django.db import models\n\n\n"
        "class Book(models.Model):\n"
        '    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE)\n'
    )
    edit(models, relation)
    assert ("mmkit.E001", "books/models.py", 5) in check(mmkit_cli, small)
    assert check(mmkit_cli, small) == cold(small)

    edit(models, relation.replace('"authors.Author"', '"books.Book"'))
    assert check(mmkit_cli, small) == {VIEWS_E003} == cold(small)


def test_a_file_that_gains_a_model_is_scanned_again(small: Path, mmkit_cli: Cli) -> None:
    """views.py had no class statement, so the cached relation findings did not read it."""
    check(mmkit_cli, small)
    views = small / "books" / "views.py"
    edit(
        views,
        "from django.db import models\n\n\n"
        "class Loan(models.Model):\n"
        '    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE)\n',
    )
    assert check(mmkit_cli, small) == {("mmkit.E001", "books/views.py", 5)} == cold(small)


def test_deleting_a_file_drops_its_findings(small: Path, mmkit_cli: Cli) -> None:
    check(mmkit_cli, small)
    (small / "books" / "views.py").unlink()
    assert check(mmkit_cli, small) == set() == cold(small)


def test_renaming_a_file_moves_its_findings(small: Path, mmkit_cli: Cli) -> None:
    check(mmkit_cli, small)
    (small / "books" / "views.py").rename(small / "books" / "pages.py")
    assert check(mmkit_cli, small) == {("mmkit.E003", "books/pages.py", 3)} == cold(small)


def test_a_new_module_file_changes_how_an_unchanged_import_resolves(
    small: Path, mmkit_cli: Cli
) -> None:
    """`from authors import helpers` names the package until authors/helpers.py exists.

    grimp's own cache gets this wrong (it keys imports on the importer's mtime alone).
    """
    edit(small / "books" / "facade.py", "from authors import helpers\n")
    result = mmkit_cli("check", str(small), "--format", "json", "--no-baseline")
    imported = {f["imported"] for f in json.loads(result.stdout)["findings"]}
    assert imported == {"authors", "authors.models"}

    (small / "authors" / "helpers.py").write_text("VALUE = 1\n")
    result = mmkit_cli("check", str(small), "--format", "json", "--no-baseline")
    imported = {f["imported"] for f in json.loads(result.stdout)["findings"]}
    assert imported == {"authors.helpers", "authors.models"}


def test_a_changed_configuration_is_not_answered_from_the_cache(
    small: Path, mmkit_cli: Cli
) -> None:
    check(mmkit_cli, small)
    pyproject = small / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'public = ["facade", "models"]\n')
    found = check(mmkit_cli, small)
    assert VIEWS_E003 not in found
    assert found == {("mmkit.W002", "authors/models.py", 4)} == cold(small)


def test_baseline_and_suppressions_apply_to_cached_findings(small: Path, mmkit_cli: Cli) -> None:
    assert mmkit_cli("check", str(small)).exit_code == 1
    assert mmkit_cli("baseline", str(small)).exit_code == 0
    assert mmkit_cli("check", str(small)).exit_code == 0

    (small / "mmkit-baseline.json").unlink()
    assert mmkit_cli("check", str(small)).exit_code == 1

    views = small / "books" / "views.py"
    edit(views, views.read_text().replace("import Author", "import Author  # mmkit: ignore[E003]"))
    assert check(mmkit_cli, small) == set()
    assert mmkit_cli("check", str(small)).exit_code == 0


@pytest.mark.parametrize("name", CACHE_FILES)
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: b"\x00\xff garbage \x80", id="garbage"),
        pytest.param(lambda text: text.encode()[: len(text) // 2], id="truncated"),
        pytest.param(
            lambda text: text.replace(f'"format":{FORMAT}', '"format":0', 1).encode(),
            id="old-format",
        ),
        pytest.param(lambda text: f'{{"format":{FORMAT},"key":"x"}}'.encode(), id="other-key"),
        pytest.param(lambda text: b"[1, 2, 3]", id="not-an-object"),
    ],
)
def test_a_damaged_cache_file_is_ignored_and_rewritten(
    small: Path, mmkit_cli: Cli, name: str, damage: Callable[[str], bytes]
) -> None:
    check(mmkit_cli, small)
    target = small / ".mmkit_cache" / name
    target.write_bytes(damage(target.read_text()))
    models = small / "authors" / "models.py"
    edit(models, models.read_text() + "\n")  # so that every cache file is read and rewritten

    assert check(mmkit_cli, small) == {VIEWS_E003}
    assert json.loads(target.read_text())["format"] == FORMAT
    assert check(mmkit_cli, small) == {VIEWS_E003}


def test_damaged_entries_inside_a_cache_file_are_read_again(small: Path, mmkit_cli: Cli) -> None:
    check(mmkit_cli, small)
    path = small / ".mmkit_cache" / "facts.json"
    record = json.loads(path.read_text())
    record["files"] = {relpath: ["nonsense"] for relpath in record["files"]}
    path.write_text(json.dumps(record))
    views = small / "books" / "views.py"
    edit(views, views.read_text() + "\n")
    assert check(mmkit_cli, small) == {VIEWS_E003}


def test_two_runs_at_once_both_succeed_and_leave_a_readable_cache(small: Path) -> None:
    command = [sys.executable, "-m", "mmkit", "check", str(small), "--format", "json"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate()[0] for process in runs]
    assert [process.returncode for process in runs] == [1, 1]
    for output in outputs:
        assert {(f["rule"], f["path"], f["line"]) for f in json.loads(output)["findings"]} == {
            VIEWS_E003
        }
    for name in CACHE_FILES:
        assert json.loads((small / ".mmkit_cache" / name).read_text())["format"] == FORMAT
    assert not list((small / ".mmkit_cache").glob("*.tmp"))
    assert subprocess.run(command, capture_output=True).returncode == 1


def test_no_cache_writes_nothing(small: Path, mmkit_cli: Cli) -> None:
    assert check(mmkit_cli, small, "--no-cache") == {VIEWS_E003}
    assert mmkit_cli("baseline", str(small), "--no-cache").exit_code == 0
    assert mmkit_cli("graph", str(small), "--no-cache").exit_code == 0
    assert not (small / ".mmkit_cache").exists()


def test_cache_dir_puts_the_cache_elsewhere(small: Path, tmp_path: Path, mmkit_cli: Cli) -> None:
    elsewhere = tmp_path / "elsewhere" / "cache"
    assert check(mmkit_cli, small, "--cache-dir", str(elsewhere)) == {VIEWS_E003}
    assert not (small / ".mmkit_cache").exists()
    assert {p.name for p in elsewhere.iterdir()} >= set(CACHE_FILES)
    assert check(mmkit_cli, small, "--cache-dir", str(elsewhere)) == {VIEWS_E003}

    graph = mmkit_cli("graph", str(small), "--cache-dir", str(elsewhere))
    assert graph.exit_code == 0 and "flowchart" in graph.stdout


def test_a_cache_dir_inside_the_project_is_not_walked(small: Path, mmkit_cli: Cli) -> None:
    inside = small / "books" / "cachedir"
    check(mmkit_cli, small, "--cache-dir", str(inside))
    manifest = cache_module.manifest(load_project(small).config)
    assert not any(path.startswith("books/cachedir") for path in manifest.stats)
    assert check(mmkit_cli, small, "--cache-dir", str(inside)) == {VIEWS_E003}


def test_an_unwritable_cache_dir_still_checks(small: Path, tmp_path: Path, mmkit_cli: Cli) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    assert check(mmkit_cli, small, "--cache-dir", str(blocker / "cache")) == {VIEWS_E003}
    assert check(mmkit_cli, small, "--cache-dir", str(blocker / "cache")) == {VIEWS_E003}


def test_the_library_takes_a_cache_and_finds_what_it_finds_without(small: Path) -> None:
    project = load_project(small)
    first = cache_module.Cache.open(project.config)
    found = run(project, facts=Facts.of(project, first))
    first.save(project, found)
    second = cache_module.Cache.open(project.config)
    assert second.lookup() is not None
    project = load_project(small)
    assert run(project, facts=Facts.of(project, second)) == found == run(load_project(small))


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in FIXTURES.iterdir() if (p / "pyproject.toml").is_file()),
)
def test_the_python_import_scan_agrees_with_grimp(name: str) -> None:
    """What a warm run scans in Python is what grimp records, on every fixture project."""
    try:
        project = load_project(FIXTURES / name)
    except ConfigError:
        pytest.skip("not a loadable project")
    if not project.modules:
        pytest.skip("no modules")
    graph = imports_check.build_graph(project)
    files = {dotted_name(project.root, path): path for path in iter_python_files(project.root)}
    modules = {module for module in graph.modules if module in files}
    for module in sorted(modules & set(graph.imports)):
        path = files[module]
        found = scan_imports(path.read_bytes(), module, path.name == "__init__.py", modules)
        if found is None:
            continue
        expected = {imported: set(lines) for imported, lines in graph.imports[module].items()}
        assert found == expected, module


def test_an_edit_grimp_cannot_read_goes_back_to_grimp(small: Path, mmkit_cli: Cli) -> None:
    """A relative import above the top package makes grimp give up on the file (W004)."""
    check(mmkit_cli, small)
    edit(small / "books" / "facade.py", "from ...elsewhere import thing\n")
    found = check(mmkit_cli, small)
    assert ("mmkit.W004", "books/facade.py", 1) in found
    assert found == cold(small)


def test_after_an_edit_only_the_edited_file_is_read(small: Path) -> None:
    def run_once() -> tuple[list, int]:
        project = load_project(small)
        cache = cache_module.Cache.open(project.config)
        facts = Facts.of(project, cache)
        found = run(project, facts=facts)
        cache.save(project, found)
        return found, facts.reads

    first, reads = run_once()
    assert reads >= len(load_project(small).files)
    views = small / "books" / "views.py"
    edit(views, views.read_text() + "\n# edited\n")
    second, reads = run_once()
    assert (second, reads) == (first, 1)


def test_a_file_grimp_skipped_while_racy_keeps_its_w004(small: Path, mmkit_cli: Cli) -> None:
    """Its record is not kept (saved just now), but the import table remembers grimp skipped it."""
    check(mmkit_cli, small)
    broken = small / "books" / "views.py"
    broken.write_text(broken.read_text() + "\ndef broken(:\n")
    assert check(mmkit_cli, small) == cold(small)
    time.sleep(0.3)  # settled now; nothing else changes
    assert ("mmkit.W004", "books/views.py", 9) in cold(small)
    assert check(mmkit_cli, small) == cold(small)


def test_a_cold_run_with_a_cache_reads_each_file_once(small: Path) -> None:
    project = load_project(small)
    facts = Facts.of(project, cache_module.Cache.open(project.config))
    run(project, facts=facts)
    plain = Facts(project)
    run(project, facts=plain)
    # Every file once, books/views.py twice: its reported import is placed from its lines.
    assert facts.reads == plain.reads == len(project.files) + 1


def test_an_edited_file_is_read_once(small: Path) -> None:
    project = load_project(small)
    cache = cache_module.Cache.open(project.config)
    cache.save(project, run(project, facts=Facts.of(project, cache)))
    facade = small / "authors" / "facade.py"
    edit(facade, facade.read_text() + "\n# edited\n")
    project = load_project(small)
    facts = Facts.of(project, cache_module.Cache.open(project.config))
    assert run(project, facts=facts) == run(load_project(small))
    assert facts.reads == 1


def test_an_import_of_a_namespace_package_survives_a_warm_edit(
    copy_fixture: Callable[[str], Path], mmkit_cli: Cli
) -> None:
    project = copy_fixture("rb_namespace_module")
    (project / "pyproject.toml").write_text('[tool.mmkit]\nmodules = ["authors", "books"]\n')
    edit(project / "authors" / "x.py", "X = 1\n")
    check(mmkit_cli, project)
    edit(project / "authors" / "x.py", "import books\n")
    assert ("mmkit.E003", "authors/x.py", 1) in cold(project)
    assert check(mmkit_cli, project) == cold(project)


def test_a_cache_dir_inside_root_does_not_change_the_key(small: Path, mmkit_cli: Cli) -> None:
    inside = small / "mmcache"
    check(mmkit_cli, small, "--cache-dir", str(inside))
    config = load_project(small).config
    assert cache_module.Cache.open(config, inside).lookup() is not None
