"""Where the project sits in its git repository: the prefix of paths that CI systems resolve
against the repository root (SARIF for code scanning, GitHub annotations)."""

from __future__ import annotations

from pathlib import Path


def path_prefix(base_dir: Path) -> str:
    """`base_dir` relative to the git top-level, as a POSIX prefix ("backend/"); "" at the top
    or outside a repository (or without git)."""
    import subprocess  # only sarif and github ask git; `mmkit check` must start fast

    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=base_dir,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    top = result.stdout.strip()
    if result.returncode != 0 or not top:
        return ""
    try:
        relative = base_dir.resolve().relative_to(Path(top).resolve())
    except ValueError:
        return ""
    return normalize_prefix(relative.as_posix())


def normalize_prefix(prefix: str) -> str:
    """ "a/b", "a/b/", "./a/b" -> "a/b/"; "" and "." -> ""."""
    parts = [part for part in prefix.replace("\\", "/").split("/") if part not in ("", ".")]
    return "/".join(parts) + "/" if parts else ""
