"""Registration edits keep a file's formatting and comments, or refuse to guess.

Each case is the exact text before and after: a textual insertion is only trustworthy when
every byte around it is provably untouched.
"""

from __future__ import annotations

import pytest

from mmkit.scaffold.register import (
    CannotEdit,
    add_installed_app,
    add_module_table,
    add_module_to_list,
    app_label,
)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            'INSTALLED_APPS = [\n    "a",\n    "b",  # last\n]\n',
            'INSTALLED_APPS = [\n    "a",\n    "b",  # last\n    "invoices",\n]\n',
        ),
        (
            "INSTALLED_APPS = [\n    'a',\n    'b'\n]\n",
            "INSTALLED_APPS = [\n    'a',\n    'b',\n    'invoices'\n]\n",
        ),
        (
            'INSTALLED_APPS = ["a", "b"]  # short\n',
            'INSTALLED_APPS = ["a", "b", "invoices"]  # short\n',
        ),
        ("INSTALLED_APPS = ('a',)\n", "INSTALLED_APPS = ('a', 'invoices',)\n"),
        ("INSTALLED_APPS = []\n", 'INSTALLED_APPS = ["invoices"]\n'),
        ("INSTALLED_APPS = ()\n", 'INSTALLED_APPS = ("invoices",)\n'),
        (
            'INSTALLED_APPS = ["a",\n                  "b"]\n',
            'INSTALLED_APPS = ["a",\n                  "b", "invoices"]\n',
        ),
        (
            'INSTALLED_APPS: list[str] = [\n    *BASE,\n    "b",\n]\nX = 1\n',
            'INSTALLED_APPS: list[str] = [\n    *BASE,\n    "b",\n    "invoices",\n]\nX = 1\n',
        ),
        (
            '# é\nINSTALLED_APPS = ["ä"]\nINSTALLED_APPS = [\n    "b",\n]\n',
            '# é\nINSTALLED_APPS = ["ä"]\nINSTALLED_APPS = [\n    "b",\n    "invoices",\n]\n',
        ),
    ],
)
def test_installed_apps_gets_the_name_in_the_list_style(before: str, after: str) -> None:
    assert add_installed_app(before, "invoices") == after


@pytest.mark.parametrize(
    "source",
    [
        'INSTALLED_APPS = BASE + ["a"]\n',
        "INSTALLED_APPS = list(BASE)\n",
        'INSTALLED_APPS = "a", "b"\n',
        "DEBUG = True\n",
    ],
)
def test_installed_apps_that_is_not_a_literal_is_not_edited(source: str) -> None:
    with pytest.raises(CannotEdit):
        add_installed_app(source, "invoices")


PYPROJECT_TABLES = """\
[project]
name = "shop"

[tool.mmkit]
settings = "config.settings"

# the modules
[tool.mmkit.modules.authors]

[tool.mmkit.modules.books]
depends_on = ["authors"]  # books may use authors
# books ends here

# tools
[tool.ruff]
line-length = 100
"""


def test_a_module_table_goes_after_the_last_one_with_its_comments() -> None:
    assert add_module_table(PYPROJECT_TABLES, "invoices", ("authors", "books")) == (
        PYPROJECT_TABLES.replace(
            "# books ends here\n",
            "# books ends here\n"
            "\n"
            "[tool.mmkit.modules.invoices]\n"
            'depends_on = ["authors", "books"]\n',
        )
    )


def test_a_module_table_at_the_end_of_the_file_without_a_newline() -> None:
    before = '[tool.mmkit]\n\n[tool.mmkit.modules.authors]\npublic = ["facade"]'

    assert add_module_table(before, "invoices", ()) == (
        '[tool.mmkit]\n\n[tool.mmkit.modules.authors]\npublic = ["facade"]\n'
        "\n[tool.mmkit.modules.invoices]\ndepends_on = []\n"
    )


def test_a_module_table_before_a_header_keeps_a_blank_line() -> None:
    before = '[tool.mmkit.modules.authors]\npublic = ["facade"]\n[tool.ruff]\n'

    assert add_module_table(before, "invoices", ()) == (
        '[tool.mmkit.modules.authors]\npublic = ["facade"]\n'
        "\n[tool.mmkit.modules.invoices]\ndepends_on = []\n\n[tool.ruff]\n"
    )


def test_windows_line_endings_stay_windows_line_endings() -> None:
    settings = 'INSTALLED_APPS = [\r\n    "a",\r\n]\r\n'
    pyproject = "[tool.mmkit.modules.authors]\r\n"

    assert add_installed_app(settings, "invoices") == (
        'INSTALLED_APPS = [\r\n    "a",\r\n    "invoices",\r\n]\r\n'
    )
    assert add_module_table(pyproject, "invoices", ()) == (
        "[tool.mmkit.modules.authors]\r\n\r\n[tool.mmkit.modules.invoices]\r\ndepends_on = []\r\n"
    )


def test_an_inline_modules_table_is_not_edited() -> None:
    with pytest.raises(CannotEdit):
        add_module_table("[tool.mmkit]\nmodules = { authors = {} }\n", "invoices", ())


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            '[tool.mmkit]\nmodules = ["authors", "books"]  # all of them\n',
            '[tool.mmkit]\nmodules = ["authors", "books", "invoices"]  # all of them\n',
        ),
        (
            "[tool.mmkit]\nmodules = [\n  'authors',\n  # 'old', ]\n  'books',\n]\nroot = '.'\n",
            "[tool.mmkit]\nmodules = [\n  'authors',\n  # 'old', ]\n  'books',\n  'invoices',\n]\n"
            "root = '.'\n",
        ),
        (
            '[tool.other]\nmodules = ["x"]\n\n[tool.mmkit]\nmodules = ["a\\"]"]\n',
            '[tool.other]\nmodules = ["x"]\n\n[tool.mmkit]\nmodules = ["a\\"]", "invoices"]\n',
        ),
    ],
)
def test_a_modules_list_gets_the_name_in_its_style(before: str, after: str) -> None:
    assert add_module_to_list(before, "invoices") == after


def test_a_dotted_modules_key_is_not_guessed() -> None:
    with pytest.raises(CannotEdit):
        add_module_to_list('[tool]\nmmkit.modules = ["authors"]\n', "invoices")


@pytest.mark.parametrize(
    ("entry", "label"),
    [
        ("django.contrib.admin", "admin"),
        ("authors", "authors"),
        ("shop.billing", "billing"),
        ("shop.apps.ShopConfig", "shop"),
        ("shop.billing.apps.BillingConfig", "billing"),
    ],
)
def test_the_default_label_of_an_installed_app(entry: str, label: str) -> None:
    assert app_label(entry) == label
