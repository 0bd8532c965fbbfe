"""The README's samples are what the commands print: the findings of both doors on the
example with its two classic mistakes, `mmkit init`'s report and the pre-commit hook."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from example_site import copy_example, with_foreign_key

from mmkit.cli import main
from mmkit.scaffold.precommit import pre_commit_hook

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def with_two_mistakes(tmp_path: Path) -> Path:
    """The example with a ForeignKey from Book to Author and a view importing authors.models,
    as the README describes them."""
    copy = with_foreign_key(copy_example(tmp_path, "example"))
    views = copy / "web" / "views.py"
    views.write_text(
        views.read_text().replace(
            "import authors.facade\n", "from authors.models import Author\nimport authors.facade\n"
        )
    )
    return copy


def test_the_check_samples_are_the_real_output(tmp_path: Path) -> None:
    example = with_two_mistakes(tmp_path)

    cli = CliRunner().invoke(main, ["check", str(example), "--no-cache"])
    env = {**os.environ, "MMKIT_CACHE_DIR": ""}
    django = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert cli.exit_code == 1
    *findings, summary = cli.output.splitlines()
    for line in findings:
        assert f"\n{line}\n" in README, line
    # The file count and the time change with every file the example gains: not compared.
    counted = re.sub(r", \d+ files, [0-9.]+ s\)$", ", ", summary)
    assert f"\n{counted}" in README, summary
    assert django.returncode == 1
    for line in django.stderr.splitlines()[1:]:
        assert f"\n{line}\n" in README, line


def test_the_pre_commit_sample_is_the_hook_init_writes() -> None:
    assert f"repos:\n{pre_commit_hook('  ')}```" in README
