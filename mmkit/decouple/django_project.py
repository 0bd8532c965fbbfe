"""Asking the project's Django (in a child process, mmkit/decouple/worker.py) what it knows.

The static analysis finds the relation; Django tells its real options (on_delete, null, the
target's primary key) and writes the migration from its own migration state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from mmkit.decouple.errors import DecoupleError
from mmkit.decouple.facts import MARKER
from mmkit.project import Project

TIMEOUT = 300
"""Seconds the child process may take: loading the settings and the migration graph."""


@dataclass(frozen=True)
class DjangoProject:
    """Where the project's settings are and what to put on sys.path to import them."""

    settings: str
    sys_path: tuple[str, ...]

    @classmethod
    def of(cls, project: Project) -> DjangoProject:
        settings = project.config.settings or os.environ.get("DJANGO_SETTINGS_MODULE")
        if not settings:
            raise DecoupleError(
                "decouple needs the Django settings to write a migration: set [tool.mmkit] "
                'settings = "config.settings" (or DJANGO_SETTINGS_MODULE)'
            )
        paths = dict.fromkeys([str(project.root), str(project.base_dir)])
        return cls(settings, tuple(paths))

    def ask(
        self, action: str, overrides: dict[str, tuple[str, str]] | None = None, **request: Any
    ) -> dict[str, Any]:
        """Run one request in a fresh interpreter; a failure of the project is one line."""
        payload = {
            "action": action,
            "settings": self.settings,
            "sys_path": list(self.sys_path),
            "overrides": overrides or {},
            **request,
        }
        env = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": self.settings,
        }
        try:
            done = subprocess.run(
                [sys.executable, "-m", "mmkit.decouple.worker"],
                input=json.dumps(payload),
                capture_output=True,
                text=True,
                cwd=self.sys_path[-1],
                env=env,
                check=False,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise DecoupleError(
                f"the project's Django did not answer within {TIMEOUT} s (settings that wait "
                "for a service?); nothing was changed"
            ) from None
        answers = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
        if not answers:
            last = (done.stderr.strip().splitlines() or ["no answer"])[-1]
            raise DecoupleError(f"could not load the project's Django settings: {last}")
        answer: dict[str, Any] = json.loads(answers[-1][len(MARKER) :])
        if "failure" in answer:
            raise DecoupleError(f"Django could not load the project: {answer['failure']}")
        return answer
