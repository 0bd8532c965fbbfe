"""`manage.py check` on the example project and on copies of it with boundary violations.

Each run is a subprocess with the example's own settings, as a team's CI runs it. The real
example is only read: bytecode and mmkit's cache go elsewhere.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from example_site import EXAMPLE, FOREIGN_KEY, copy_example, with_foreign_key

from mmkit.findings import RULES

PRIVATE_IMPORT = "from authors.models import Author  # noqa: F401"
MESSAGE = re.compile(r"^(?P<obj>\S+): \((?P<id>mmkit\.\w+)\) (?P<path>[^:\s]+):(?P<line>\d+):")

pytestmark = pytest.mark.skipif(
    not (EXAMPLE / "manage.py").is_file(), reason="the example project is not there yet"
)


def manage(project: Path, *args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """Run `python <project>/manage.py <args>` from the repository root, with a clean env."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(PYTHONDONTWRITEBYTECODE="1", MMKIT_CACHE_DIR=str(cache))
    return subprocess.run(
        [sys.executable, str(project / "manage.py"), *args],
        capture_output=True,
        text=True,
        cwd=cache,
        env=env,
        check=False,
        timeout=120,
    )


def issues(output: str) -> set[tuple[str, str, str, int]]:
    """(obj, id, path, line) of each mmkit message Django printed."""
    found = set()
    for line in output.splitlines():
        match = MESSAGE.match(line)
        if match:
            found.add((match["obj"], match["id"], match["path"], int(match["line"])))
    return found


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    directory = tmp_path / "cache"
    directory.mkdir()
    return directory


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A copy of the example with Book.author_id turned into a ForeignKey to authors.Author."""
    return with_foreign_key(copy_example(tmp_path, "example"))


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def add_private_import(copy: Path) -> int:
    """Import authors.models in web/views.py, just before its facade imports; the line."""
    views = copy / "web" / "views.py"
    text = views.read_text()
    anchor = "import authors.facade\n"
    assert anchor in text
    views.write_text(text.replace(anchor, f"{PRIVATE_IMPORT}\n{anchor}", 1))
    return line_of(views, PRIVATE_IMPORT)


def test_the_example_has_no_issues(cache: Path) -> None:
    result = manage(EXAMPLE, "check", cache=cache)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_cross_module_foreign_key_fails_with_e001(example_copy: Path, cache: Path) -> None:
    result = manage(example_copy, "check", cache=cache)
    line = line_of(example_copy / "books" / "models.py", FOREIGN_KEY)
    assert result.returncode == 1
    assert issues(result.stderr) == {("books.Book.author", "mmkit.E001", "books/models.py", line)}
    assert (
        f"books.Book.author: (mmkit.E001) books/models.py:{line}:5: books.Book.author is a "
        "ForeignKey to authors.Author, a model of module 'authors'\n"
        f"\tHINT: {RULES['mmkit.E001'].fix}"
    ) in result.stderr


def test_a_private_import_adds_e003_and_silencing_picks_one(
    example_copy: Path, cache: Path
) -> None:
    import_line = add_private_import(example_copy)
    fk_line = line_of(example_copy / "books" / "models.py", FOREIGN_KEY)
    e001 = ("books.Book.author", "mmkit.E001", "books/models.py", fk_line)
    e003 = ("web.views", "mmkit.E003", "web/views.py", import_line)

    result = manage(example_copy, "check", cache=cache)
    assert result.returncode == 1
    assert issues(result.stderr) == {e001, e003}
    assert (
        f"web.views: (mmkit.E003) web/views.py:{import_line}:1: web.views imports "
        "authors.models, private to module 'authors'"
    ) in result.stderr

    settings = example_copy / "config" / "settings.py"
    original = settings.read_text()
    settings.write_text(original + '\nSILENCED_SYSTEM_CHECKS = ["mmkit.E003"]\n')
    result = manage(example_copy, "check", cache=cache)
    assert (result.returncode, issues(result.stderr)) == (1, {e001})

    settings.write_text(original + '\nSILENCED_SYSTEM_CHECKS = ["mmkit.E001"]\n')
    result = manage(example_copy, "check", cache=cache)
    assert (result.returncode, issues(result.stderr)) == (1, {e003})


def test_tags_apps_and_fail_level_select_what_runs(example_copy: Path, cache: Path) -> None:
    import_line = add_private_import(example_copy)
    fk_line = line_of(example_copy / "books" / "models.py", FOREIGN_KEY)
    e001 = ("books.Book.author", "mmkit.E001", "books/models.py", fk_line)
    e003 = ("web.views", "mmkit.E003", "web/views.py", import_line)

    def found(*args: str) -> tuple[int, set[tuple[str, str, str, int]]]:
        result = manage(example_copy, "check", *args, cache=cache)
        return result.returncode, issues(result.stderr)

    assert found("--tag", "mmkit_relations") == (1, {e001})
    assert found("--tag", "mmkit_imports") == (1, {e003})
    assert found("--tag", "mmkit") == (1, {e001, e003})
    assert found("web") == (1, {e003})
    assert found("books") == (1, {e001})
    assert found("--fail-level", "CRITICAL") == (0, {e001, e003})


def test_a_broken_config_is_one_error_not_a_crash(example_copy: Path, cache: Path) -> None:
    pyproject = example_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.mmkit]", "[tool.mmkit]\nrooot = 1"))
    result = manage(example_copy, "check", cache=cache)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "?: (mmkit.E100) " in result.stderr
    assert "unknown key 'rooot' (did you mean 'root'?)" in result.stderr
    assert result.stderr.count("(mmkit.E100)") == 1


def test_hostile_files_are_warnings_never_a_hang_or_a_crash(tmp_path: Path, cache: Path) -> None:
    """A FIFO, a dangling symlink and an expression too deep for Python in web/: manage.py
    check finishes, with one mmkit.W004 warning each (warnings do not fail it)."""
    copy = copy_example(tmp_path, "example")
    os.mkfifo(copy / "web" / "pipe.py")
    (copy / "web" / "dangling.py").symlink_to("nowhere.py")
    (copy / "web" / "deep.py").write_text("class Deep:\n    x = " + "-" * 5000 + "1\n")

    for _ in range(2):  # cold, then from the door's cache
        result = manage(copy, "check", "--tag", "mmkit", cache=cache)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert {(path, rule) for _, rule, path, _ in issues(result.stderr)} == {
            ("web/pipe.py", "mmkit.W004"),
            ("web/dangling.py", "mmkit.W004"),
            ("web/deep.py", "mmkit.W004"),
        }
    (copy / "web" / "deep.py").write_text("class Deep:\n    x = -1\n")
    result = manage(copy, "check", "--tag", "mmkit", cache=cache)
    assert result.returncode == 0, result.stderr
    assert {path for _, _, path, _ in issues(result.stderr)} == {"web/pipe.py", "web/dangling.py"}


def test_a_name_the_facade_does_not_export_is_e003_in_manage_py_check(
    example_copy: Path, cache: Path
) -> None:
    views = example_copy / "web" / "views.py"
    text = views.read_text()
    anchor = "import authors.facade\n"
    taken = "from authors.facade import use_cases  # noqa: F401\n"
    views.write_text(text.replace(anchor, anchor + taken, 1))
    line = line_of(views, taken.strip())
    fk_line = line_of(example_copy / "books" / "models.py", FOREIGN_KEY)

    result = manage(example_copy, "check", cache=cache)

    assert result.returncode == 1
    assert issues(result.stderr) == {
        ("books.Book.author", "mmkit.E001", "books/models.py", fk_line),
        ("web.views", "mmkit.E003", "web/views.py", line),
    }
    assert (
        f"web.views: (mmkit.E003) web/views.py:{line}:1: web.views imports "
        "authors.facade.use_cases, which authors.facade does not export (its __all__: "
        "AuthorDTO, AuthorNotFound, NewAuthor, add_author, author_exists, delete_author, "
        "get_author, get_authors, list_authors)"
    ) in result.stderr
