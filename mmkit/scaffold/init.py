"""`mmkit init`: set mmkit up in an existing Django project, from what manage.py says.

It plans every edit in memory first (pyproject.toml, the settings, pytest's and pre-commit's
configuration), refuses before writing anything when the project cannot be understood, and
only ever adds text: every byte already in a file stays as it was. A second run finds
everything in place and changes nothing.
"""

from __future__ import annotations

import difflib
import importlib.util
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmkit.config import PYPROJECT, Config, ConfigError, parse
from mmkit.files import put_back, write_atomically
from mmkit.findings import Finding
from mmkit.project import Project, discover, discovery_note
from mmkit.scaffold.django_project import (
    SETTINGS_VARIABLE,
    DjangoProject,
    assigning_file,
    find_django_project,
    list_for_new_apps,
)
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.lock import project_lock
from mmkit.scaffold.precommit import (
    PRE_COMMIT,
    add_pre_commit_hook,
    has_mmkit_hook,
    pre_commit_hook,
)
from mmkit.scaffold.register import (
    CannotEdit,
    add_installed_app,
    read_text,
    table_lines,
    toml_string,
)

MMKIT_APP = "mmkit"
PYTEST_FILES = ("pytest.ini", ".pytest.ini")


@dataclass(frozen=True)
class Edit:
    """One file's new text; `old` is None for a file init creates."""

    path: Path
    old: str | None
    new: str
    summary: str


@dataclass(frozen=True)
class InitPlan:
    """The edits `mmkit init` makes, with the configuration they leave the project in."""

    django: DjangoProject
    config: Config
    modules: tuple[str, ...]
    edits: tuple[Edit, ...]
    manual: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def shown(self, path: Path) -> str:
        """A path relative to the directory of pyproject.toml, as the user reads it."""
        try:
            return path.relative_to(self.config.base_dir).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass(frozen=True)
class CheckSummary:
    """What the first check found: findings per rule, how many the baseline holds, and how
    many `--baseline` recorded."""

    checked: bool
    rules: tuple[tuple[str, int], ...] = ()
    baselined: int = 0
    recorded: int | None = None
    note: str | None = None

    @property
    def found(self) -> int:
        return sum(count for _, count in self.rules)

    @property
    def open(self) -> int:
        return self.found - self.baselined


@dataclass(frozen=True)
class InitResult:
    """A plan, and what the check found on the configuration it leaves (a dry run checks the
    planned configuration without writing it)."""

    plan: InitPlan
    dry_run: bool
    check: CheckSummary = field(default_factory=lambda: CheckSummary(False))
    record_baseline: bool = False


def init_project(
    start: Path | str = ".",
    *,
    dry_run: bool = False,
    record_baseline: bool = False,
    depends_on: bool = False,
) -> InitResult:
    """Plan the edits, write them unless `dry_run`, then run the check (and the baseline).

    A real run plans and writes under the project's lock, as `mmkit new-module` does, so the
    two never edit the same settings or pyproject.toml at once.
    """
    if dry_run:
        plan = make_init_plan(Path(start), depends_on=depends_on)
    else:
        top = _pyproject_directory(find_django_project(Path(start)).base_dir)
        with project_lock(top):
            plan = make_init_plan(Path(start), depends_on=depends_on)
            apply_edits(plan.edits, plan)
    return InitResult(plan, dry_run, _check(plan, record_baseline and not dry_run), record_baseline)


def make_init_plan(start: Path, depends_on: bool = False) -> InitPlan:
    """Everything `mmkit init` would write, computed without writing; refusals raise."""
    django = find_django_project(start)
    top = _pyproject_directory(django.base_dir)
    pyproject = top / PYPROJECT
    root = django.base_dir.relative_to(top).as_posix()
    existing, parsed = _read_pyproject(pyproject)
    has_mmkit = _has_mmkit(parsed)
    edits: list[Edit] = []
    manual: list[str] = []
    notes: list[str] = []
    if has_mmkit:
        config = _load_existing(pyproject, parsed)
        notes.append(f"{PYPROJECT} already has [tool.mmkit]: left as it is")
        if depends_on:
            notes.append("--depends-on writes depends_on only into a new [tool.mmkit]")
        project = _discover(config)
        modules = tuple(module.name for module in project.modules)
    else:
        found = _discover(parse({"settings": django.settings, "root": root}, pyproject))
        modules = tuple(module.name for module in found.modules)
        dependencies = _dependencies(found) if depends_on and modules else None
        table = _mmkit_table(root, django.settings, modules, dependencies)
        text = _pyproject_text(
            existing, table, django.settings if _pytest_missing(top, parsed) else None
        )
        _verify(parsed, text, pyproject)
        edits.append(Edit(pyproject, existing, text, _pyproject_summary(existing, text)))
        config = parse(tomllib.loads(text)["tool"]["mmkit"], pyproject)
    if has_mmkit and _pytest_missing(top, parsed):
        notes.append(
            f"no pytest configuration: add [tool.pytest.ini_options] "
            f'{SETTINGS_VARIABLE} = "{django.settings}" to run tests with pytest-django'
        )
    settings_edit = _settings_edit(django, manual, notes)
    if settings_edit is not None:
        edits.append(settings_edit)
    pre_commit = _pre_commit_edit(top, manual, notes)
    if pre_commit is not None:
        edits.append(pre_commit)
    return InitPlan(django, config, modules, tuple(edits), tuple(manual), tuple(notes))


# Reading the project --------------------------------------------------------------------


def _pyproject_directory(base_dir: Path) -> Path:
    """Where [tool.mmkit] goes: beside manage.py, or in the repository's pyproject.toml above
    it (a second pyproject.toml would hide that one from ruff and pytest). Only inside a git
    repository, never above the directory that holds .git."""
    upward = (base_dir, *base_dir.parents)
    top = next((d for d in upward if (d / ".git").exists()), None)
    if top is None:
        return base_dir
    for directory in upward:
        if (directory / PYPROJECT).is_file():
            return directory
        if directory == top:
            break
    return base_dir


def _discover(config: Config) -> Project:
    try:
        return discover(config)
    except ConfigError as error:
        raise ScaffoldError(str(error)) from None


def _dependencies(project: Project) -> dict[str, tuple[str, ...]]:
    """Each module's imports of other modules today, public or private: its depends_on."""
    from mmkit.checks.imports import imported_modules
    from mmkit.standalone import dependencies

    return dict(dependencies(project, lambda: imported_modules(project)))


# pyproject.toml ----------------------------------------------------------------------------


def _read_pyproject(path: Path) -> tuple[str | None, dict[str, Any]]:
    """The file's text (None when there is none) and what it says."""
    if not path.exists():
        return None, {}
    try:
        text = read_text(path)
        parsed = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise ScaffoldError(f"cannot read {path}: {reason}") from None
    except tomllib.TOMLDecodeError as error:
        raise ScaffoldError(f"{path} is not valid TOML ({error}); fix it first") from None
    return text, parsed


def _has_mmkit(parsed: dict[str, Any]) -> bool:
    tool = parsed.get("tool", {})
    return isinstance(tool, dict) and "mmkit" in tool


def _load_existing(path: Path, parsed: dict[str, Any]) -> Config:
    table = parsed["tool"]["mmkit"]
    try:
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.mmkit] must be a table")
        return parse(table, path)
    except ConfigError as error:
        raise ScaffoldError(str(error)) from None


def _mmkit_table(
    root: str,
    settings: str,
    modules: tuple[str, ...],
    dependencies: dict[str, tuple[str, ...]] | None,
) -> str:
    """The [tool.mmkit] TOML: root when it is not ".", the settings and one table per module
    (with depends_on on request)."""
    lines = ["[tool.mmkit]"]
    if root != ".":
        lines.append(f"root = {toml_string(root)}")
    lines.append(f"settings = {toml_string(settings)}")
    for name in modules:
        header, depends_on = table_lines(name, dependencies.get(name, ()) if dependencies else ())
        lines.extend(["", header, *([depends_on] if dependencies is not None else [])])
    return "\n".join(lines) + "\n"


def _pytest_missing(base_dir: Path, pyproject: dict[str, Any]) -> bool:
    """Whether the project has no pytest configuration at all (then init adds one)."""
    if any((base_dir / name).is_file() for name in PYTEST_FILES):
        return False
    for name, header in (("tox.ini", "[pytest]"), ("setup.cfg", "[tool:pytest]")):
        path = base_dir / name
        if path.is_file() and header in path.read_text(encoding="utf-8", errors="replace"):
            return False
    tool = pyproject.get("tool", {})
    return not (isinstance(tool, dict) and "pytest" in tool)


def _pyproject_text(existing: str | None, mmkit: str, pytest_settings: str | None) -> str:
    """The existing text with the new tables appended after it, byte for byte unchanged;
    with `pytest_settings`, pytest-django's table naming that settings module too."""
    blocks = [mmkit]
    if pytest_settings is not None:
        value = toml_string(pytest_settings)
        blocks.append(f"[tool.pytest.ini_options]\n{SETTINGS_VARIABLE} = {value}\n")
    added = "\n".join(blocks)
    if not existing:
        return added
    newline = "\r\n" if "\r\n" in existing else "\n"
    added = added.replace("\n", newline)
    separator = "" if existing.endswith(("\n", "\r")) else newline
    return existing + separator + newline + added


def _verify(before: dict[str, Any], text: str, path: Path) -> None:
    """The new file must hold everything the old one held, plus only mmkit's and pytest's."""
    try:
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScaffoldError(
            f"cannot add [tool.mmkit] to {path} safely ({error}); add it by hand"
        ) from None
    tool = dict(after.get("tool", {}))
    tool.pop("mmkit", None)
    if "pytest" not in before.get("tool", {}):
        tool.pop("pytest", None)
    if tool or "tool" in before:
        after["tool"] = tool
    else:
        after.pop("tool", None)
    if after != before:
        raise ScaffoldError(
            f"cannot add [tool.mmkit] to {path} without changing what it says; add it by hand"
        )


def _pyproject_summary(existing: str | None, text: str) -> str:
    added = text[len(existing or "") :].splitlines()
    tables = [line for line in added if line in ("[tool.mmkit]", "[tool.pytest.ini_options]")]
    what = " and ".join(tables)
    return f"{'with' if existing is None else 'to add'} {what}"


# The settings -----------------------------------------------------------------------------


def _settings_edit(django: DjangoProject, manual: list[str], notes: list[str]) -> Edit | None:
    """Add "mmkit" to INSTALLED_APPS where the settings assign it, or say what to add."""
    if any(_is_mmkit(entry) for entry in django.installed_apps or ()):
        notes.append(f'"{MMKIT_APP}" is already in INSTALLED_APPS')
        return None
    path = assigning_file(django.base_dir, django.settings) or django.settings_file
    shown = path.relative_to(django.base_dir).as_posix()  # as Python names it: from root
    try:
        source = read_text(path)
        variable = list_for_new_apps(source)
        new = add_installed_app(source, MMKIT_APP, variable)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, CannotEdit) as error:
        manual.append(f'add "{MMKIT_APP}" to INSTALLED_APPS in {shown} ({error})')
        return None
    return Edit(path, source, new, f'to add "{MMKIT_APP}" to {variable}')


def _is_mmkit(entry: str) -> bool:
    return entry == MMKIT_APP or entry.startswith(f"{MMKIT_APP}.apps.")


# pre-commit ------------------------------------------------------------------------------


def _pre_commit_edit(base_dir: Path, manual: list[str], notes: list[str]) -> Edit | None:
    """A `repo: local` hook running the installed `mmkit check`, when pre-commit is set up."""
    path = base_dir / PRE_COMMIT
    if not path.is_file():
        return None
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as error:
        manual.append(f"add the mmkit hook to {PRE_COMMIT} (cannot read it: {error})")
        return None
    if has_mmkit_hook(text):
        notes.append(f"{PRE_COMMIT} already has the mmkit hook")
        return None
    try:
        new = add_pre_commit_hook(text)
    except CannotEdit as error:
        manual.append(f"add the mmkit hook to {PRE_COMMIT} ({error}):\n{pre_commit_hook('  ')}")
        return None
    return Edit(path, text, new, "to add the mmkit hook (repo: local)")


# Writing --------------------------------------------------------------------------------


def apply_edits(edits: tuple[Edit, ...], plan: InitPlan) -> None:
    """Write every edit atomically; a file changed meanwhile, or a failure, undoes them all."""
    written: list[Edit] = []
    try:
        for edit in edits:
            current = read_text(edit.path) if edit.path.exists() else None
            if current != edit.old:
                raise ScaffoldError(
                    f"{plan.shown(edit.path)} changed while mmkit init ran; nothing was written"
                )
            write_atomically(edit.path, edit.new)
            written.append(edit)
    except OSError as error:
        _undo(written)
        raise ScaffoldError(
            f"cannot write {error.filename or 'a file'}: {error.strerror}"
        ) from None
    except ScaffoldError:
        _undo(written)
        raise


def _undo(written: list[Edit]) -> None:
    for edit in reversed(written):
        put_back(edit.path, edit.old)


# The first check ----------------------------------------------------------------------------


def _check(plan: InitPlan, record_baseline: bool) -> CheckSummary:
    """Run every rule on the configured project; with `record_baseline`, record the findings."""
    from mmkit import baseline, checks

    note = discovery_note(plan.config)
    project = _discover(plan.config)
    if not project.modules:
        return CheckSummary(False, note=note)
    findings: list[Finding] = checks.run(project)
    recorded = None
    if record_baseline:
        _, recorded = baseline.write(project, findings)
    try:
        outcome = baseline.filter_for_project(project, findings)
    except ConfigError as error:
        raise ScaffoldError(str(error)) from None
    rules = Counter(finding.rule for finding in findings)
    return CheckSummary(True, tuple(sorted(rules.items())), outcome.baselined, recorded, note)


# What it says ------------------------------------------------------------------------------


def describe_init(result: InitResult) -> str:
    """What init found, wrote (or would write) and found in the check, and what to run next."""
    plan, dry_run = result.plan, result.dry_run
    django = plan.django
    lines = [f"Django project {django.base_dir} (settings: {django.settings})"]
    if plan.modules:
        lines.append(f"modules: {', '.join(plan.modules)}")
    else:
        lines.append("modules: none yet")
    for edit in plan.edits:
        shown = plan.shown(edit.path)
        if edit.old is None:
            verb = "would create" if dry_run else "created"
        else:
            verb = "would edit" if dry_run else "edited"
        lines.append(f"{verb} {shown} {edit.summary}")
        if dry_run:
            diff = difflib.unified_diff(
                (edit.old or "").splitlines(keepends=True),
                edit.new.splitlines(keepends=True),
                fromfile="/dev/null" if edit.old is None else f"a/{shown}",
                tofile=f"b/{shown}",
            )
            lines.extend(line.rstrip("\r\n") for line in diff)
    if not plan.edits:
        lines.append("nothing to change: mmkit is set up")
    lines.extend(f"to do by hand: {line}" for line in plan.manual)
    lines.extend(f"note: {line}" for line in plan.notes)
    lines.extend(_check_lines(result.check))
    if result.record_baseline and not result.check.checked:
        lines.append("note: no baseline recorded: there are no modules to check yet")
    lines.extend(_next_lines(result))
    return "\n".join(lines)


def _check_lines(check: CheckSummary) -> list[str]:
    lines = []
    if check.note:
        lines.append(f"note: {check.note}")
    if not check.checked:
        return lines
    if check.found:
        per_rule = ", ".join(f"{rule} x{count}" for rule, count in check.rules)
        lines.append(f"check: {_findings(check.found)} ({per_rule})")
    else:
        lines.append("check: no findings")
    if check.recorded is not None:
        lines.append(
            f"baseline: recorded {_findings(check.recorded)} in mmkit-baseline.json; "
            "mmkit check fails only on new ones"
        )
    elif check.baselined:
        lines.append(f"baseline: {check.baselined} of them recorded in mmkit-baseline.json")
    return lines


def _findings(count: int) -> str:
    return f"{count} finding{'' if count == 1 else 's'}"


def _next_lines(result: InitResult) -> list[str]:
    steps = []
    if result.dry_run and result.plan.edits:
        steps.append("mmkit init (without --dry-run) to write it")
    if not result.plan.modules:
        steps.append("mmkit new-module NAME --model Model --field name:str")
    elif result.check.open:
        steps.append("mmkit check, then fix the findings or record them with `mmkit baseline`")
    else:
        steps.append("mmkit check")
    steps.append("python manage.py check")
    if importlib.util.find_spec("pytest_django") is None:
        steps.append("pip install pytest-django (to run the modules' tests with pytest)")
    return [f"next: {steps[0]}", *(f"      {step}" for step in steps[1:])]
