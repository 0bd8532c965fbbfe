"""Writing the user's files: all or nothing, so an interrupted run never leaves a torn file."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one step (a temporary file beside it, then os.replace),
    keeping its permissions; the text's own line endings are written as they are."""
    import tempfile  # only writing needs it; `mmkit check` must start fast

    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
