"""The one check of a count setting (threads, workers, batch sizes, epochs of whole passes): an int, not a bool;
and the one reading of a whole number written as text (a CSV cell, a header, a file name)."""

from __future__ import annotations

import re
from typing import Any

_DIGITS = re.compile(r"\d+")  # decimal digits of any script (int reads "١٢" and "１２"), not "³" or "½"
_SIGNED_DIGITS = re.compile(r"-?\d+")


def is_whole_number(value: Any, minimum: int = 0) -> bool:
    """Whether ``value`` is an ``int`` (``True`` is not a count) of at least ``minimum``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def parse_whole_number(text: str, *, negative: bool = False) -> int | None:
    """The number ``text`` writes in decimal digits (spaces around allowed, a minus sign where ``negative``), else
    None. ``str.isdigit`` is not this check: it passes ``"³"``, which ``int`` refuses."""
    match = (_SIGNED_DIGITS if negative else _DIGITS).fullmatch(text.strip())
    return int(match[0]) if match else None
