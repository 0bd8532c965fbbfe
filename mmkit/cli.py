"""The `mmkit` command: thin click commands over the library; errors are one line, no traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from mmkit import __version__, analysis
from mmkit.analysis import analyse, open_cache, without_gc_pauses
from mmkit.config import ConfigError
from mmkit.output import FORMATS, Report, render
from mmkit.project import Project, discover, load_project, require_modules


class ProjectError(click.ClickException):
    """A usage, configuration or project problem: one line on stderr and exit code 2."""

    exit_code = 2


class Interrupted(click.ClickException):
    """Ctrl-C or SIGTERM during a command that undid its work: exit 130, as shells expect."""

    exit_code = 130


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn what is wrong with the configuration or the project's files into a ProjectError."""
    try:
        yield
    except ConfigError as error:
        raise ProjectError(str(error)) from None
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise ProjectError(f"{where}{error.strerror or error}") from None
    except SyntaxError as error:
        raise ProjectError(f"{error.filename}:{error.lineno}: {error.msg}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mmkit")
def main() -> None:
    """mmkit: scaffold Django modules and keep a modular monolith's boundaries."""


def cache_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--no-cache` and `--cache-dir`, shared by the commands that analyse the project."""
    command = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="MMKIT_CACHE_DIR",
        help="Where to keep the cache (default: .mmkit_cache/ beside pyproject.toml; "
        "also $MMKIT_CACHE_DIR, as for manage.py check).",
    )(command)
    return click.option(
        "--no-cache",
        is_flag=True,
        help="Analyse every file again and write no cache.",
    )(command)


def check_report(
    path: str,
    use_baseline: bool = True,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    path_prefix: str | None = "",
) -> Report:
    """mmkit.analysis.check_report, its errors one line each (ProjectError)."""
    with one_line_errors(), without_gc_pauses():
        return analysis.check_report(path, use_baseline, no_cache, cache_dir, path_prefix)


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to print the findings.",
)
@click.option(
    "--no-baseline",
    is_flag=True,
    help="Report every finding, also those recorded in mmkit-baseline.json.",
)
@click.option(
    "--path-prefix",
    default=None,
    metavar="PREFIX",
    help="Put PREFIX before each path in sarif and github output (default: the directory of "
    "pyproject.toml relative to `git rev-parse --show-toplevel`).",
)
@cache_options
def check(
    path: str,
    fmt: str,
    no_baseline: bool,
    path_prefix: str | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Check the project at PATH (or the nearest parent with [tool.mmkit]) for boundary violations.

    Findings recorded in mmkit-baseline.json (see `mmkit baseline`) do not count; recorded
    ones that no longer occur are stale and fail the check until the baseline is rewritten.
    Exit status: 0 no findings, 1 findings, 2 usage or configuration error.
    """
    if fmt not in ("sarif", "github"):
        path_prefix = ""
    report = check_report(path, not no_baseline, no_cache, cache_dir, path_prefix)
    click.echo(render(fmt, report), nl=False)
    raise SystemExit(1 if report.failed else 0)


@main.command("baseline")
@click.argument("path", default=".", type=click.Path(path_type=str))
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when the baseline would grow (new findings), for CI.",
)
@cache_options
def baseline_command(path: str, check_only: bool, no_cache: bool, cache_dir: Path | None) -> None:
    """Record today's findings in mmkit-baseline.json, beside pyproject.toml.

    It records every finding of today, new ones included, and prints what changed:
    `+N new, -M fixed`. `mmkit check` then fails only on findings that are not recorded.
    With --check nothing is written and the exit status is 1 when the baseline would grow.
    """
    from mmkit import baseline, config

    with one_line_errors(), without_gc_pauses():
        configuration = config.load(path)
        result = analyse(configuration, open_cache(configuration, no_cache, cache_dir))
        project = Project(configuration, ())
        changed = baseline.change(project, result.findings, replacing=not check_only)
        shown = project.relpath(baseline.path_for(project))
        if check_only:
            _echo_entries("new", changed.new)
            grows = "would grow" if changed.added else "would not grow"
            click.echo(f"{shown}: {grows} ({changed.summary})")
            raise SystemExit(1 if changed.added else 0)
        target, count = baseline.write(project, result.findings)
    if not changed.first:
        _echo_entries("new", changed.new)
        _echo_entries("fixed", changed.fixed)
    entries = "finding" if count == 1 else "findings"
    click.echo(f"{project.relpath(target)}: recorded {count} {entries} ({changed.summary})")


def _echo_entries(label: str, entries: tuple[tuple[str, int], ...]) -> None:
    """`new: mmkit.E003 books.views imports authors.models (x2)`, one line per entry."""
    for entry, times in entries:
        click.echo(f"{label}: {entry}" + (f" (x{times})" if times > 1 else ""))


@main.command()
@click.argument("rule", required=False)
def explain(rule: str | None) -> None:
    """Explain RULE (mmkit.E003 or E003): why it matters, a bad and a good example, the fix.

    Without RULE, list every rule.
    """
    from mmkit import explain as pages

    if rule is None:
        click.echo(pages.listing(), nl=False)
        return
    try:
        found = pages.lookup(rule)
    except pages.UnknownRule as error:
        raise ProjectError(str(error)) from None
    click.echo(pages.text(found), nl=False)


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid (GitHub renders it in Markdown) or Graphviz DOT.",
)
@cache_options
def graph(path: str, fmt: str, no_cache: bool, cache_dir: Path | None) -> None:
    """Draw the modules and their dependencies; violations are red, dashed and counted per rule."""
    from mmkit import config
    from mmkit import graph as module_graph

    with one_line_errors(), without_gc_pauses():
        configuration = config.load(path)
        cache = open_cache(configuration, no_cache, cache_dir)
        project = require_modules(discover(configuration, cache.tree() if cache else None))
        drawn = module_graph.for_project(project, cache)
        if cache is not None:
            cache.save(project, None)
    click.echo(module_graph.render(drawn, fmt), nl=False)


@main.command()
@click.argument("path", default=".", type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Print the edits; write nothing.")
@click.option(
    "--baseline",
    "record_baseline",
    is_flag=True,
    help="Record today's findings in mmkit-baseline.json, so only new ones fail the check.",
)
@click.option(
    "--depends-on",
    "depends_on",
    is_flag=True,
    help="Write each module's depends_on from today's imports, so new dependencies are E005.",
)
def init(path: str, dry_run: bool, record_baseline: bool, depends_on: bool) -> None:
    """Set mmkit up in the Django project at PATH (the directory of manage.py, or below it).

    Reads the settings module from manage.py and the project's apps from its INSTALLED_APPS,
    writes [tool.mmkit] into pyproject.toml (pytest-django's settings too when pytest has no
    configuration), adds "mmkit" to INSTALLED_APPS and the hook to .pre-commit-config.yaml
    when there is one, then runs the check. Only adds text; a second run changes nothing.
    """
    from mmkit.scaffold import ScaffoldError
    from mmkit.scaffold.init import describe_init, init_project

    with one_line_errors():
        try:
            result = init_project(
                path, dry_run=dry_run, record_baseline=record_baseline, depends_on=depends_on
            )
        except ScaffoldError as error:
            raise ProjectError(str(error)) from None
    click.echo(describe_init(result))


@main.command("new-module")
@click.argument("name")
@click.option(
    "--model", metavar="MODEL", help="A model (CamelCase) with its DTOs, use cases and tests."
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME:TYPE",
    help="A field of the model (repeatable). Types: str, text, int, decimal, bool, date, "
    "datetime, uuid, email, and ref:MODULE for another module's entity, kept by id.",
)
@click.option(
    "--depends-on",
    multiple=True,
    metavar="MODULE",
    help="A module this one may use (repeatable); ref:MODULE fields add theirs.",
)
@click.option("--dry-run", is_flag=True, help="Print the files and the edits; write nothing.")
@click.option("--force", is_flag=True, help="Write over the files of an existing module.")
@click.option(
    "--no-register", is_flag=True, help="Leave INSTALLED_APPS and [tool.mmkit] modules alone."
)
def new_module(
    name: str,
    model: str | None,
    fields: tuple[str, ...],
    depends_on: tuple[str, ...],
    dry_run: bool,
    force: bool,
    no_register: bool,
) -> None:
    """Create module NAME under the project's root, registered and passing its own checks.

    Run it in the project: the directory of pyproject.toml with [tool.mmkit], or below.
    A team's own templates: [tool.mmkit] templates = "path", laid out like mmkit's.

    \b
    Example:
      mmkit new-module invoices --model Invoice --field number:str \\
        --field amount:decimal --field author_id:ref:authors
    """
    from mmkit.scaffold import Request, ScaffoldError, create_module

    request = Request(name, model, fields, depends_on, force, not no_register)
    with one_line_errors():
        try:
            click.echo(create_module(request, ".", dry_run=dry_run))
        except ScaffoldError as error:
            raise ProjectError(str(error)) from None
        except KeyboardInterrupt:
            raise Interrupted("interrupted; nothing was changed") from None


@main.command()
@click.argument("model_field", metavar="[MODEL_FIELD]", required=False)
@click.option(
    "--path",
    default=".",
    type=click.Path(path_type=str),
    help="The project, or a directory in it (default: the current directory).",
)
@click.option("--dry-run", is_flag=True, help="Show the changes as diffs; write nothing.")
def decouple(model_field: str | None, path: str, dry_run: bool) -> None:
    """Turn the cross-module relation MODEL_FIELD (books.Book.author) into an id.

    The model gets an id field, the app a migration that keeps every row (only the
    foreign-key constraint is dropped), on_delete becomes a handler of the target's
    <Model>Deleted event, and the code that used the relation is listed, the safe sites
    rewritten. Without MODEL_FIELD: the plan, every mmkit.E001 and what it would take.
    """
    from mmkit.decouple import DecoupleError, crossings
    from mmkit.decouple import decouple as run_decouple
    from mmkit.decouple.report import outcome_text, plan_text

    with one_line_errors():
        try:
            if model_field is None:
                project = require_modules(load_project(path))
                click.echo(plan_text(project, crossings(project)), nl=False)
                return
            outcome = run_decouple(path, model_field, dry_run=dry_run)
        except DecoupleError as error:
            raise ProjectError(str(error)) from None
    click.echo(outcome_text(outcome), nl=False)


@main.command(
    "test",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True},
)
@click.argument("module", required=False)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--with",
    "mode",
    type=click.Choice(["none", "direct", "all"]),
    default="direct",
    show_default=True,
    help="Which of MODULE's dependencies to load: none, its direct depends_on (or imports), "
    "or all of them transitively. Every other module is left out.",
)
@click.option("--all", "every", is_flag=True, help="Run every module in turn and print a table.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the outcome (json for CI).",
)
@click.option(
    "--project",
    "path",
    default=".",
    type=click.Path(path_type=str),
    help="The project: a directory with (or below) the pyproject.toml of [tool.mmkit].",
)
def test_command(
    module: str | None, pytest_args: tuple[str, ...], mode: str, every: bool, fmt: str, path: str
) -> None:
    """Prove that MODULE boots, passes its checks, migrates and passes its tests alone.

    Runs in a fresh process with INSTALLED_APPS reduced to the apps that are not modules,
    MODULE and its dependencies by --with. A left-out module's facade is a stand-in whose
    functions raise ModuleNotLoaded unless the test fakes them (mmkit.testing.fake_module).
    Arguments after `--` go to pytest. Exit status: 0 every step passed, 1 a step failed,
    2 a usage or configuration error.

    \b
    Examples:
      mmkit test books
      mmkit test authors --with none -- -k exists
      mmkit test --all --format json
    """
    from mmkit import standalone
    from mmkit.checks.imports import imported_modules
    from mmkit.output import runs
    from mmkit.testing.isolation import in_subprocess

    if every and module is not None:
        if not module.startswith("-"):
            raise ProjectError(f"--all runs every module: leave out '{module}', or drop --all")
        pytest_args = (module, *pytest_args)
        module = None
    if module is None and not every:
        raise ProjectError("name a MODULE to test, or use --all")
    with one_line_errors():
        project = require_modules(load_project(path))
        settings = standalone.settings_module(project)
        chosen = project.modules if every else (standalone.find_module(project, module or ""),)
        deps = standalone.dependencies(project, lambda: imported_modules(project))
        specs = [standalone.plan(project, one, mode, deps, settings, pytest_args) for one in chosen]
    results = []
    for spec in specs:
        quiet = every or fmt == "json"
        if not quiet:
            click.echo(runs.plan_line(spec))
        result, _ = in_subprocess(spec, capture=quiet)
        if every and fmt == "text" and not result.ok:
            click.echo(runs.plan_line(spec))
            click.echo(runs.steps(result, verdict=False))
        results.append(result)
    if fmt == "json":
        click.echo(runs.as_json(results), nl=False)
    elif every:
        click.echo(runs.table(results), nl=False)
    else:
        click.echo(runs.steps(results[0]), nl=False)
    raise SystemExit(0 if all(result.ok for result in results) else 1)
