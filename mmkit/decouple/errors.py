"""The one error of `mmkit decouple`: a refusal, said in one line, with nothing changed."""

from __future__ import annotations


class DecoupleError(Exception):
    """Why a field cannot be decoupled (or the project cannot be read); the tree is untouched."""
