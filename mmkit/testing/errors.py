"""ModuleNotLoaded: what a test meets when it reaches into a module its run left out.

An ImportError, so importing a left-out module's private code fails the way a missing
package does; the message names the module, what was used and the two ways out.
"""

from __future__ import annotations


class ModuleNotLoaded(ImportError):
    """A module left out of an isolated run (`mmkit test --with ...`) was used."""

    def __init__(self, message: str, module: str) -> None:
        super().__init__(message, name=module)
        self.module = module


def function_called(module: str, interface: str, function: str, under_test: str) -> str:
    """The message of a stand-in function: who was called, and how to give it for real."""
    return (
        f"{interface}.{function}() was called, but module '{module}' is not loaded in this "
        f"isolated run of '{under_test}'. Either add '{module}' to depends_on of "
        f"'{under_test}' in [tool.mmkit] (and run with --with direct), or give the test a "
        f'fake: fake_module("{module}", {function}=...).'
    )


def private_import(module: str, imported: str, importer: str | None, public: str) -> str:
    """The message of an import of a left-out module's private code: the E003 it is."""
    who = f"{importer} imports {imported}" if importer else f"{imported} was imported"
    return (
        f"{who}, but module '{module}' is not loaded in this isolated run: only its public "
        f"interface ({public}) has stand-ins. Importing another module's private code is "
        f"mmkit.E003: import {public} instead, or add '{module}' to depends_on."
    )


def missing_name(module: str, interface: str, name: str, under_test: str) -> str:
    """The message for a name of a stand-in interface that could not be built from source."""
    return (
        f"{interface}.{name} is not available: module '{module}' is not loaded in this "
        f"isolated run of '{under_test}' and {name} cannot be rebuilt from its source. Add "
        f"'{module}' to depends_on of '{under_test}', or give the test a fake: "
        f'fake_module("{module}", {name}=...).'
    )
