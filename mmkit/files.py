"""Reading and writing the user's files safely: a write is all or nothing, so an interrupted
run never leaves a torn file; a read never blocks on something that is not a regular file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one step (a temporary file beside it, then os.replace),
    keeping its permissions; a new file gets the mode a plain open() would give it (the
    umask's), not mkstemp's 0600. The text's own line endings are written as they are."""
    import tempfile  # only writing needs it; `mmkit check` must start fast

    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def put_back(path: Path, old: str | None) -> None:
    """Undo a write of an all-or-nothing change: the old text back, or a created file gone."""
    if old is None:
        path.unlink(missing_ok=True)
    else:
        write_atomically(path, old)


def _umask() -> int:
    """The process's umask; reading it means setting it, so it is put back at once."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


NOT_A_REGULAR_FILE = "not a regular file"


def read_regular(path: Path) -> bytes:
    """A regular file's bytes; OSError for anything else (a FIFO would block a plain read).

    The file is opened without blocking and checked before a byte is read, so a FIFO or a
    device put where mmkit expects a file is an error, never a hang.
    """
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs to open
    descriptor = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, NOT_A_REGULAR_FILE, str(path))
        if nonblocking:
            os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)
