"""fake_module: fakes of a module's facade for a `with` block or one test, always undone."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mmkit.testing import fake_module


@pytest.fixture
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An importable module `shelf_pkg` whose facade answers for real."""
    package = tmp_path / "shelf_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "facade.py").write_text(
        '__all__ = ["shelf_exists", "count"]\n\n\n'
        "def shelf_exists(shelf_id):\n    return shelf_id == 1\n\n\n"
        "def count():\n    return 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "shelf_pkg"
    for name in [n for n in sys.modules if n == "shelf_pkg" or n.startswith("shelf_pkg.")]:
        del sys.modules[name]


def test_a_fake_replaces_the_function_inside_the_block_only(shelf: str) -> None:
    from shelf_pkg import facade

    with fake_module(shelf, shelf_exists=lambda shelf_id: shelf_id == 2) as faked:
        assert faked is facade
        assert (facade.shelf_exists(1), facade.shelf_exists(2)) == (False, True)
        with fake_module(shelf, shelf_exists=lambda shelf_id: True):
            assert facade.shelf_exists(1)
        assert not facade.shelf_exists(1)

    assert (facade.shelf_exists(1), facade.shelf_exists(2)) == (True, False)
    assert facade.count() == 1


def test_a_name_the_facade_does_not_export_is_refused(shelf: str) -> None:
    with (
        pytest.raises(
            AttributeError,
            match=r"shelf_pkg.facade exports no 'shelf_exist' "
            r"\(did you mean 'shelf_exists'\?\)",
        ),
        fake_module(shelf, shelf_exist=lambda shelf_id: True),
    ):
        pass


def test_the_fixture_undoes_its_fakes_after_the_test(
    shelf: str, fake_module: Callable[..., object]
) -> None:
    from shelf_pkg import facade

    fake_module(shelf, count=lambda: 5)

    assert facade.count() == 5
