"""The plain data that crosses from the `mmkit test` door to the isolated run and back.

The door computes which modules a run loads (with the analysis); the run in its own process
gets only names, paths and settings, so the runtime never imports the analysis.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MODES = ("none", "direct", "all")
STEPS = ("boot", "checks", "migrate", "tests")
OK, FAILED, SKIPPED, NO_TESTS = "ok", "failed", "skipped", "no tests"


@dataclass(frozen=True)
class ModuleInfo:
    """One module of the project as the run needs it: where it is and what is public."""

    name: str
    label: str
    path: str
    public: tuple[str, ...]


@dataclass(frozen=True)
class RunSpec:
    """One isolated run: MODULE, the modules loaded with it, and those left out."""

    module: str
    mode: str
    loaded: tuple[str, ...]
    left_out: tuple[ModuleInfo, ...]
    settings: str
    root: str
    base_dir: str
    tests: str
    pytest_args: tuple[str, ...] = ()
    all_modules: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        data = json.loads(text)
        data["loaded"] = tuple(data["loaded"])
        data["left_out"] = tuple(
            ModuleInfo(m["name"], m["label"], m["path"], tuple(m["public"]))
            for m in data["left_out"]
        )
        data["pytest_args"] = tuple(data["pytest_args"])
        data["all_modules"] = tuple(data["all_modules"])
        data["depends_on"] = tuple(data["depends_on"])
        return cls(**data)

    @classmethod
    def read(cls, path: Path) -> RunSpec:
        return cls.from_json(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Step:
    """What one step (boot, checks, migrate, tests) found; detail is shown when it fails."""

    name: str
    status: str
    detail: str = ""
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class RunResult:
    """Every step of one run, in order, and how long the run took."""

    module: str
    mode: str
    loaded: tuple[str, ...]
    left_out: tuple[str, ...]
    steps: tuple[Step, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return len(self.steps) == len(STEPS) and all(step.ok for step in self.steps)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        return Step(name, SKIPPED)

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.ok
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RunResult:
        return cls(
            module=data["module"],
            mode=data["mode"],
            loaded=tuple(data["loaded"]),
            left_out=tuple(data["left_out"]),
            steps=tuple(Step(**step) for step in data["steps"]),
            seconds=data.get("seconds", 0.0),
        )
