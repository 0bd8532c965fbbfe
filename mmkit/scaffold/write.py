"""Write a planned module in one step, then register it; undo everything if a step fails.

Files are written to a hidden staging directory under root (same filesystem), then renamed
into place at once: an interrupted run never leaves half a module. With --force, files of
an existing module are replaced one by one, each atomically, with backups to roll back to.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from mmkit.files import write_atomically
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.plan import Plan
from mmkit.scaffold.register import Edit, read_text


def apply(plan: Plan) -> None:
    """Put the module in place, then write the registration edits; all or nothing."""
    staging = Path(tempfile.mkdtemp(prefix=f".mmkit-new-{plan.name}-", dir=plan.root))
    try:
        module = staging / plan.name
        module.mkdir()
        for relpath, text in plan.files:
            path = module.joinpath(*relpath.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        try:
            if plan.overwrite:
                undo = _replace_files(module, plan, staging / "backup")
            else:
                os.rename(module, plan.target)
                undo = _remover(plan.target)
        except OSError as error:
            raise ScaffoldError(f"cannot write {plan.shown(plan.target)}: {error}") from None
        try:
            _write_edits(plan.registration.edits, plan)
        except (OSError, ScaffoldError):
            undo()
            raise
    except OSError as error:
        raise ScaffoldError(f"cannot write the module: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remover(target: Path) -> Callable[[], None]:
    def undo() -> None:
        shutil.rmtree(target, ignore_errors=True)

    return undo


def _replace_files(source: Path, plan: Plan, backup: Path) -> Callable[[], None]:
    """Move each new file over the old one, keeping the old one to restore on failure."""
    done: list[tuple[Path, Path | None]] = []
    created: list[Path] = []

    def undo() -> None:
        for destination, saved in reversed(done):
            if saved is None:
                destination.unlink(missing_ok=True)
            else:
                os.replace(saved, destination)
        for directory in reversed(created):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()

    try:
        for relpath, _ in plan.files:
            parts = relpath.split("/")
            destination = plan.target.joinpath(*parts)
            for parent in reversed(destination.relative_to(plan.target).parents):
                directory = plan.target / parent
                if not directory.exists():
                    directory.mkdir()
                    created.append(directory)
            saved = None
            if destination.exists():
                saved = backup.joinpath(*parts)
                saved.parent.mkdir(parents=True, exist_ok=True)
                os.replace(destination, saved)
            done.append((destination, saved))
            os.replace(source.joinpath(*parts), destination)
    except OSError:
        undo()
        raise
    return undo


def _write_edits(edits: tuple[Edit, ...], plan: Plan) -> None:
    """Write each edit atomically; on a failure, put back the ones already written."""
    written: list[Edit] = []
    try:
        for edit in edits:
            if read_text(edit.path) != edit.old:
                raise ScaffoldError(
                    f"{plan.shown(edit.path)} changed while the module was being written; "
                    "nothing was registered"
                )
            write_atomically(edit.path, edit.new)
            written.append(edit)
    except OSError as error:
        _restore(written)
        raise ScaffoldError(f"cannot register the module: {error}") from None
    except ScaffoldError:
        _restore(written)
        raise


def _restore(written: list[Edit]) -> None:
    for edit in reversed(written):
        write_atomically(edit.path, edit.old)
