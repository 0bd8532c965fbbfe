"""The `mmkit` command answers --version and --help, through click and as `python -m mmkit`."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from mmkit import __version__
from mmkit.cli import main


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"])

    assert result.exit_code == 0
    assert result.output == f"mmkit, version {__version__}\n"


def test_help_lists_the_check_command() -> None:
    result = CliRunner().invoke(main, ["--help"])

    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")
    commands = [line.split()[0] for line in result.output.splitlines() if line.startswith("  ")]
    assert "check" in commands


def test_python_dash_m_runs_the_same_command() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mmkit", "--version"], capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0
    assert completed.stdout == f"mmkit, version {__version__}\n"
