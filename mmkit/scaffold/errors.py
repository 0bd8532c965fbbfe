"""The one error the scaffold raises: a refusal with a message ready to show as it is."""

from __future__ import annotations


class ScaffoldError(Exception):
    """The module cannot be created as asked; the message is one line that says why."""
