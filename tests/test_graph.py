"""`mmkit graph`: the example's module graph exactly, and violations as counted red edges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Cli = Callable[..., Result]
ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "example_project"
FIXTURES = Path(__file__).parent / "fixtures"

EXAMPLE_MERMAID = """\
flowchart LR
    authors["authors"]
    books["books"]
    web["web"]
    books --> authors
    web --> authors
    web --> books
"""

EXAMPLE_DOT = """\
digraph mmkit {
    rankdir=LR;
    node [shape=box];
    "authors";
    "books";
    "web";
    "books" -> "authors";
    "web" -> "authors";
    "web" -> "books";
}
"""


def test_the_example_graph_in_mermaid(mmkit_cli: Cli) -> None:
    result = mmkit_cli("graph", str(EXAMPLE))

    assert (result.exit_code, result.stdout) == (0, EXAMPLE_MERMAID)


def test_the_example_graph_in_dot(mmkit_cli: Cli) -> None:
    result = mmkit_cli("graph", str(EXAMPLE), "--format", "dot")

    assert (result.exit_code, result.stdout) == (0, EXAMPLE_DOT)


def test_the_readme_shows_the_example_graph() -> None:
    assert f"```mermaid\n{EXAMPLE_MERMAID}```" in (ROOT / "README.md").read_text()


def test_violations_are_red_dashed_edges_counted_per_rule(mmkit_cli: Cli) -> None:
    result = mmkit_cli("graph", str(FIXTURES / "legacy"))

    assert result.exit_code == 0
    assert result.stdout == (
        "flowchart LR\n"
        '    authors["authors"]\n'
        '    books["books"]\n'
        '    reviews["reviews"]\n'
        '    shop["shop"]\n'
        "    authors --> books\n"
        "    books --> authors\n"
        "    authors -.->|E004 x1| books\n"
        "    books -.->|E001 x2, E002 x1, E003 x4, E004 x1| authors\n"
        "    reviews -.->|E001 x1| books\n"
        "    shop -.->|E005 x1| authors\n"
        "    shop -.->|E001 x1, E003 x1| books\n"
        "    shop -.->|E003 x1, E005 x1| reviews\n"
        "    linkStyle 2,3,4,5,6,7 stroke:#d73a49,stroke-width:2px,color:#d73a49\n"
    )


def test_dot_labels_violations(mmkit_cli: Cli) -> None:
    result = mmkit_cli("graph", str(FIXTURES / "out_small"), "--format", "dot")

    assert result.stdout == (
        "digraph mmkit {\n"
        "    rankdir=LR;\n"
        "    node [shape=box];\n"
        '    "authors";\n'
        '    "web";\n'
        '    "web" -> "authors" [style=dashed, color="#d73a49", fontcolor="#d73a49", '
        'label="E003 x1"];\n'
        "}\n"
    )


def test_a_configuration_error_is_one_line_and_exit_2(tmp_path: Path, mmkit_cli: Cli) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mmkit]\nmodules = ["nowhere"]\n')

    result = mmkit_cli("graph", str(tmp_path))

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "module 'nowhere' not found" in result.stderr


def test_the_graph_walks_the_project_once(
    copy_fixture: Callable[[str], Path], mmkit_cli: Cli, monkeypatch
) -> None:
    """The cache's walk of root (its key) is the one discovery reads too."""
    from mmkit import project as project_module

    monkeypatch.delenv("MMKIT_CACHE_DIR", raising=False)
    project = copy_fixture("imp_small")
    walks: list[Path] = []
    walk = project_module._python_files_by_directory

    def counted(root: Path, *args: object) -> object:
        walks.append(root)
        return walk(root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(project_module, "_python_files_by_directory", counted)
    assert mmkit_cli("graph", str(project)).exit_code == 0
    assert walks == [project]
