"""`mmkit check`: exact text output, the summary line and the exit codes 0, 1 and 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from example_site import copy_example

from mmkit.findings import Finding
from mmkit.output import Report, render

EXAMPLE = Path(__file__).parent.parent / "example_project"
needs_example = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="example_project is not there")
SECONDS = re.compile(r"\d+\.\d\d s\)$", re.MULTILINE)


def without_time(text: str) -> str:
    return SECONDS.sub("T s)", text)


def test_findings_print_as_clickable_lines_with_hints_then_a_summary(
    copy_fixture, mmkit_cli
) -> None:
    result = mmkit_cli("check", str(copy_fixture("imp_small")))

    assert result.exit_code == 1
    assert result.stderr == ""
    assert without_time(result.stdout) == (
        "books/views.py:3:1: mmkit.E003 books.views imports authors.models, private to module "
        "'authors'\n"
        "    hint: Import the public interface of module 'authors' (authors.facade, "
        "authors.events) instead, "
        "and add the function you need there if it is missing.\n"
        "1 finding in 1 module (2 modules, 8 files, T s)\n"
    )


def test_clean_project_exits_zero_with_a_summary(copy_fixture, mmkit_cli) -> None:
    result = mmkit_cli("check", str(copy_fixture("imp_clean")))

    assert result.exit_code == 0
    assert without_time(result.stdout) == "no findings (2 modules, 7 files, T s)\n"


def test_summary_counts_findings_and_the_modules_they_are_in(copy_fixture, mmkit_cli) -> None:
    result = mmkit_cli("check", str(copy_fixture("layout_nested")))

    assert result.exit_code == 1
    assert without_time(result.stdout.splitlines()[-1]) == (
        "3 findings in 2 modules (2 modules, 10 files, T s)"
    )


def test_default_path_is_the_current_directory(copy_fixture, mmkit_cli, monkeypatch) -> None:
    monkeypatch.chdir(copy_fixture("imp_clean"))

    result = mmkit_cli("check")

    assert result.exit_code == 0
    assert result.stdout.startswith("no findings (")


def test_configuration_error_exits_two(tmp_path, mmkit_cli) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mmkit]\nmodules = []\n")

    result = mmkit_cli("check", str(tmp_path))

    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")


def test_unknown_format_is_a_usage_error(copy_fixture, mmkit_cli) -> None:
    result = mmkit_cli("check", "--format", "xml", str(copy_fixture("imp_clean")))

    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def finding(path: str, module: str | None, rule: str = "mmkit.E003") -> Finding:
    return Finding(rule, path, 3, 1, "a message", "a hint", module=module)


def test_text_summary_uses_singular_and_plural_forms() -> None:
    one = Report(findings=(finding("a.py", "a"),), modules=1, files=1, seconds=0.5)
    many = Report(
        findings=(finding("a.py", "a"), finding("b.py", "b"), finding("c.py", "b")),
        modules=14,
        files=212,
        seconds=0.314,
    )

    assert (
        render("text", one).splitlines()[-1] == "1 finding in 1 module (1 module, 1 file, 0.50 s)"
    )
    assert render("text", many).splitlines()[-1] == (
        "3 findings in 2 modules (14 modules, 212 files, 0.31 s)"
    )


def test_text_lists_stale_baseline_entries_and_baselined_counts() -> None:
    report = Report(
        findings=(finding("config/urls.py", None, "mmkit.W004"),),
        modules=3,
        files=42,
        seconds=0.12,
        baselined=5,
        stale=("mmkit.E003 books -> authors.models",),
    )

    assert render("text", report) == (
        "config/urls.py:3:1: mmkit.W004 a message\n"
        "    hint: a hint\n"
        "stale baseline entry: mmkit.E003 books -> authors.models\n"
        "    hint: the finding no longer occurs; run `mmkit baseline` to drop it from the "
        "baseline\n"
        "1 finding, 1 stale baseline entry (3 modules, 42 files, 5 baselined, 0.12 s)\n"
    )


@needs_example
def test_the_example_project_is_clean(mmkit_cli) -> None:
    result = mmkit_cli("check", str(EXAMPLE))

    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("no findings (3 modules, ")


@needs_example
def test_a_view_importing_another_modules_model_is_exactly_one_finding(
    tmp_path, check_project, locations
) -> None:
    example = copy_example(tmp_path)
    views = example / "web" / "views.py"
    lines = views.read_text().splitlines(keepends=True)
    at = lines.index("import books.facade\n") + 1
    lines.insert(at, "from authors.models import Author\n")
    views.write_text("".join(lines))

    assert locations(check_project(example)) == {("mmkit.E003", "web/views.py", at + 1)}
