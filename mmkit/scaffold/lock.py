"""One writer at a time per project: the commands that edit the user's files take this lock.

`mmkit new-module` (and `mmkit init`) read settings.py and pyproject.toml, then replace them;
two runs at once would each replace the other's edit. The lock is an flock on `.mmkit.lock`
beside pyproject.toml: the kernel drops it when its holder dies, even by SIGKILL, so a lock is
never left stale, and the file is removed when the holder is done.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from mmkit.scaffold.errors import ScaffoldError

LOCK_NAME = ".mmkit.lock"
DEFAULT_TIMEOUT = 60.0
"""How long a run waits for another one to finish (MMKIT_LOCK_TIMEOUT overrides, in seconds)."""
_POLL = 0.05
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@contextlib.contextmanager
def project_lock(base_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the project's lock for the block; ScaffoldError (one line) after `timeout` seconds."""
    if timeout is None:
        timeout = _timeout_from_environment()
    path = base_dir / LOCK_NAME
    deadline = time.monotonic() + timeout
    while True:
        if path.is_symlink():
            # Opening it would truncate whatever it points at (a planted link to ~/.bashrc).
            raise ScaffoldError(f"cannot lock {path}: it is a symlink; remove it")
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
        except OSError as error:
            raise ScaffoldError(f"cannot lock {path}: {error.strerror or error}") from None
        try:
            _try_lock(descriptor)
        except (BlockingIOError, PermissionError):
            os.close(descriptor)
            if time.monotonic() >= deadline:
                raise ScaffoldError(
                    f"another mmkit{_holder(path)} is changing this project ({path}); "
                    "try again when it has finished"
                ) from None
            time.sleep(_POLL)
            continue
        # The previous holder removes the file before it unlocks: a lock taken on a file that
        # is no longer at `path` protects nothing, so take the new one.
        if _same_file(descriptor, path):
            break
        os.close(descriptor)
    try:
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(descriptor)


def _try_lock(descriptor: int) -> None:
    """Take the lock without waiting; BlockingIOError (PermissionError on Windows) if held."""
    try:
        import fcntl
    except ImportError:  # Windows: a byte-range lock, which the system also drops on exit
        import msvcrt

        msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except OSError:
        return False
    mine = os.fstat(descriptor)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _holder(path: Path) -> str:
    """` (pid N)` from the lock file, for the message; empty when it cannot be read."""
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def _timeout_from_environment() -> float:
    try:
        return max(0.0, float(os.environ.get("MMKIT_LOCK_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT
