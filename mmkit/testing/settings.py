"""The settings of an isolated run: the project's, without the modules the run leaves out,
and with the `mmkit` app, whose system checks the run's checks step includes.

DJANGO_SETTINGS_MODULE points here in the run's own process; MMKIT_TEST_SPEC names the
run's spec. Every other setting (databases, URLs, middleware) is the project's own.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from mmkit.testing.spec import RunSpec

_spec = RunSpec.read(Path(os.environ["MMKIT_TEST_SPEC"]))
_project = importlib.import_module(_spec.settings)

globals().update({name: value for name, value in vars(_project).items() if name.isupper()})


def _left_out(entry: str) -> bool:
    """Whether an INSTALLED_APPS entry (`books` or `books.apps.BooksConfig`) is left out."""
    owners = [name for name in _spec.all_modules if entry == name or entry.startswith(name + ".")]
    left_out = {info.name for info in _spec.left_out}
    return bool(owners) and max(owners, key=len) in left_out


INSTALLED_APPS = [app for app in _project.INSTALLED_APPS if not _left_out(app)]
if not any(app == "mmkit" or app.startswith("mmkit.") for app in INSTALLED_APPS):
    INSTALLED_APPS.append("mmkit")  # the run's checks step includes mmkit's system checks
