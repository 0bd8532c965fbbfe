"""`mmkit new-module` under faults: concurrent runs, kills and Ctrl-C mid-way, read-only files,
names Django or the excludes would take. Real processes and real signals, never mocks.

Each kill lands at a known step: MMKIT_PAUSE_AT makes the scaffold stop there (saying so on
stderr), so the test kills it exactly between two writes. The random kills of the issue
(100 of them, 4 x 50 concurrent runs) are in tests/stress/scaffold_stress.py.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from test_scaffold import copy_example

MMKIT = [sys.executable, "-m", "mmkit"]
STEPS = ("staged", "moved", "registered-1")


def snapshot(root: Path) -> dict[str, str]:
    """The sha256 of every file under root (hidden ones too), by relative path."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def environment(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DJANGO_SETTINGS_MODULE" and not key.startswith("PYTEST_")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def mmkit(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MMKIT, *args],
        cwd=project,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def registered(project: Path) -> tuple[set[str], set[str]]:
    """The names in INSTALLED_APPS and the module tables of pyproject.toml."""
    from mmkit.installed_apps import installed_apps

    apps = set(installed_apps(project, "config.settings") or ())
    with (project / "pyproject.toml").open("rb") as handle:
        modules = set(tomllib.load(handle)["tool"]["mmkit"]["modules"])
    return apps, modules


def leftovers(project: Path) -> list[str]:
    """Temporary files, staging folders and journals a run must not leave behind."""
    return sorted(
        path.relative_to(project).as_posix()
        for path in project.rglob(".*")
        if path.name.endswith(".tmp")
        or path.name.startswith((".mmkit-new-", ".mmkit-journal", ".mmkit.lock"))
    )


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def test_concurrent_runs_register_every_module(example: Path) -> None:
    for round_ in range(3):
        names = [f"mod{round_}{index}" for index in range(4)]
        processes = [
            subprocess.Popen(
                [*MMKIT, "new-module", name],
                cwd=example,
                env=environment(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in names
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        assert [process.returncode for process in processes] == [0] * 4, outputs
        apps, modules = registered(example)
        assert set(names) <= apps
        assert set(names) <= modules
    assert leftovers(example) == []


def test_a_held_lock_is_one_line_naming_the_holder(example: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from mmkit.scaffold.lock import project_lock\n"
            "with project_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(60)\n",
            str(example),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        before = snapshot(example)
        result = mmkit(example, "new-module", "invoices", MMKIT_LOCK_TIMEOUT="0.2")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert result.stderr == (
        f"Error: another mmkit (pid {holder.pid}) is changing this project "
        f"({example / '.mmkit.lock'}); try again when it has finished\n"
    )
    assert snapshot(example) == before


def paused(project: Path, step: str, *args: str, seconds: str = "3600") -> subprocess.Popen[str]:
    """new-module started with MMKIT_PAUSE_AT=step, returned once it stands at that step
    (where it sleeps `seconds`, MMKIT_PAUSE_SECONDS)."""
    process = subprocess.Popen(
        [*MMKIT, "new-module", *args],
        cwd=project,
        env=environment(MMKIT_PAUSE_AT=step, MMKIT_PAUSE_SECONDS=seconds),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line == f"mmkit: paused at {step}\n", line + process.stderr.read()
    return process


@pytest.mark.parametrize("step", STEPS)
def test_ctrl_c_at_any_step_undoes_everything(example: Path, step: str) -> None:
    before = snapshot(example)
    process = paused(example, step, "invoices", "--model", "Invoice")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert stderr == "Error: interrupted; nothing was changed\n"
    assert snapshot(example) == before


def test_sigterm_mid_way_undoes_everything(example: Path) -> None:
    before = snapshot(example)
    process = paused(example, "moved", "invoices")
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert stderr == "Error: interrupted; nothing was changed\n"
    assert snapshot(example) == before


@pytest.mark.parametrize("step", STEPS)
def test_after_a_kill_the_next_run_undoes_the_half_and_completes(example: Path, step: str) -> None:
    before = snapshot(example)
    process = paused(example, step, "invoices", "--model", "Invoice")
    process.kill()
    process.wait()

    check = mmkit(example, "check", "--no-cache")
    assert check.returncode == 0, check.stdout + check.stderr
    result = mmkit(example, "new-module", "invoices", "--model", "Invoice")

    assert result.returncode == 0, result.stderr
    undid = result.stdout.startswith("undid an interrupted `mmkit new-module invoices`\n")
    assert undid == (step != "staged")  # staged files only: nothing to undo, only to sweep
    apps, modules = registered(example)
    assert "invoices" in apps and "invoices" in modules
    assert (example / "invoices" / "models.py").is_file()
    assert leftovers(example) == []
    assert mmkit(example, "check", "--no-cache").returncode == 0
    after = snapshot(example)
    assert {path for path in after if path not in before} == {
        path for path in after if path.startswith("invoices/")
    }


def test_force_recovers_a_half_written_module_too(example: Path) -> None:
    process = paused(example, "moved", "invoices")
    process.kill()
    process.wait()

    result = mmkit(example, "new-module", "invoices", "--force")

    assert result.returncode == 0, result.stderr
    assert "invoices" in registered(example)[1]
    assert leftovers(example) == []


def test_a_read_only_settings_file_is_left_alone(example: Path) -> None:
    settings = example / "config" / "settings.py"
    settings.chmod(0o444)
    text = settings.read_bytes()

    result = mmkit(example, "new-module", "invoices")

    assert result.returncode == 0, result.stderr
    assert settings.read_bytes() == text
    assert stat.S_IMODE(settings.stat().st_mode) == 0o444
    assert (
        'to do by hand: add "invoices", to INSTALLED_APPS in config/settings.py '
        "(the file is read-only)"
    ) in result.stdout.splitlines()
    assert "invoices" in registered(example)[1]


def test_a_read_only_pyproject_is_left_alone(example: Path) -> None:
    pyproject = example / "pyproject.toml"
    pyproject.chmod(0o444)
    text = pyproject.read_bytes()

    result = mmkit(example, "new-module", "invoices")

    assert result.returncode == 0, result.stderr
    assert pyproject.read_bytes() == text
    assert "(the file is read-only)" in result.stdout


def test_a_module_named_migrations_is_refused(example: Path) -> None:
    before = snapshot(example)
    result = mmkit(example, "new-module", "migrations")

    assert result.returncode == 2
    assert result.stderr == (
        "Error: module name 'migrations' is left out by exclude = [\"**/migrations/**\"] "
        "(migrations/__init__.py): mmkit would never check it; choose another name\n"
    )
    assert snapshot(example) == before


SPLIT_BASE = """\
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
]
LOCAL_APPS = ["authors", "books", "web"]
INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS
"""


@pytest.mark.parametrize("label", ["auth", "admin", "sessions"])
@pytest.mark.parametrize("layout", ["computed", "package"])
def test_labels_of_installed_apps_are_refused_in_every_layout(
    example: Path, label: str, layout: str
) -> None:
    config = example / "config"
    if layout == "computed":
        (config / "settings.py").write_text(SPLIT_BASE)
    else:
        (config / "settings.py").unlink()
        (config / "settings").mkdir()
        (config / "settings" / "__init__.py").write_text("from .base import *  # noqa\n")
        (config / "settings" / "base.py").write_text(SPLIT_BASE)
    before = snapshot(example)

    result = mmkit(example, "new-module", label)

    assert result.returncode == 2
    assert result.stderr == (
        f"Error: '{label}' is already the label of installed app 'django.contrib.{label}'\n"
    )
    assert snapshot(example) == before


def test_django_contrib_labels_are_refused_when_installed_apps_cannot_be_read(
    example: Path,
) -> None:
    (example / "config" / "settings.py").write_text(
        "import os\nINSTALLED_APPS = os.environ['APPS'].split(',')\n"
    )
    result = mmkit(example, "new-module", "auth")

    assert result.returncode == 2
    assert result.stderr == (
        "Error: 'auth' is the label of django.contrib.auth, which most projects install; "
        "choose another name\n"
    )


def test_an_inline_tool_table_gets_a_hint_valid_for_it(tmp_path: Path) -> None:
    project = tmp_path / "inline"
    (project / "authors").mkdir(parents=True)
    (project / "authors" / "__init__.py").write_text("")
    (project / "authors" / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\nclass AuthorsConfig(AppConfig):\n"
        '    name = "authors"\n'
    )
    (project / "pyproject.toml").write_text(
        "[tool]\nmmkit = {modules = {authors = {depends_on = []}}}\n"
    )

    result = mmkit(project, "new-module", "invoices", "--depends-on", "authors")

    assert result.returncode == 0, result.stderr
    assert (
        'to do by hand: add invoices = {depends_on = ["authors"]} to the modules of the inline '
        "table `mmkit = {...}` under [tool] in pyproject.toml (a [tool.mmkit.modules.invoices] "
        "header would be invalid TOML there)"
    ) in result.stdout.splitlines()


def test_a_symlinked_settings_file_is_edited_through_its_link(example: Path) -> None:
    config = example / "config"
    (config / "settings.py").rename(config / "real_settings.py")
    (config / "settings.py").symlink_to("real_settings.py")

    result = mmkit(example, "new-module", "invoices")

    assert result.returncode == 0, result.stderr
    assert (config / "settings.py").is_symlink()
    assert '"invoices",' in (config / "real_settings.py").read_text()
    assert "edited config/real_settings.py to add" in result.stdout


def test_a_settings_link_that_leads_outside_the_project_is_not_written(
    example: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside_settings.py"
    settings = example / "config" / "settings.py"
    outside.write_bytes(settings.read_bytes())
    settings.unlink()
    settings.symlink_to(outside)
    text = outside.read_bytes()

    result = mmkit(example, "new-module", "invoices")

    assert result.returncode == 0, result.stderr
    assert outside.read_bytes() == text
    assert settings.is_symlink()
    assert "(it is outside the project)" in result.stdout


def test_a_kill_during_force_is_undone_back_to_the_users_files(example: Path) -> None:
    assert mmkit(example, "new-module", "invoices", "--model", "Invoice").returncode == 0
    models = example / "invoices" / "models.py"
    models.write_text(models.read_text() + "# my own edit\n")
    (example / "invoices" / "services.py").write_text("KEEP = 1\n")
    before = snapshot(example)
    process = paused(example, "moved", "invoices", "--force")
    assert "# my own edit" not in models.read_text()  # the new files are in place
    process.kill()
    process.wait()

    result = mmkit(example, "new-module", "receipts")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("undid an interrupted `mmkit new-module invoices`\n")
    after = snapshot(example)
    assert {k: v for k, v in after.items() if not k.startswith("receipts/")} == {
        k: v for k, v in before.items() if k not in ("config/settings.py", "pyproject.toml")
    } | {k: after[k] for k in ("config/settings.py", "pyproject.toml")}
    assert models.read_text().endswith("# my own edit\n")
    assert leftovers(example) == []


def with_templates(example: Path, name: str, content: str | None) -> Path:
    """The example with `templates = "mmkit_templates"` and one template file (None: a FIFO)."""
    templates = example / "mmkit_templates"
    templates.mkdir()
    pyproject = example / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'settings = "config.settings"',
            'settings = "config.settings"\ntemplates = "mmkit_templates"',
        )
    )
    if content is None:
        os.mkfifo(templates / name)
    else:
        (templates / name).write_text(content)
    return templates


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "{% if x %}" * 400 + "{% endif %}" * 400,
            "Error: template models.py.jinja is nested too deeply to compile\n",
        ),
        (
            "x = " + "(" * 90 + "1" + ")" * 90 + "\n" + "y = " + "-" * 5000 + "1\n",
            "Error: template mmkit_templates/models.py.jinja renders invalid Python "
            "(models.py is nested too deeply for Python's parser)\n",
        ),
        (None, "Error: template models.py.jinja cannot be read: not a regular file\n"),
    ],
    ids=["deep-template", "deep-python", "fifo"],
)
def test_hostile_custom_templates_are_one_line(
    example: Path, content: str | None, expected: str
) -> None:
    with_templates(example, "models.py.jinja", content)
    before = snapshot(example)

    result = mmkit(example, "new-module", "invoices")

    assert result.returncode == 2
    assert result.stderr.replace(str(example) + "/", "") == expected
    assert snapshot(example) == before


def test_ctrl_c_after_the_commit_lets_the_run_finish(example: Path) -> None:
    process = paused(example, "committed", "invoices", seconds="3")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 0, stderr
    assert stdout.startswith("created invoices/ (")
    apps, modules = registered(example)
    assert "invoices" in apps and "invoices" in modules
    assert leftovers(example) == []


def test_a_failing_undo_leaves_the_journal_and_the_next_run_finishes_it(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from mmkit.cli import main
    from mmkit.scaffold import journal, write

    real = write.write_atomically

    def disk_full(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    def fail_on_pyproject(path: Path, text: str) -> None:
        if path.name == "pyproject.toml":
            disk_full(path, text)
        real(path, text)

    def fail_on_settings(path: Path, text: str) -> None:
        if path.name == "settings.py":
            disk_full(path, text)
        real(path, text)

    monkeypatch.setattr(write, "write_atomically", fail_on_pyproject)
    monkeypatch.setattr(journal, "write_atomically", fail_on_settings)
    monkeypatch.chdir(example)
    result = CliRunner().invoke(main, ["new-module", "invoices"])

    assert result.exit_code == 2
    assert result.output == (
        "Error: cannot register the module: [Errno 28] No space left on device, and the undo "
        "failed too ([Errno 28] No space left on device); the next `mmkit new-module` undoes "
        "the rest (.mmkit-journal.json)\n"
    )
    assert (example / ".mmkit-journal.json").is_file()
    monkeypatch.undo()

    again = mmkit(example, "new-module", "invoices")

    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("undid an interrupted `mmkit new-module invoices`\n")
    apps, modules = registered(example)
    assert "invoices" in apps and "invoices" in modules
    assert leftovers(example) == []


def test_a_lock_file_that_is_a_symlink_never_writes_where_it_points(
    example: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (example / ".mmkit.lock").symlink_to(victim)

    result = mmkit(example, "new-module", "invoices")

    assert victim.read_text() == "precious\n"
    assert result.returncode == 2
    assert result.stderr == (
        f"Error: cannot lock {example / '.mmkit.lock'}: it is a symlink; remove it\n"
    )


def test_a_journal_that_names_a_project_folder_as_staging_is_refused(example: Path) -> None:
    (example / ".mmkit-journal.json").write_text(
        '{"version": 1, "command": "new-module", "name": "x", "target": "x", '
        '"staging": "authors", "overwrite": false, "files": [], "existed": [], '
        '"folders_before": [], "edits": []}'
    )
    before = snapshot(example)

    result = mmkit(example, "new-module", "invoices")

    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {example / '.mmkit-journal.json'} is left from ")
    assert snapshot(example) == before
