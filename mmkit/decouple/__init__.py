"""`mmkit decouple`: turn a cross-module relation into an id, with a migration that keeps every
row, a handler in place of `on_delete`, and the code that used the relation listed or rewritten.
"""

from __future__ import annotations

from mmkit.decouple.apply import Outcome, decouple
from mmkit.decouple.errors import DecoupleError
from mmkit.decouple.plan import Crossing, crossings

__all__ = ["Crossing", "DecoupleError", "Outcome", "crossings", "decouple"]
