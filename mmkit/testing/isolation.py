"""One isolated run, in a process of its own: boot, system checks, migrations, the module's tests.

Django's app registry cannot change once populated, so each run is a fresh process:
`python -m mmkit.testing.isolation SPEC RESULT` reads the spec the door wrote and writes the
steps it took as JSON. pytest's output goes to this process's stdout as usual.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmkit.testing import errors, standins
from mmkit.testing.errors import ModuleNotLoaded
from mmkit.testing.spec import FAILED, NO_TESTS, OK, SKIPPED, STEPS, RunResult, RunSpec, Step

SETTINGS = "mmkit.testing.settings"


def run(spec: RunSpec, spec_path: Path) -> RunResult:
    """Every step in order; a step that leaves nothing to run on skips the ones after it."""
    started = time.perf_counter()
    for folder in dict.fromkeys((spec.base_dir, spec.root)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    standins.install(
        spec.left_out, spec.loaded, errors.Run(spec.module, spec.mode, spec.depends_on)
    )
    os.environ["MMKIT_TEST_SPEC"] = str(spec_path)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    steps = [boot(spec)]
    if steps[0].ok:
        steps.append(checks(spec))
        steps.append(migrate(spec))
        steps.append(tests(spec) if steps[-1].ok else Step("tests", SKIPPED))
    return _result(spec, steps, round(time.perf_counter() - started, 2))


def _result(spec: RunSpec, steps: list[Step], seconds: float = 0.0) -> RunResult:
    """The spec's run with these steps; the steps not taken are skipped."""
    return RunResult(
        module=spec.module,
        mode=spec.mode,
        loaded=spec.loaded,
        left_out=tuple(info.name for info in spec.left_out),
        steps=(*steps, *(Step(name, SKIPPED) for name in STEPS[len(steps) :])),
        seconds=seconds,
    )


def boot(spec: RunSpec) -> Step:
    """`django.setup()`: settings, every loaded app, its models and its AppConfig.ready()."""
    import django

    return _guarded("boot", spec, django.setup)


def checks(spec: RunSpec) -> Step:
    """`manage.py check`, mmkit's checks included: errors fail the step, warnings do not."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    output = io.StringIO()
    try:
        call_command("check", stdout=output, stderr=output)
    except SystemCheckError as error:
        return Step("checks", FAILED, str(error).strip())
    except Exception as error:
        return Step("checks", FAILED, _describe(error, spec))
    return Step("checks", OK)


def migrate(spec: RunSpec) -> Step:
    """Every loaded app's migrations on a fresh test database, after one look at the graph:
    a migration that depends on a left-out module's is named with that migration."""
    from django.db.migrations.loader import MigrationLoader

    try:
        loader = MigrationLoader(None, load=False)
        loader.load_disk()
    except Exception as error:
        return Step("migrate", FAILED, _describe(error, spec))
    foreign = _foreign_dependencies(spec, loader.disk_migrations)
    if foreign:
        return Step("migrate", FAILED, "\n".join(foreign))
    from django.test.utils import setup_databases, teardown_databases

    def create_and_drop() -> None:
        created = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
        teardown_databases(created, verbosity=0)

    step = _guarded("migrate", spec, create_and_drop)
    count = len(loader.disk_migrations)
    plural = "migration" if count == 1 else "migrations"
    return step if not step.ok else Step("migrate", OK, f"{count} {plural}")


def _foreign_dependencies(spec: RunSpec, migrations: dict[tuple[str, str], Any]) -> list[str]:
    """One line per dependency of a loaded app's migration on an app this run does not load."""
    from django.apps import apps

    installed = {config.label for config in apps.get_app_configs()}
    modules = {info.label: info.name for info in spec.left_out}
    found = []
    for (label, name), migration in sorted(migrations.items()):
        for dependency in migration.dependencies:
            other, other_name = dependency[0], dependency[1]
            if other in installed or other == "__setting__":
                continue
            owner = (
                f"a migration of module '{modules[other]}', which this run leaves out"
                if other in modules
                else f"a migration of app '{other}', which is not installed"
            )
            found.append(
                f"migration {label}.{name} depends on {other}.{other_name}, {owner} "
                f"(--with {spec.mode}): a module's migrations must not depend on another "
                "module's; keep the other module's id instead of a relation"
            )
    return found


def tests(spec: RunSpec) -> Step:
    """MODULE's tests with pytest (and pytest-django), with the arguments the user passed."""
    try:
        import pytest
        import pytest_django  # noqa: F401
    except ImportError:
        return Step("tests", FAILED, "pytest-django is not installed: pip install pytest-django")
    counter = _Counter()
    args = [spec.tests, f"--ds={SETTINGS}", *spec.pytest_args]
    sys.stdout.flush()
    code = pytest.main(args, plugins=[counter])
    if code == pytest.ExitCode.NO_TESTS_COLLECTED or (code == 0 and not counter.ran):
        where = os.path.relpath(spec.tests, spec.base_dir)
        selected = f" with pytest {' '.join(spec.pytest_args)}" if spec.pytest_args else ""
        return Step("tests", NO_TESTS, f"no tests collected under {where}{selected}")
    status = OK if code == pytest.ExitCode.OK else FAILED
    detail = "\n".join(counter.failures)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        detail = "\n".join(
            [f"pytest exited with {code.name if hasattr(code, 'name') else code}", detail]
        )
    return Step("tests", status, detail, counter.passed, counter.failed, counter.skipped)


class _Counter:
    """A pytest plugin that counts passed and failed tests (an error in setup is a failure)."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures: list[str] = []

    @property
    def ran(self) -> int:
        return self.passed + self.failed

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed += 1
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else str(report.longrepr)
            self.failures.append(f"{report.nodeid}: {message.splitlines()[0] if message else ''}")
        elif report.passed and report.when == "call":
            self.passed += 1
        elif report.skipped:
            self.skipped += 1


def _guarded(name: str, spec: RunSpec, action: Callable[[], None]) -> Step:
    try:
        action()
    except Exception as error:
        return Step(name, FAILED, _describe(error, spec))
    return Step(name, OK)


def _describe(error: BaseException, spec: RunSpec) -> str:
    """One line for the error, with the project file it came from when there is one."""
    where = ""
    roots = tuple(dict.fromkeys((spec.root, spec.base_dir)))
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        for root in roots:
            if frame.filename.startswith(root + os.sep):
                where = f"{os.path.relpath(frame.filename, spec.base_dir)}:{frame.lineno}: "
                break
        if where:
            break
    if isinstance(error, ModuleNotLoaded):
        return f"{where}{error}"
    return f"{where}{type(error).__name__}: {error}"


def in_subprocess(spec: RunSpec, capture: bool = False) -> tuple[RunResult, str]:
    """Run the spec in a fresh Python process; the output is returned when `capture` is set.

    A process that dies before writing its result is a failed boot, with its last words.
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mmkit-test-") as scratch:
        spec_path, result_path = Path(scratch, "spec.json"), Path(scratch, "result.json")
        spec_path.write_text(spec.to_json(), encoding="utf-8")
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "mmkit.testing.isolation", str(spec_path), str(result_path)],
            cwd=spec.base_dir,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
            text=True,
            check=False,
        )
        output = completed.stdout or ""
        if result_path.is_file():
            data = json.loads(result_path.read_text(encoding="utf-8"))
            data["seconds"] = round(time.perf_counter() - started, 2)  # the process's whole life
            return RunResult.from_data(data), output
    last = output.strip().splitlines()[-1:] or [f"exit status {completed.returncode}"]
    return _result(spec, [Step("boot", FAILED, f"the run's process died: {last[0]}")]), output


def main(argv: list[str]) -> int:
    """Run the spec at argv[0], write the result to argv[1]; exit 0 only when every step passed."""
    spec_path, result_path = Path(argv[0]), Path(argv[1])
    result = run(RunSpec.read(spec_path), spec_path)
    result_path.write_text(json.dumps(result.to_data()), encoding="utf-8")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
