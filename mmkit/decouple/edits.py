"""The files a decoupling changes, computed in memory first and then written all or nothing."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mmkit.files import put_back, write_atomically


@dataclass(frozen=True)
class FileEdit:
    """One file's new text; `before` is None for a file that does not exist yet."""

    path: Path
    before: str | None
    after: str
    what: str

    def diff(self, relpath: str) -> str:
        """A unified diff for --dry-run, as `git diff` shows it."""
        before = (self.before or "").splitlines(keepends=True)
        after = self.after.splitlines(keepends=True)
        source = f"a/{relpath}" if self.before is not None else "/dev/null"
        return "".join(difflib.unified_diff(before, after, source, f"b/{relpath}"))


class Workspace:
    """The project's files as the decoupling changes them, in memory until written."""

    def __init__(self) -> None:
        self._before: dict[Path, str | None] = {}
        self._after: dict[Path, str] = {}
        self._what: dict[Path, list[str]] = {}

    def read(self, path: Path) -> str | None:
        """The file's text with the edits so far; None when it does not exist."""
        if path in self._after:
            return self._after[path]
        if path not in self._before:
            self._before[path] = path.read_text(encoding="utf-8") if path.is_file() else None
        return self._before[path]

    def write(self, path: Path, text: str, what: str) -> None:
        self.read(path)
        self._after[path] = text
        self._what.setdefault(path, []).append(what)

    def edits(self) -> list[FileEdit]:
        """Every changed file, in the order first changed; unchanged texts are left out."""
        return [
            FileEdit(path, self._before[path], text, "; ".join(self._what[path]))
            for path, text in self._after.items()
            if text != self._before[path]
        ]


def write_all(edits: Sequence[FileEdit]) -> None:
    """Write every edit; when one fails, the files already written get their old text back."""
    done: list[FileEdit] = []
    try:
        for edit in edits:
            if edit.path.exists() and edit.before is None:
                raise FileExistsError(f"{edit.path} appeared meanwhile; nothing was changed")
            write_atomically(edit.path, edit.after)
            done.append(edit)
    except BaseException:
        for edit in reversed(done):
            put_back(edit.path, edit.before)
        raise
