"""new-module with a dotted name (`shop.billing`) and with a public interface other than facade.

Each generated module must pass its own checks: `manage.py check`, its tests, `mmkit check`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner
from test_scaffold import copy_example, new_module, run

from mmkit.cli import main


def make_shop_package(example: Path) -> None:
    (example / "shop").mkdir()
    (example / "shop" / "__init__.py").write_text('"""The shop\'s modules."""\n')


def test_a_nested_module_is_created_registered_and_passes_its_checks(tmp_path: Path) -> None:
    example = copy_example(tmp_path)
    make_shop_package(example)
    result = new_module(
        example, "shop.billing", "--model", "Invoice", "--field", "author_id:ref:authors"
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "created shop/billing/ (13 files)"
    apps = (example / "shop" / "billing" / "apps.py").read_text()
    assert "class ShopBillingConfig(AppConfig):\n" in apps
    assert '    name = "shop.billing"\n    label = "billing"\n' in apps
    assert '    "shop.billing",\n]' in (example / "config" / "settings.py").read_text()
    assert (
        '[tool.mmkit.modules."shop.billing"]\ndepends_on = ["authors"]\n'
        in (example / "pyproject.toml").read_text()
    )
    for command in (
        ("manage.py", "check"),
        ("manage.py", "makemigrations", "--check", "--dry-run"),
        ("-m", "pytest", "shop/billing", "-q"),
    ):
        outcome = run(example, sys.executable, *command)
        assert outcome.returncode == 0, f"{command}:\n{outcome.stdout}{outcome.stderr}"
    check = CliRunner().invoke(main, ["check", str(example)], catch_exceptions=False)
    assert check.exit_code == 0, check.output


def test_a_nested_module_whose_last_part_is_taken_gets_a_joined_label(tmp_path: Path) -> None:
    example = copy_example(tmp_path)
    make_shop_package(example)

    result = new_module(example, "shop.books")

    assert result.exit_code == 0, result.output
    apps = (example / "shop" / "books" / "apps.py").read_text()
    assert '    name = "shop.books"\n    label = "shop_books"\n' in apps
    outcome = run(example, sys.executable, "manage.py", "check")
    assert outcome.returncode == 0, outcome.stderr


def test_a_nested_module_needs_its_parent_package(tmp_path: Path) -> None:
    example = copy_example(tmp_path)

    result = new_module(example, "shop.billing")

    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: shop/ is not a package (no __init__.py); create the package first, or choose "
        "a top-level module name"
    )
    assert not (example / "shop").exists()


def test_the_scaffold_writes_the_interface_the_configuration_names(tmp_path: Path) -> None:
    example = copy_example(tmp_path)
    pyproject = example / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'settings = "config.settings"\n', 'settings = "config.settings"\npublic = ["api"]\n'
        )
    )
    for module in ("authors", "books"):
        (example / module / "facade.py").rename(example / module / "api.py")
    for path in example.rglob("*.py"):
        text = path.read_text()
        for module in ("authors", "books"):
            text = text.replace(f"{module}.facade", f"{module}.api")
            text = text.replace(f"from {module} import facade", f"from {module} import api")
        path.write_text(text)

    result = new_module(
        example, "invoices", "--model", "Invoice", "--field", "author_id:ref:authors"
    )

    assert result.exit_code == 0, result.output
    module = example / "invoices"
    assert (module / "api.py").is_file()
    assert not (module / "facade.py").exists()
    assert "from authors import api as authors_api\n" in (module / "use_cases.py").read_text()
    outcome = run(example, sys.executable, "-m", "pytest", "invoices", "-q")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    check = CliRunner().invoke(
        main, ["check", str(example), "--format", "json"], catch_exceptions=False
    )
    assert '"path": "invoices/' not in check.output
