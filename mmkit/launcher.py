"""The `mmkit` console script and `python -m mmkit`: a plain `mmkit check` without click.

A check with nothing changed since the last run is answered from the cache in a few dozen
milliseconds, and importing click and the commands would add a sixth to that (and 15 ms to
every other run). So the plain forms of `mmkit check` are run here; any other command, option
or environment and every error go to the click app in mmkit.cli, which runs the command again
and prints and exits as it always has.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping
from contextlib import suppress
from typing import NoReturn

FORMATS = ("text", "json", "sarif", "github")
"""mmkit.output.FORMATS, repeated so that reading the command line imports nothing."""
VALUE_OPTIONS = ("--format", "--path-prefix")
NEEDS_PREFIX = ("sarif", "github")


CheckRequest = tuple[str, str, bool, str | None, bool]
"""A `mmkit check` command line this module answers: path, format, use_baseline, path_prefix,
no_cache (a plain tuple: a NamedTuple class costs a millisecond to make)."""


def main() -> None:
    """Run `mmkit` with sys.argv and end the process: a plain check here, the rest in click."""
    request = plain_check(sys.argv[1:], os.environ)
    try:
        if request is not None:
            plain_run(request)
        from mmkit.cli import main as cli

        cli()
    finally:
        # The collection at exit would walk every object the run made, only to free them
        # anyway: 4 ms, a tenth of a warm check. Frozen objects are left out of it.
        gc.freeze()


def plain_check(args: list[str], environ: Mapping[str, str]) -> CheckRequest | None:
    """The request when `args` are `check [PATH] [--format F] [--no-baseline] [--path-prefix P]
    [--no-cache]` with each given once, in an environment that changes nothing click would
    read; else None.

    What click alone decides (an unknown or repeated option, a value that looks like an
    option, `--`, help, shell completion, MMKIT_CACHE_DIR) is left to click.
    """
    if not args or args[0] != "check" or "MMKIT_CACHE_DIR" in environ:
        return None
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in environ):
        return None
    values: dict[str, str] = {}
    path: str | None = None
    use_baseline = True
    no_cache = False
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if arg == "--no-baseline" and use_baseline:
            use_baseline = False
        elif arg == "--no-cache" and not no_cache:
            no_cache = True
        elif name in VALUE_OPTIONS and name not in values:
            value = value if equals else next(rest, "-")  # no value: click's error
            if value.startswith("-"):
                return None
            values[name] = value
        elif arg.startswith("-") or path is not None:
            return None
        else:
            path = arg
    fmt = values.get("--format", "text")
    if fmt not in FORMATS:
        return None
    path = "." if path is None else path
    # click.Path refuses a path that exists but cannot be read; a missing one is config's.
    if not os.access(path, os.R_OK):
        return None
    prefix = values.get("--path-prefix") if fmt in NEEDS_PREFIX else ""
    return path, fmt, use_baseline, prefix, no_cache


def plain_run(request: CheckRequest) -> None:
    """Run the check, print its report and exit: from the cache when nothing changed, else
    the analysis (mmkit.analysis), as the click command runs it.

    When anything goes wrong it returns instead, and the click app runs the check again and
    reports the error as before (a cache written meanwhile is complete, written atomically).
    """
    path, fmt, use_baseline, path_prefix, no_cache = request
    # The collector stays off for good: this process only checks, and the analysis runs
    # without it anyway. A collection here would only walk what the imports and the run
    # made: a full one among the imports, and one of everything after it was switched back
    # on, 2.5 ms together.
    gc.disable()
    try:
        from mmkit.analysis import check_report
        from mmkit.output import render

        report = check_report(path, use_baseline, no_cache, None, path_prefix)
        text = render(fmt, report)
    except KeyboardInterrupt:
        aborted()
    except Exception:
        return
    emit(text)
    raise SystemExit(1 if report.failed else 0)


def emit(text: str) -> None:
    """Print as click.echo does: plain ASCII as it is, anything else through click.echo itself
    (it strips ANSI escapes when not on a terminal and mends a misconfigured encoding).

    A reader that went away (`mmkit check | head`) ends the run with 1, as click's does.
    """
    try:
        if sys.stdout is not None and text.isascii() and "\x1b" not in text:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            import click

            click.echo(text, nl=False)
    except BrokenPipeError:
        # The flush at exit would fail again: point stdout at nothing, as Python's docs advise.
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        aborted()


def aborted() -> NoReturn:
    """Ctrl-C: a blank line to close the terminal's `^C`, `Aborted!` and exit 1, as click."""
    sys.stderr.write("\nAborted!\n")
    sys.stderr.flush()
    raise SystemExit(1)
