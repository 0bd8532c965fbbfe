"""A property test: small projects with random file names, contents, symlinks, permissions and
cache damage. Whatever hypothesis builds, `mmkit check` (a real process, without the
privileges that let root read everything) must

- never print a traceback or die of a signal, and exit 0, 1 or 2 as documented;
- find the same with and without the cache, also after the cache was damaged;
- write nothing outside the project.

Bounded (8 examples by default, MMKIT_PROPERTY_EXAMPLES for more; three runs each) so the
suite stays fast; FIFOs and huge files have their own tests in test_hostile_input.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_input import AS_UNPRIVILEGED

FIXTURE = Path(__file__).parent / "fixtures" / "imp_small"

FOLDERS = ("books", "authors", "books/sub", "authors/models_pkg")
NAMES = st.sampled_from(
    [
        "views2.py",
        "my file.py",
        "new\nline.py",
        "ünï.py",
        "__init__.py",
        "models.py",
        "x.py",
        "-dash.py",
        "a.b.py",
        "notpython.txt",
    ]
)
CONTENTS = st.sampled_from(
    [
        b"from authors import models\n",
        b"from authors.facade import *\n",
        b"import books.views\n",
        b"from . import views\n",
        b"from .... import nothing\n",
        b"def broken(:\n",
        b"x = 1\x00\n",
        b"\xff\xfe not utf-8\n",
        b"\xef\xbb\xbfimport authors.models\n",
        b"class M(models.Model):\n    a = models.ForeignKey('authors.Author', on_delete=1)\n",
        b"x = " + b"-" * 3000 + b"1\n",
        b"# mmkit: ignore[E003]\nfrom authors import models  # mmkit: ignore[E003]\n",
        b"",
    ]
)
MODES = st.sampled_from([0o644, 0o600, 0o000, 0o200, 0o444])
FOLDER_MODES = st.sampled_from([0o755, 0o311, 0o000, 0o500])


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, str]:
    """(cache file, how to damage it)."""
    name = draw(st.sampled_from(["result.json", "facts.json"]))
    how = draw(st.sampled_from(["truncate", "garbage", "empty-object", "swap", "nested"]))
    return name, how


ACTIONS = st.one_of(
    st.tuples(st.just("file"), st.sampled_from(FOLDERS), NAMES, CONTENTS, MODES),
    st.tuples(
        st.just("symlink"),
        st.sampled_from(FOLDERS),
        NAMES,
        st.sampled_from(["views.py", "nowhere.py", "..", ".", "/etc/hostname", "../authors"]),
        st.just(0),
    ),
    st.tuples(st.just("chmod"), st.sampled_from(FOLDERS), st.just(""), st.just(b""), FOLDER_MODES),
)


def apply(project: Path, action: tuple[object, ...]) -> None:
    kind, folder, name, payload, mode = action
    directory = project / str(folder)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / str(name)
    if kind == "file":
        if target.is_symlink() or target.is_dir():
            return
        target.write_bytes(payload)  # type: ignore[arg-type]
        target.chmod(int(mode))  # type: ignore[call-overload]
    elif kind == "symlink":
        if target.exists() or target.is_symlink():
            return
        target.symlink_to(str(payload))
    else:
        directory.chmod(int(mode))  # type: ignore[call-overload]


def damage_cache(cache: Path, name: str, how: str) -> None:
    path = cache / name
    if not path.is_file():
        return
    text = path.read_text()
    if how == "truncate":
        path.write_text(text[: len(text) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00\xff" + text.encode()[:50])
    else:
        record = json.loads(text)
        fields = [key for key in record if key not in ("format", "key")]
        for key in fields:
            if how == "empty-object":
                record[key] = {}
            elif how == "swap":
                record[key] = [] if isinstance(record[key], dict) else {"x": record[key]}
            else:
                record[key] = json.loads("[" * 50 + "]" * 50)
        path.write_text(json.dumps(record))


def check(project: Path, *options: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MMKIT_CACHE_DIR",)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(
        [*AS_UNPRIVILEGED, sys.executable, "-m", "mmkit", "check", *options, "--format", "json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def findings(stdout: str) -> list[tuple[str, str, int, str]]:
    document = json.loads(stdout)
    return sorted((f["rule"], f["path"], f["line"], f["message"]) for f in document["findings"])


def outside(top: Path, project: Path) -> list[str]:
    return sorted(
        str(path.relative_to(top)) for path in top.rglob("*") if project not in path.parents
    )


def restore_modes(project: Path) -> None:
    for directory, folders, _ in os.walk(project):
        for name in folders:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                os.chmod(path, 0o755)


@settings(
    max_examples=int(os.environ.get("MMKIT_PROPERTY_EXAMPLES", "8")),
    deadline=None,
    database=None,  # no .hypothesis/ folder in the repository
    derandomize=os.environ.get("CI") == "true",  # CI runs the same examples every time
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(ACTIONS, min_size=1, max_size=6), damage())
def test_random_projects_never_crash_and_the_cache_never_changes_the_findings(
    actions: list[tuple[object, ...]], broken: tuple[str, str]
) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        top = Path(temporary)
        project = top / "project"
        shutil.copytree(FIXTURE, project)
        (top / "sibling").mkdir()
        (top / "sibling" / "keep.txt").write_text("untouched")
        before = outside(top, project)
        for action in actions:
            apply(project, action)
        try:
            runs = [check(project, "--no-cache"), check(project)]
            damage_cache(project / ".mmkit_cache", *broken)
            runs.append(check(project))
        finally:
            restore_modes(project)
        for code, stdout, stderr in runs:
            assert "Traceback" not in stderr, stderr
            assert code in (0, 1, 2), (code, stderr)
            if code == 2:
                assert stdout == "" and stderr.startswith("Error: ") and stderr.count("\n") == 1
        codes = {code for code, _, _ in runs}
        assert len(codes) == 1, runs
        if codes != {2}:
            reference = findings(runs[0][1])
            for _, stdout, _ in runs[1:]:
                assert findings(stdout) == reference
        assert outside(top, project) == before
        assert (top / "sibling" / "keep.txt").read_text() == "untouched"
