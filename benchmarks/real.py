"""A real public Django code base for the benchmark: wagtail's wheel from PyPI, which carries
its whole source, unpacked and configured like the generated trees.

The wheel is downloaded once with pip into a cache directory (benchmarks/.cache/, never
committed) and unpacked afresh for each benchmark. mmkit checks it with the defaults a user
would write for it (tests and migrations excluded, modules discovered); tach gets one module
per mmkit module, each one's interface its facade and events (as mmkit's default `public`),
and the dependencies `tach sync` records; import-linter is not configured for it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

PACKAGE = "wagtail"
VERSION = "8.0.1"
CACHE = Path(__file__).resolve().parent / ".cache"
CHANGE_FILE = "wagtail/admin/views/home.py"
"""The file the benchmark edits for `mmkit 1 changed`: a view, no models."""
PYPROJECT = """\
[project]
name = "bench-wagtail"
version = "0"

[tool.mmkit]
root = "."
exclude = ["**/migrations/**", "**/tests/**", "**/test/**"]
"""


def wheel(cache: Path = CACHE) -> Path:
    """The wheel in the cache, downloaded first if it is not there yet."""
    cache.mkdir(parents=True, exist_ok=True)
    (cache / ".gitignore").write_text("*\n")
    found = sorted(cache.glob(f"{PACKAGE}-{VERSION}-*.whl"))
    if not found:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        wanted = ["--only-binary=:all:", "--dest", str(cache), f"{PACKAGE}=={VERSION}"]
        subprocess.run([*pip, *wanted], check=True)
        found = sorted(cache.glob(f"{PACKAGE}-{VERSION}-*.whl"))
    return found[0]


def prepare(directory: Path, tach: str | None) -> dict:
    """Unpack the code base into `directory`, write each tool's configuration, and return
    what run.py reads from a generated tree's expected.json."""
    with zipfile.ZipFile(wheel()) as archive:
        members = [name for name in archive.namelist() if name.startswith(f"{PACKAGE}/")]
        archive.extractall(directory, members)
    (directory / "pyproject.toml").write_text(PYPROJECT)
    from mmkit.config import load
    from mmkit.project import discover

    project = discover(load(directory))
    modules = [module.name for module in project.modules]
    lines = [
        'source_roots = ["."]',
        'exclude = ["**/__pycache__", ".mmkit_cache", "**/migrations", "**/tests", "**/test"]',
        "ignore_type_checking_imports = false",
        "respect_gitignore = false",
    ]
    for module in modules:
        lines += ["", "[[modules]]", f'path = "{module}"', "depends_on = []"]
    lines += ["", "[[interfaces]]", 'expose = ["facade.*", "events.*"]', "from = ["]
    lines += [*(f'    "{module}",' for module in modules), "]"]
    (directory / "tach.toml").write_text("\n".join(lines) + "\n")
    if tach is not None:
        subprocess.run([tach, "sync"], cwd=directory, check=True, capture_output=True)
    total = sum(1 for _ in (directory / PACKAGE).rglob("*.py"))
    return {
        "top_level_packages": [PACKAGE],
        "change_file": CHANGE_FILE,
        "python_files": len(project.files),
        "all_python_files": total,
        "modules": len(modules),
        "checked": [[source.relpath, source.dotted] for source in project.files],
        "real": f"{PACKAGE} {VERSION}",
    }


if __name__ == "__main__":
    # run.py calls this in a process of its own (see its write_checked): DIRECTORY [TACH]
    target, tach = Path(sys.argv[1]), (sys.argv[2:] or [""])[0]
    print(json.dumps(prepare(target, tach or None)))
