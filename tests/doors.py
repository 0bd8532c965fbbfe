"""Both doors on one fixture project: `mmkit check --format json` and Django's system checks.

The Django door runs in a subprocess (INSTALLED_APPS made of the project's modules and mmkit),
so each fixture gets a registry of its own; both answer {(rule, path, line)}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

Location = tuple[str, str, int]

_CHILD = r"""
import json, re, sys
from mmkit.project import load_project

project = load_project(sys.argv[1])
sys.path.insert(0, str(project.root))
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        *(module.name for module in project.modules),
        *sys.argv[2:],
        "mmkit",
    ],
    DATABASES={},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    MMKIT_CONFIG=str(project.config.path),
    MMKIT_CACHE_DIR=None,
)
django.setup()
from django.core import checks

found = []
for message in checks.run_checks(tags=["mmkit"]):
    match = re.match(r"(?P<path>[^:]+):(?P<line>\d+):", message.msg)
    if match:
        found.append([message.id, match["path"], int(match["line"])])
print(json.dumps(sorted(found)))
"""


def django_door(project: Path, *apps: str) -> set[Location]:
    """(rule, path, line) of every mmkit message of Django's checks; `apps` are installed too."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(project), *apps],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {tuple(row) for row in json.loads(result.stdout.strip().splitlines()[-1])}


def cli_door(project: Path, *options: str) -> set[Location]:
    """(rule, path, line) of every finding of `mmkit check --format json`."""
    from mmkit.cli import main

    result = CliRunner().invoke(
        main, ["check", str(project), "--format", "json", "--no-cache", *options]
    )
    assert result.exit_code in (0, 1), result.output
    return {(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]}
