"""Write a planned module in one step, then register it; undo everything if a step fails.

Files are written to a hidden staging directory under root (same filesystem), then renamed
into place at once: an interrupted run never leaves half a module. With --force, files of
an existing module are replaced one by one, each atomically, with backups to roll back to.
A journal (mmkit.scaffold.journal) written before the first change lets an exception, Ctrl-C
or SIGTERM be undone here, and a SIGKILL be undone by the next run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from mmkit.files import write_atomically
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.journal import (
    STAGING_PREFIX,
    EditRecord,
    Journal,
    journal_path,
    undo,
    write_journal,
)
from mmkit.scaffold.plan import Plan
from mmkit.scaffold.register import read_text


def apply(plan: Plan) -> None:
    """Put the module in place, then write the registration edits; all or nothing."""
    with _signals_as_interrupts() as state:
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{plan.name}-", dir=plan.root))
        try:
            module = staging / plan.name
            module.mkdir()
            for relpath, text in plan.files:
                path = module.joinpath(*relpath.split("/"))
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
            _pause("staged")
            journal = _journal(plan, staging)
            write_journal(plan.base_dir, journal)
            try:
                _move_and_register(plan, module, staging)
            except BaseException as failure:
                try:
                    undo(plan.base_dir, journal)
                except OSError as error:
                    raise ScaffoldError(
                        f"{_reason(failure)}, and the undo failed too ({error}); the next "
                        "`mmkit new-module` undoes the rest (.mmkit-journal.json)"
                    ) from None
                raise
            # The commit: from here on the module is complete and registered, and a signal
            # no longer interrupts (the run says what it did instead of "nothing changed").
            state.committed = True
            journal_path(plan.base_dir).unlink()
            _pause("committed")
        except OSError as error:
            raise ScaffoldError(f"cannot write the module: {error}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _move_and_register(plan: Plan, module: Path, staging: Path) -> None:
    try:
        if plan.overwrite:
            _replace_files(module, plan, staging / "backup")
        else:
            os.rename(module, plan.target)
    except OSError as error:
        raise ScaffoldError(f"cannot write {plan.shown(plan.target)}: {error}") from None
    _pause("moved")
    for number, edit in enumerate(plan.registration.edits, start=1):
        try:
            current = read_text(edit.path)
        except OSError as error:
            raise ScaffoldError(f"cannot register the module: {error}") from None
        if current != edit.old:
            raise ScaffoldError(
                f"{plan.shown(edit.path)} changed while the module was being written; "
                "nothing was registered"
            )
        try:
            write_atomically(edit.path, edit.new)
        except OSError as error:
            raise ScaffoldError(f"cannot register the module: {error}") from None
        _pause(f"registered-{number}")


def _reason(failure: BaseException) -> str:
    if isinstance(failure, KeyboardInterrupt):
        return "interrupted"
    return str(failure) or type(failure).__name__


def _journal(plan: Plan, staging: Path) -> Journal:
    existed: list[str] = []
    folders: list[str] = []
    if plan.overwrite:
        existed = [p for p, _ in plan.files if plan.target.joinpath(*p.split("/")).exists()]
        folders = [p.relative_to(plan.target).as_posix() for p in plan.target.rglob("*/")]
    return Journal(
        name=plan.name,
        target=plan.shown(plan.target),
        staging=plan.shown(staging),
        overwrite=plan.overwrite,
        files=tuple(relpath for relpath, _ in plan.files),
        existed=tuple(existed),
        folders_before=tuple(folders),
        edits=tuple(
            EditRecord(plan.shown(edit.path), edit.old, edit.new)
            for edit in plan.registration.edits
        ),
    )


def _replace_files(source: Path, plan: Plan, backup: Path) -> None:
    """Move each new file over the old one, keeping the old one in `backup` for the undo."""
    for relpath, _ in plan.files:
        parts = relpath.split("/")
        destination = plan.target.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.exists():
            saved = backup.joinpath(*parts)
            saved.parent.mkdir(parents=True, exist_ok=True)
            os.replace(destination, saved)
        os.replace(source.joinpath(*parts), destination)


class _Progress:
    """Whether the run has committed: after that, a signal waits for the run to finish."""

    committed = False


@contextlib.contextmanager
def _signals_as_interrupts() -> Iterator[_Progress]:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt until the commit, so the undo runs
    for each of them; after it they are ignored, since the module is complete."""
    state = _Progress()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if not state.committed:
            raise KeyboardInterrupt

    saved = {number: signal.signal(number, interrupt) for number in _CAUGHT}
    try:
        yield state
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


_CAUGHT = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)  # Windows has no SIGHUP


def _pause(step: str) -> None:
    """Stop at a step when MMKIT_PAUSE_AT names it: how the tests kill a run between two writes."""
    if os.environ.get("MMKIT_PAUSE_AT") == step:
        print(f"mmkit: paused at {step}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("MMKIT_PAUSE_SECONDS", "3600")))
