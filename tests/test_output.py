"""`mmkit check --format json|github`, asserted exactly on a small project (out_small).

out_small has one error (web.views imports authors.models) and one warning (web has no
facade); the SARIF format has its own test module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from mmkit.findings import RULES, Finding
from mmkit.output import Report, render
from mmkit.output.github import escape_data, escape_property

Cli = Callable[..., Result]
FIXTURES = Path(__file__).parent / "fixtures"
W001_HINT = RULES["mmkit.W001"].fix
E003_HINT = (
    "Import the public interface of module 'authors' (authors.facade, authors.events) "
    "instead, and add the "
    "function you need there if it is missing."
)


def test_json(mmkit_cli: Cli) -> None:
    result = mmkit_cli("check", str(FIXTURES / "out_small"), "--format", "json")
    document = json.loads(result.stdout)
    assert isinstance(document["summary"]["seconds"], float)
    document["summary"]["seconds"] = 0

    assert result.exit_code == 1
    assert document == {
        "schema_version": 1,
        "findings": [
            {
                "rule": "mmkit.W001",
                "severity": "warning",
                "path": "web/__init__.py",
                "line": 1,
                "column": 1,
                "message": "module 'web' has no public interface (looked for: facade, events)",
                "hint": W001_HINT,
                "module": "web",
            },
            {
                "rule": "mmkit.E003",
                "severity": "error",
                "path": "web/views.py",
                "line": 3,
                "column": 1,
                "message": "web.views imports authors.models, private to module 'authors'",
                "hint": E003_HINT,
                "module": "web",
                "imported": "authors.models",
            },
        ],
        "summary": {
            "findings": 2,
            "rules": {"mmkit.E003": 1, "mmkit.W001": 1},
            "modules": 2,
            "files": 5,
            "seconds": 0,
            "baselined": 0,
            "stale": [],
        },
    }
    assert result.stdout.startswith('{\n  "schema_version": 1,\n  "findings": [\n')


def test_json_names_model_field_and_target_of_relations() -> None:
    finding = Finding(
        "mmkit.E001",
        "books/models.py",
        8,
        5,
        "books.Book.author is a ForeignKey to authors.Author, a model of module 'authors'",
        RULES["mmkit.E001"].fix,
        module="books",
        model="books.Book",
        field="author",
        target="authors.Author",
    )

    data = json.loads(render("json", Report((finding,), 2, 3, 0.5)))["findings"][0]

    assert {k: data[k] for k in ("module", "model", "field", "target")} == {
        "module": "books",
        "model": "books.Book",
        "field": "author",
        "target": "authors.Author",
    }
    assert "imported" not in data


def test_github(mmkit_cli: Cli) -> None:
    result = mmkit_cli(
        "check", str(FIXTURES / "out_small"), "--format", "github", "--path-prefix", ""
    )

    assert result.exit_code == 1
    assert result.stdout == (
        "::warning file=web/__init__.py,line=1,col=1,title=mmkit.W001::"
        "module 'web' has no public interface (looked for: facade, events)"
        f"%0Ahint: {W001_HINT}\n"
        "::error file=web/views.py,line=3,col=1,title=mmkit.E003::"
        "web.views imports authors.models, private to module 'authors'"
        f"%0Ahint: {E003_HINT}\n"
    )


def test_github_reports_stale_baseline_entries(
    copy_fixture: Callable[[str], Path], mmkit_cli: Cli
) -> None:
    project = copy_fixture("out_small")
    assert mmkit_cli("baseline", str(project)).exit_code == 0
    views = project / "web" / "views.py"
    views.write_text(views.read_text().replace("from authors.models import Author", "Author = 1"))

    result = mmkit_cli("check", str(project), "--format", "github")

    assert result.exit_code == 1
    assert result.stdout == (
        "::error title=mmkit baseline::stale baseline entry: mmkit.E003 web.views imports "
        "authors.models: 1 of 1 recorded no longer occurs; run `mmkit baseline` to drop it "
        "from the baseline\n"
    )


def test_github_escapes_messages_and_properties() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    finding = Finding("mmkit.W004", "odd,name:x.py", 0, 0, "50%\nof it", "fix it")

    assert render("github", Report((finding,), 1, 1, 0.0)) == (
        "::warning file=odd%2Cname%3Ax.py,title=mmkit.W004::50%25%0Aof it%0Ahint: fix it\n"
    )
