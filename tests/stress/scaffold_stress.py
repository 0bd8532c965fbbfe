"""The long fault runs of `mmkit new-module` behind docs/reliability.md (not part of make test).

    .venv/bin/python tests/stress/scaffold_stress.py [--rounds 50] [--kills 100]

1. Concurrency: ROUNDS rounds of 4 `mmkit new-module` processes at once on one copy of the
   example project; every run that exits 0 must have its name in INSTALLED_APPS and in
   pyproject.toml, and nothing may be left behind.
2. Kills: KILLS runs of `mmkit new-module invoices --model Invoice ...`, each sent SIGKILL (or
   SIGINT / SIGTERM, one run in four) at a random moment of its life (half of them anchored
   to a random step of the writing with MMKIT_PAUSE_AT, so the kills land inside it). Right
   after, the tree must be unchanged, or complete and valid, or hold a journal; the next run
   must then finish the module (exit 0), leave nothing behind, and `mmkit check` must pass.

`--pythonpath DIR` runs another mmkit (a checkout's folder) to compare with an older version.
Prints the figures; exit status 1 when any run lost something.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from test_scaffold import copy_example  # noqa: E402  (the suite's helpers)
from test_scaffold_faults import leftovers, registered  # noqa: E402

STEPS = ("staged", "moved", "registered-1", "registered-2", "committed")
INVOICES = (
    "invoices",
    "--model",
    "Invoice",
    "--field",
    "number:str",
    "--field",
    "a_id:ref:authors",
)


def environment(pythonpath: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("MMKIT_CACHE_DIR", tempfile.mkdtemp(prefix="mmkit-stress-cache-"))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def snapshot(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and not path.name.startswith((".mmkit", "."))
        and ".mmkit-new-" not in path.as_posix()
    }


def concurrency(rounds: int, env: dict[str, str]) -> int:
    lost = 0
    failed = 0
    with tempfile.TemporaryDirectory() as temporary:
        project = copy_example(Path(temporary))
        for round_ in range(rounds):
            names = [f"mod{round_}x{index}" for index in range(4)]
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "mmkit", "new-module", name],
                    cwd=project,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for name in names
            ]
            for process in processes:
                process.communicate(timeout=300)
            apps, modules = registered(project)
            for name, process in zip(names, processes, strict=True):
                if process.returncode != 0:
                    failed += 1
                elif name not in apps or name not in modules:
                    lost += 1
        left = leftovers(project)
    print(
        f"concurrency: {rounds} rounds x 4 runs: {rounds * 4 - failed} exited 0, "
        f"{failed} refused, {lost} said they registered a module that is missing; "
        f"leftovers: {left or 'none'}"
    )
    return lost + failed + len(left)


def kills(count: int, env: dict[str, str], seed: int) -> int:
    rng = random.Random(seed)
    bad = 0
    outcomes = {"unchanged": 0, "complete": 0, "journal": 0}
    with tempfile.TemporaryDirectory() as temporary:
        pristine = copy_example(Path(temporary) / "pristine")
        trial = Path(temporary) / "trial"
        shutil.copytree(pristine, trial)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mmkit", "new-module", *INVOICES],
            cwd=trial,
            env=env,
            capture_output=True,
            check=True,
        )
        duration = time.perf_counter() - started
        before = snapshot(pristine)
        for number in range(count):
            project = Path(temporary) / f"run{number}"
            shutil.copytree(pristine, project)
            how = rng.choice([signal.SIGKILL, signal.SIGKILL, signal.SIGKILL, signal.SIGINT])
            if how == signal.SIGINT and rng.random() < 0.5:
                how = signal.SIGTERM
            anchored = number % 2 == 1
            run_env = dict(env)
            if anchored:
                # Half the runs are killed inside the writing itself: shortly after a random
                # step, while the run pauses there briefly or has just gone on writing.
                run_env["MMKIT_PAUSE_AT"] = rng.choice(STEPS)
                run_env["MMKIT_PAUSE_SECONDS"] = f"{rng.uniform(0, 0.05):.3f}"
            process = subprocess.Popen(
                [sys.executable, "-m", "mmkit", "new-module", *INVOICES],
                cwd=project,
                env=run_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            if anchored:
                assert process.stderr is not None
                process.stderr.readline()
                time.sleep(rng.uniform(0, 0.06))
            else:
                time.sleep(rng.uniform(0.5, 1.3) * duration)
            process.send_signal(how)
            _, stderr = process.communicate(timeout=120)
            if "Traceback" in stderr:
                print(f"run {number}: traceback after {how.name}:\n{stderr}")
                bad += 1
            apps, modules = registered(project)
            done = "invoices" in apps and "invoices" in modules
            if (project / ".mmkit-journal.json").exists():
                outcomes["journal"] += 1
            elif done and (project / "invoices" / "models.py").is_file():
                outcomes["complete"] += 1
            elif snapshot(project) == before:
                outcomes["unchanged"] += 1
            else:
                print(f"run {number}: after {how.name} the tree is half-changed, with no journal")
                bad += 1
            again = subprocess.run(
                [sys.executable, "-m", "mmkit", "new-module", *INVOICES, "--force"],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
            )
            check = subprocess.run(
                [sys.executable, "-m", "mmkit", "check", "--no-cache"],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
            )
            apps, modules = registered(project)
            if (
                again.returncode != 0
                or check.returncode != 0
                or "invoices" not in apps
                or "invoices" not in modules
                or leftovers(project)
            ):
                print(f"run {number}: not recovered: {again.stderr}{check.stdout}")
                bad += 1
            shutil.rmtree(project)
    print(
        f"kills: {count} runs (3 in 4 SIGKILL, else SIGINT or SIGTERM; half at 0.5-1.3 x the "
        f"{duration:.2f} s a run takes, half 0-60 ms after a random step of the writing): "
        f"{outcomes['unchanged']} left the tree unchanged, "
        f"{outcomes['complete']} complete, {outcomes['journal']} left a journal; "
        f"{count - bad} of {count} recovered by the next run"
    )
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--pythonpath", default=None)
    parser.add_argument("--only", choices=["concurrency", "kills"], default=None)
    options = parser.parse_args()
    env = environment(options.pythonpath)
    problems = 0
    if options.only in (None, "concurrency"):
        problems += concurrency(options.rounds, env)
    if options.only in (None, "kills"):
        problems += kills(options.kills, env, options.seed)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
