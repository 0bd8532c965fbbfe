"""What an interrupted `mmkit new-module` had started, so the next run can undo it.

Before the first change to the project, the scaffold writes `.mmkit-journal.json` beside
pyproject.toml: the module's folder, the files it puts there, the staging folder holding the
files it replaces, and each registration edit's old and new text. Removing the journal is the
commit. A run killed before that (SIGKILL, power loss) leaves the journal, and the next run,
under the project lock, undoes what it finds of it and sweeps the temporary files left over.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from mmkit.files import read_regular, write_atomically
from mmkit.scaffold.errors import ScaffoldError
from mmkit.scaffold.register import read_text

JOURNAL_NAME = ".mmkit-journal.json"
STAGING_PREFIX = ".mmkit-new-"


@dataclass(frozen=True)
class EditRecord:
    """One registration edit: the file (relative to pyproject.toml) before and after."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Journal:
    """Everything needed to undo one new-module run; paths relative to pyproject.toml."""

    name: str
    target: str
    staging: str
    overwrite: bool
    files: tuple[str, ...]
    existed: tuple[str, ...]
    folders_before: tuple[str, ...]
    edits: tuple[EditRecord, ...]

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "version": 1,
            "command": "new-module",
            "name": self.name,
            "target": self.target,
            "staging": self.staging,
            "overwrite": self.overwrite,
            "files": list(self.files),
            "existed": list(self.existed),
            "folders_before": list(self.folders_before),
            "edits": [{"path": e.path, "old": e.old, "new": e.new} for e in self.edits],
        }
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def journal_path(base_dir: Path) -> Path:
    return base_dir / JOURNAL_NAME


def write_journal(base_dir: Path, journal: Journal) -> None:
    write_atomically(journal_path(base_dir), journal.to_json())


def read_journal(base_dir: Path) -> Journal | None:
    """The journal left by an interrupted run, or None; ScaffoldError when it is damaged."""
    path = journal_path(base_dir)
    try:
        data = json.loads(read_regular(path))
        journal = Journal(
            name=_text(data["name"]),
            target=_text(data["target"]),
            staging=_text(data["staging"]),
            overwrite=bool(data["overwrite"]),
            files=tuple(map(_text, data["files"])),
            existed=tuple(map(_text, data["existed"])),
            folders_before=tuple(map(_text, data["folders_before"])),
            edits=tuple(
                EditRecord(_text(e["path"]), _text(e["old"]), _text(e["new"]))
                for e in data["edits"]
            ),
        )
        if not PurePosixPath(journal.staging).name.startswith(STAGING_PREFIX):
            raise ValueError(f"{journal.staging!r} is not a staging folder of mmkit")
        return journal
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as error:
        raise ScaffoldError(
            f"{path} is left from an interrupted mmkit run but cannot be read ({error}); "
            "check the module it names and the settings, then delete it"
        ) from None


def undo(base_dir: Path, journal: Journal) -> list[str]:
    """Put the project back as it was before the run; the notes name what it had to leave."""
    notes: list[str] = []
    for edit in reversed(journal.edits):
        path = _inside(base_dir, edit.path)
        try:
            current = read_text(path)
        except OSError:
            continue
        if current == edit.new:
            write_atomically(path, edit.old)
        elif current != edit.old:
            notes.append(f"{edit.path} changed since; check its registration of {journal.name}")
    target = _inside(base_dir, journal.target)
    staging = _inside(base_dir, journal.staging)
    if journal.overwrite:
        _restore_files(target, staging / "backup", journal)
    elif target.is_dir():
        if _only_planned(target, journal.files):
            shutil.rmtree(target)
        else:
            notes.append(f"{journal.target}/ holds files mmkit did not write; left as it is")
    journal_path(base_dir).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    return notes


def sweep(root: Path, edited: list[Path]) -> None:
    """Remove staging folders and the temporary files of atomic writes left by killed runs.

    Only called under the project lock, when no other mmkit run can be using them.
    """
    for folder in {root, *(path.parent for path in edited)}:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
    for path in edited:
        with contextlib.suppress(OSError):
            for leftover in path.parent.glob(f".{path.name}.*.tmp"):
                leftover.unlink(missing_ok=True)


def _restore_files(target: Path, backup: Path, journal: Journal) -> None:
    existed = set(journal.existed)
    for relpath in journal.files:
        destination = target.joinpath(*relpath.split("/"))
        saved = backup.joinpath(*relpath.split("/"))
        if relpath in existed:
            if saved.is_file():
                os.replace(saved, destination)
        else:
            destination.unlink(missing_ok=True)
    before = set(journal.folders_before)
    for folder in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        relative = folder.relative_to(target).as_posix()
        if folder.is_dir() and relative not in before and not any(folder.iterdir()):
            folder.rmdir()


def _only_planned(target: Path, files: tuple[str, ...]) -> bool:
    planned = set(files)
    for path in target.rglob("*"):
        relative = path.relative_to(target)
        if "__pycache__" in relative.parts or path.is_dir():
            continue
        if relative.as_posix() not in planned:
            return False
    return True


def _inside(base_dir: Path, relpath: str) -> Path:
    path = (base_dir / relpath).resolve()
    if not path.is_relative_to(base_dir.resolve()):
        raise ScaffoldError(f"{journal_path(base_dir)} names {relpath}, outside the project")
    return base_dir / relpath


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value
