"""Hostile input and odd file systems: each case a defect found by attacking mmkit, run through
the real CLI in a subprocess (a crash, a hang or a traceback must show as such)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
E003 = (
    "books/views.py:3:1: mmkit.E003 books.views imports authors.models, private to module 'authors'"
)
AS_UNPRIVILEGED = (
    ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all")
    if os.geteuid() == 0 and shutil.which("setpriv")
    else ()
)
"""Root reads every folder whatever its mode: drop the capabilities that let it."""
needs_permissions = pytest.mark.skipif(
    os.geteuid() == 0 and not AS_UNPRIVILEGED,
    reason="running as root without setpriv: file modes cannot deny anything",
)


def mmkit(
    project: Path, *args: str, prefix: tuple[str, ...] = (), timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update(env)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "mmkit", *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("    hint:")]


@pytest.fixture
def small(copy_fixture: Callable[[str], Path]) -> Path:
    """imp_small: modules authors and books, one E003 in books/views.py."""
    return copy_fixture("imp_small")


def both_ways(project: Path, *args: str, **env: str) -> list[subprocess.CompletedProcess[str]]:
    """The check without cache, then twice with one (cold, warm): all must agree."""
    cache = str(project.parent / "cache")
    return [
        mmkit(project, "check", "--no-cache", *args, **env),
        mmkit(project, "check", "--cache-dir", cache, *args, **env),
        mmkit(project, "check", "--cache-dir", cache, *args, **env),
    ]


def assert_all(runs: list[subprocess.CompletedProcess[str]], code: int, *expected: str) -> None:
    for run in runs:
        assert run.stderr == "", run.stderr
        assert run.returncode == code
        found = lines(run.stdout)
        assert found[:-1] == list(expected)


# 3. --cache-dir . must never mark the project as a cache --------------------------------


@pytest.mark.parametrize("where", [".", "books", "existing"])
def test_a_cache_dir_mmkit_did_not_create_is_never_marked(small: Path, where: str) -> None:
    (small / "existing").mkdir()
    result = mmkit(small, "check", "--cache-dir", where)

    assert result.returncode == 1
    assert not (small / where / ".gitignore").exists()
    assert not (small / where / "CACHEDIR.TAG").exists()


def test_a_cache_dir_mmkit_creates_is_marked(small: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MMKIT_CACHE_DIR"}
    subprocess.run(
        [sys.executable, "-m", "mmkit", "check"], cwd=small, env=env, capture_output=True
    )
    assert (small / ".mmkit_cache" / "CACHEDIR.TAG").is_file()
    assert (small / ".mmkit_cache" / ".gitignore").read_text().endswith("*\n")


# 5. files mmkit creates get the mode a normal write gives ---------------------------------


@pytest.mark.parametrize(("umask", "mode"), [("022", 0o644), ("027", 0o640), ("002", 0o664)])
def test_the_baseline_gets_the_mode_the_umask_gives(small: Path, umask: str, mode: int) -> None:
    result = subprocess.run(
        ["sh", "-c", f'umask {umask} && exec "$0" -m mmkit baseline', sys.executable],
        cwd=small,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((small / "mmkit-baseline.json").stat().st_mode) == mode


def test_a_rewritten_baseline_keeps_its_mode(small: Path) -> None:
    baseline = small / "mmkit-baseline.json"
    baseline.write_text("{}")
    baseline.chmod(0o600)
    assert mmkit(small, "baseline").returncode == 0
    assert stat.S_IMODE(baseline.stat().st_mode) == 0o600


# 6, 7. module folders behind a symlink or that cannot be listed -------------------------


def test_a_module_folder_that_is_a_symlink_is_checked(small: Path) -> None:
    (small / "vendor_src").mkdir()
    (small / "books").rename(small / "vendor_src" / "books")
    (small / "books").symlink_to(Path("vendor_src") / "books")

    assert_all(both_ways(small), 1, E003)


@needs_permissions
def test_a_folder_that_cannot_be_listed_is_a_w004(small: Path) -> None:
    warm(small)
    (small / "books").chmod(0o311)
    try:
        runs = [
            mmkit(small, "check", "--no-cache", prefix=tuple(AS_UNPRIVILEGED)),
            mmkit(
                small,
                "check",
                "--cache-dir",
                str(small.parent / "c"),
                prefix=tuple(AS_UNPRIVILEGED),
            ),
        ]
    finally:
        (small / "books").chmod(0o755)
    for run in runs:
        assert run.returncode == 1, run.stderr
        assert lines(run.stdout)[:-1] == [
            "books:1:1: mmkit.W004 could not list books/ (Permission denied); its files "
            "were not checked"
        ]


# 11, 12. hostile configuration ------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "shown"),
    [('root = "a\\u0000b"', "root"), ('templates = "t\\u0000"', "templates")],
)
def test_a_nul_byte_in_a_path_setting_is_one_line(small: Path, setting: str, shown: str) -> None:
    pyproject = small / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + setting + "\n")

    result = mmkit(small, "check")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {pyproject}: [tool.mmkit] '{shown}' contains a NUL character\n"
    )


def test_deeply_nested_toml_is_one_line(small: Path) -> None:
    pyproject = small / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "x = " + "[" * 600 + "]" * 600 + "\n")

    result = mmkit(small, "check")

    assert result.returncode == 2
    assert result.stderr == f"Error: {pyproject} is not valid TOML: nested too deeply\n"


def test_a_deeply_nested_baseline_is_one_line(small: Path) -> None:
    baseline = small / "mmkit-baseline.json"
    baseline.write_text("[" * 100_000)

    result = mmkit(small, "check")

    assert result.returncode == 2
    assert result.stderr == (
        f"Error: {baseline} is not a valid mmkit baseline: not valid JSON (nested too deeply); "
        "fix it or delete it and run `mmkit baseline`\n"
    )


# 13, 14. source files that break parsers ------------------------------------------------


def w004_parse(relpath: str, reason: str, line: int = 1, column: int = 1) -> str:
    return (
        f"{relpath}:{line}:{column}: mmkit.W004 could not parse {relpath}: {reason}; "
        "the rest of the project was checked"
    )


TOO_DEEP = "nested too deeply for Python's parser"


@pytest.mark.parametrize(
    ("source", "where", "reason"),
    [
        ("x = " + "-" * 5000 + "1\n", (1, 1), TOO_DEEP),
        ("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", (3, 205), "too many nested parentheses"),
        ("x = " + "+".join(["1"] * 5000) + "\n", (1, 1), TOO_DEEP),
    ],
    ids=["unary", "parentheses", "chain"],
)
def test_a_deeply_nested_expression_is_a_w004(
    small: Path, source: str, where: tuple[int, int], reason: str
) -> None:
    (small / "books" / "deep.py").write_text("class Deep:\n    pass\n" + source)

    assert_all(both_ways(small), 1, w004_parse("books/deep.py", reason, *where), E003)


@pytest.mark.parametrize(
    "source",
    ["x = " + "+".join(["1"] * 200_000) + "\n", "x = a" + ".b" * 100_000 + "\n"],
    ids=["chain", "attributes"],
)
def test_an_expression_that_crashed_grimp_is_read_without_a_crash(small: Path, source: str) -> None:
    (small / "books" / "huge.py").write_text("from authors import models\n" + source)

    runs = both_ways(small)

    for run in runs:
        assert run.stderr == ""
        assert run.returncode == 1
        assert lines(run.stdout)[:-1] == [
            "books/huge.py:1:1: mmkit.E003 books.huge imports authors.models, "
            "private to module 'authors'",
            E003,
        ]


# 15, 16 and dangling symlinks: files that are not plain readable files ------------------


def w004_file(relpath: str, reason: str) -> str:
    return (
        f"{relpath}:1:1: mmkit.W004 could not read {relpath}: {reason}; "
        "the rest of the project was checked"
    )


def test_a_file_name_that_is_not_utf8_is_a_w004(small: Path) -> None:
    os.close(os.open(os.fsencode(small / "books") + b"/\xff\xfe.py", os.O_CREAT | os.O_WRONLY))
    expected = "'" + w004_file("books/\\xff\\xfe.py", "its name is not UTF-8").replace(":", "':", 1)

    assert_all(both_ways(small), 1, expected, E003)
    for fmt in ("json", "sarif", "github"):
        run = mmkit(small, "check", "--no-cache", "--format", fmt)
        assert run.returncode == 1 and run.stderr == "", run.stderr
    assert mmkit(small, "baseline").returncode == 0
    assert "\\\\xff\\\\xfe" in (small / "mmkit-baseline.json").read_text()


def warm(project: Path) -> None:
    """Fill the cache both_ways uses, before the test breaks something."""
    assert mmkit(project, "check", "--cache-dir", str(project.parent / "cache")).returncode == 1


def test_a_fifo_is_skipped_and_reported(small: Path) -> None:
    warm(small)
    os.mkfifo(small / "books" / "pipe.py")

    runs = [mmkit(small, *args, timeout=30) for args in (("check", "--no-cache"), ("check",))]
    runs += both_ways(small)

    for run in runs:
        assert run.returncode == 1
        assert lines(run.stdout)[:-1] == [w004_file("books/pipe.py", "not a regular file"), E003]


def test_a_dangling_symlink_is_a_w004_with_and_without_cache(small: Path) -> None:
    warm(small)
    (small / "books" / "dangling.py").symlink_to("nowhere.py")

    assert_all(both_ways(small), 1, w004_file("books/dangling.py", "a symlink to nothing"), E003)


# Names in the output ------------------------------------------------------------------------


def test_names_that_are_not_identifiers_are_quoted_in_text(small: Path) -> None:
    views = small / "books" / "views.py"
    views.rename(small / "books" / "my\nviews.py")

    run = mmkit(small, "check", "--no-cache")

    assert run.returncode == 1
    assert lines(run.stdout)[:-1] == [
        "'books/my\\nviews.py':3:1: mmkit.E003 'books.my\\nviews' imports authors.models, "
        "private to module 'authors'"
    ]
    data = json.loads(mmkit(small, "check", "--no-cache", "--format", "json").stdout)
    assert data["findings"][0]["path"] == "books/my\nviews.py"
    assert data["findings"][0]["message"].startswith("'books.my\\nviews' imports")


# 8. an exclude that hides a whole module says so ------------------------------------------


def test_an_exclude_that_hides_a_whole_module_is_a_w004(small: Path) -> None:
    pyproject = small / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'exclude = ["**/migrations/**", "books/**"]\n')

    assert_all(
        both_ways(small),
        1,
        "books/__init__.py:1:1: mmkit.W004 module 'books' is left out by exclude = "
        '["**/migrations/**", "books/**"]: none of its files is checked',
    )


@needs_permissions
def test_a_file_that_cannot_be_read_is_a_w004_not_an_error(small: Path) -> None:
    locked = small / "books" / "locked.py"
    locked.write_text("from authors import models\n")
    locked.chmod(0o000)
    cache = str(small.parent / "cache")
    runs = [
        mmkit(small, *args, prefix=AS_UNPRIVILEGED)
        for args in (("check", "--no-cache"), ("check", "--cache-dir", cache))
    ]
    for run in runs:
        assert run.stderr == ""
        assert run.returncode == 1
        assert lines(run.stdout)[:-1] == [
            "books/locked.py:1:1: mmkit.W004 could not parse books/locked.py: Permission "
            "denied; the rest of the project was checked",
            E003,
        ]


@pytest.mark.parametrize("where", ["books/apps.py", "mmkit-baseline.json", "cache/result.json"])
def test_fifos_where_mmkit_reads_a_single_file_never_block(small: Path, where: str) -> None:
    cache = small.parent / "cache"
    assert mmkit(small, "check", "--cache-dir", str(cache)).returncode == 1
    target = small.parent / where if where.startswith("cache/") else small / where
    target.unlink(missing_ok=True)
    os.mkfifo(target)

    run = mmkit(small, "check", "--cache-dir", str(cache), timeout=30)

    assert "Traceback" not in run.stderr
    if where == "mmkit-baseline.json":
        assert run.returncode == 2
        assert run.stderr == f"Error: cannot read {target}: not a regular file\n"
    else:
        assert run.returncode == 1, run.stderr
        assert E003 in run.stdout


def test_a_link_to_a_big_folder_outside_the_project_is_not_walked(small: Path) -> None:
    (small / "books" / "everything").symlink_to("/")
    (small / "books" / "up").symlink_to("..")
    cache = str(small.parent / "cache")

    runs = [
        mmkit(small, *args, timeout=60)
        for args in (("check", "--no-cache"), ("check", "--cache-dir", cache))
    ]

    assert_all(runs, 1, E003)


@pytest.mark.parametrize("folder", ["build", "env", "dist"])
def test_a_subpackage_named_like_build_output_is_checked(small: Path, folder: str) -> None:
    package = small / "books" / folder
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "steps.py").write_text("from authors import models\n")

    assert_all(
        both_ways(small),
        1,
        f"books/{folder}/steps.py:1:1: mmkit.E003 books.{folder}.steps imports authors.models, "
        "private to module 'authors'",
        E003,
    )


def test_a_cache_folder_that_links_outside_the_project_is_never_written(small: Path) -> None:
    outside = small.parent / "outside"
    outside.mkdir()
    (small / ".mmkit_cache").symlink_to(outside)
    env = {k: v for k, v in os.environ.items() if k != "MMKIT_CACHE_DIR"}

    for _ in range(2):
        run = subprocess.run(
            [sys.executable, "-m", "mmkit", "check"],
            cwd=small,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 1, run.stderr
        assert lines(run.stdout)[:-1] == [E003]
    assert list(outside.iterdir()) == []


def test_the_django_door_does_not_use_a_linked_default_cache_either(small: Path) -> None:
    from mmkit.cache import Cache
    from mmkit.config import load

    (small.parent / "outside").mkdir()
    (small / ".mmkit_cache").symlink_to(small.parent / "outside")
    config = load(small)

    assert Cache.open(config, config.base_dir / ".mmkit_cache").usable is False
    assert Cache.open(config).usable is False
    assert Cache.open(config, small.parent / "outside").usable is True


def test_a_file_not_in_utf8_with_a_newline_in_its_name_is_a_w004(small: Path) -> None:
    (small / "books" / "new\nline.py").write_bytes(b"\xff\xfe not utf-8\n")

    for run in both_ways(small):
        assert run.stderr == ""
        assert run.returncode == 1
        assert lines(run.stdout)[:-1] == [
            "'books/new\\nline.py':1:2: mmkit.W004 could not parse books/new\\nline.py: "
            "(unicode error) 'utf-8' codec can't decode byte 0xff in position 0: invalid start "
            "byte; the rest of the project was checked",
            E003,
        ]


def test_an_exclude_pattern_that_would_backtrack_forever_is_matched_in_linear_time(
    small: Path,
) -> None:
    folder = small / "books"
    for depth in range(14):
        folder = folder / f"p{depth}"
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    (folder / "leaf.py").write_text("from authors import models\n")
    pyproject = small / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'exclude = ["' + "**/" * 25 + 'zz"]\n')

    run = mmkit(small, "check", "--no-cache", timeout=60)

    assert run.returncode == 1
    assert lines(run.stdout)[:-1] == [
        "books/p0/p1/p2/p3/p4/p5/p6/p7/p8/p9/p10/p11/p12/p13/leaf.py:1:1: mmkit.E003 "
        "books.p0.p1.p2.p3.p4.p5.p6.p7.p8.p9.p10.p11.p12.p13.leaf imports authors.models, "
        "private to module 'authors'",
        E003,
    ]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/migrations/**", "books/migrations/0001_initial.py", True),
        ("**/migrations/**", "migrations/x.py", True),
        ("**/migrations/**", "books/migrationsx/x.py", False),
        ("books/*.py", "books/views.py", True),
        ("books/*.py", "books/sub/views.py", False),
        ("**/t?sts/**/*.py", "a/tests/b/c.py", True),
        ("**/t?sts/**/*.py", "a/tests/c.py", True),
        ("**/t?sts/**/*.py", "a/tests/c.txt", False),
        ("a/**", "a/b/c.py", True),
        ("**/**/**/x.py", "x.py", True),
        ("**/**/**/x.py", "a/b/x.py", True),
        ("*a*a*a*b", "a" * 300, False),
    ],
)
def test_exclude_globs_mean_the_same_on_both_matchers(
    pattern: str, path: str, expected: bool
) -> None:
    from mmkit.project import GlobAutomaton, _glob_tokens, glob_to_regex

    assert bool(glob_to_regex(pattern).match(path)) is expected
    assert GlobAutomaton(_glob_tokens(pattern)).match(path) is expected
