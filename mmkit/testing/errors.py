"""ModuleNotLoaded: what a test meets when it reaches into a module its run left out.

An ImportError, so importing a left-out module's private code fails the way a missing
package does; the message names the module, what was used and the two ways out.
"""

from __future__ import annotations

from dataclasses import dataclass


class ModuleNotLoaded(ImportError):
    """A module left out of an isolated run (`mmkit test --with ...`) was used."""

    def __init__(self, message: str, module: str) -> None:
        super().__init__(message, name=module)
        self.module = module


@dataclass(frozen=True)
class Run:
    """What the messages say about the run: the module under test, the mode, its dependencies."""

    module: str
    mode: str
    depends_on: tuple[str, ...]

    def load(self, module: str) -> str:
        """The first way out: load the module for real."""
        if module in self.depends_on:
            return f"run with --with direct ('{module}' is a dependency of '{self.module}')"
        return f"add '{module}' to depends_on of '{self.module}' in [tool.mmkit]"


def function_called(module: str, interface: str, function: str, run: Run) -> str:
    """The message of a stand-in function: who was called, and the two ways out."""
    return (
        f"{interface}.{function}() was called, but module '{module}' is not loaded in this "
        f"isolated run of '{run.module}' (--with {run.mode}). Either {run.load(module)}, or "
        f'give the test a fake: fake_module("{module}", {function}=...).'
    )


def private_import(module: str, imported: str, importer: str | None, public: str, run: Run) -> str:
    """The message of an import of a left-out module's private code: the E003 it is."""
    who = f"{importer} imports {imported}" if importer else f"{imported} was imported"
    return (
        f"{who}, but module '{module}' is not loaded in this isolated run of '{run.module}' "
        f"(--with {run.mode}): only its public interface ({public}) has stand-ins. Importing "
        f"another module's private code is mmkit.E003: import {public} instead, or "
        f"{run.load(module)}."
    )


def missing_name(module: str, interface: str, name: str, run: Run) -> str:
    """The message for a name of a stand-in interface that could not be built from source."""
    return (
        f"{interface}.{name} is not available: module '{module}' is not loaded in this "
        f"isolated run of '{run.module}' (--with {run.mode}) and {name} cannot be rebuilt "
        f"without its private code. Either {run.load(module)}, or give the test a fake: "
        f'fake_module("{module}", {name}=...).'
    )
