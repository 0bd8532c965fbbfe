"""The console script's start (mmkit.launcher): a warm `mmkit check` is answered without click.

Each case runs the console script's entry point (`mmkit.launcher:main`) in a subprocess with
`-X importtime`, and the same command line through the click app itself (`mmkit.cli:main`,
the entry point before): output, errors and exit codes must be the same, and the import log
says which path was taken.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mmkit import baseline, launcher, output

LAUNCHER = "import sys; from mmkit.launcher import main; sys.argv[0] = 'mmkit'; main()"
CLICK_APP = "import sys; from mmkit.cli import main; sys.argv[0] = 'mmkit'; main()"
SECONDS = (
    re.compile(r"\d+\.\d\d s\)"),
    re.compile(r'"seconds": [\d.]+'),
)
HEAVY = ("click", "mmkit.cli", "grimp", "mmkit.checks")
"""What a warm check never imports; only the formats for CI ask git (subprocess)."""


class Run:
    """What one subprocess printed, its exit code and the modules it imported."""

    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        lines = completed.stderr.splitlines(keepends=True)
        log = [line for line in lines if line.startswith("import time:")]
        self.imported = {line.rsplit("|", 1)[1].strip() for line in log}
        self.stderr = "".join(line for line in lines if not line.startswith("import time:"))
        self.stdout = completed.stdout
        self.code = completed.returncode

    @property
    def fast(self) -> bool:
        """Whether the run was answered without click (and without any other heavy module)."""
        return not self.imported & set(HEAVY)

    def shown(self) -> tuple[int, str, str]:
        """Exit code, stdout with the time taken blanked, stderr: what must not change."""
        stdout = self.stdout
        for pattern in SECONDS:
            stdout = pattern.sub("TIME", stdout)
        return self.code, stdout, self.stderr


def run(project: Path, *args: str, click_app: bool = False) -> Run:
    """`mmkit ARGS` in the project's folder: by the console script's entry, or the click app."""
    command = [sys.executable, "-X", "importtime", "-c", CLICK_APP if click_app else LAUNCHER]
    command.extend(args)
    return Run(subprocess.run(command, cwd=project, capture_output=True, text=True, check=False))


@pytest.fixture
def warm(
    copy_fixture: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Path]:
    """A fixture project with its cache filled beside pyproject.toml, as `mmkit check` does."""
    monkeypatch.delenv("MMKIT_CACHE_DIR", raising=False)

    def make(name: str) -> Path:
        project = copy_fixture(name)
        assert run(project, "check", "--no-baseline").code in (0, 1)
        return project

    return make


def stale_baseline(project: Path) -> None:
    """A baseline with an entry that no longer occurs: the check reports it as stale."""
    entry = ("mmkit.E003", (("imported", "authors.gone"), ("importer", "books.old")))
    (project / baseline.FILENAME).write_text(baseline.dumps({entry: 1}))


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "."),
        ("check", ".", "--format", "json"),
        ("check", "--format=json", "--no-baseline", "."),
        ("check", ".", "--format", "sarif", "--path-prefix", "backend"),
        ("check", "--format", "github", "--path-prefix=./backend/"),
        ("check", "--format", "github"),
        ("check", "--format", "text", "--path-prefix", "ignored"),
    ],
)
def test_a_warm_check_is_answered_without_click_and_prints_what_click_prints(
    warm: Callable[[str], Path], args: tuple[str, ...]
) -> None:
    project = warm("imp_small")
    stale_baseline(project)

    fast, slow = run(project, *args), run(project, *args, click_app=True)

    assert fast.fast, sorted(fast.imported & set(HEAVY))
    assert fast.shown() == slow.shown()
    assert fast.code == 1


def test_the_discovery_note_is_printed_on_a_warm_check_too(warm: Callable[[str], Path]) -> None:
    project = warm("disc_dynamic")

    fast, slow = run(project, "check"), run(project, "check", click_app=True)

    assert fast.fast
    assert "modules found from folders: INSTALLED_APPS in settings is computed" in fast.stdout
    assert fast.shown() == slow.shown()


def test_a_plain_warm_check_imports_nothing_it_does_not_use(
    warm: Callable[[str], Path],
) -> None:
    project = warm("imp_small")

    for entry in (["-c", LAUNCHER], ["-m", "mmkit"]):
        command = [sys.executable, "-X", "importtime", *entry, "check"]
        launched = Run(subprocess.run(command, cwd=project, capture_output=True, text=True))

        assert launched.code == 1
        assert not launched.imported & {*HEAVY, "subprocess", "difflib"}


@pytest.mark.parametrize(
    "args",
    [
        ("check", ".", "--no-cache", "--no-cache"),
        ("check", ".", "--format", "xml"),
        ("check", ".", "--format"),
        ("check", ".", "--format", "json", "--format", "text"),
        ("check", ".", "--path-prefix", "-x", "--format", "sarif"),
        ("check", ".", "--bogus"),
        ("check", ".", "."),
        ("check", "--", "."),
        ("check", "--help"),
        ("check", "missing"),
        ("--version",),
    ],
)
def test_every_other_command_line_goes_to_click_unchanged(
    warm: Callable[[str], Path], args: tuple[str, ...]
) -> None:
    project = warm("imp_small")

    launched, slow = run(project, *args), run(project, *args, click_app=True)

    assert not launched.fast
    assert launched.shown() == slow.shown()


@pytest.mark.parametrize("args", [("check", ".", "--no-cache"), ("check", "--format", "json")])
def test_a_plain_cold_check_runs_without_click_and_prints_what_click_prints(
    warm: Callable[[str], Path], args: tuple[str, ...]
) -> None:
    """A miss (an edited file) or `--no-cache` runs the analysis here, click never imported."""
    project = warm("imp_small")
    views = project / "books" / "views.py"
    views.write_text(views.read_text() + "\n# edited\n")

    launched = run(project, *args)
    views.write_text(views.read_text() + "# again\n")
    slow = run(project, *args, click_app=True)

    assert not launched.imported & {"click", "mmkit.cli"}
    assert "grimp" in launched.imported or "--no-cache" not in args
    assert launched.code == 1
    assert launched.shown() == slow.shown()


def test_a_configuration_error_is_reported_by_click_as_before(
    warm: Callable[[str], Path],
) -> None:
    project = warm("imp_small")
    (project / baseline.FILENAME).write_text("{not json")

    launched, slow = run(project, "check"), run(project, "check", click_app=True)

    assert launched.code == 2
    assert "is not a valid mmkit baseline" in launched.stderr
    assert launched.shown() == slow.shown()


def test_the_cache_directory_from_the_environment_is_left_to_click(
    warm: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = warm("imp_small")
    monkeypatch.setenv("MMKIT_CACHE_DIR", str(tmp_path / "elsewhere"))

    launched = run(project, "check")

    assert not launched.fast
    assert launched.code == 1
    assert (tmp_path / "elsewhere" / "result.json").is_file()


def test_a_miss_walks_the_files_once(
    copy_fixture: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A miss is run by the launcher itself, its cache's walk of root handed to the discovery:
    one walk in all."""
    from mmkit import project as project_module

    monkeypatch.delenv("MMKIT_CACHE_DIR", raising=False)
    project = copy_fixture("imp_small")
    walks: list[Path] = []
    walk = project_module._python_files_by_directory

    def counted(root: Path, *args: object) -> Iterator[project_module.Listing]:
        walks.append(root)
        return walk(root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(project_module, "_python_files_by_directory", counted)
    monkeypatch.setattr(sys, "argv", ["mmkit", "check", str(project), "--format", "json"])
    try:
        with pytest.raises(SystemExit) as exited:
            launcher.main()
    finally:
        gc.unfreeze()  # main ends a process: the collector is left off and the heap frozen
        gc.enable()

    assert exited.value.code == 1
    assert walks == [project]
    assert json.loads(capsys.readouterr().out)["summary"]["findings"] == 1


def test_a_reader_that_goes_away_ends_the_check_quietly_with_1(
    warm: Callable[[str], Path],
) -> None:
    """`mmkit check | head -1`: exit 1 and nothing on stderr, as click's main does."""
    project = warm("imp_small")

    def gone(*entry: str) -> tuple[int, str]:
        read, write = os.pipe()
        os.close(read)
        try:
            completed = subprocess.run(
                [sys.executable, *entry, "check"],
                cwd=project,
                stdout=write,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        finally:
            os.close(write)
        return completed.returncode, completed.stderr

    assert gone("-c", LAUNCHER) == gone("-c", CLICK_APP) == (1, "")


def test_the_launcher_knows_every_format() -> None:
    assert launcher.FORMATS == output.FORMATS
