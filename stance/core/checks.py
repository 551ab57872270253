"""The one check of a count setting (threads, workers, batch sizes, epochs of whole passes): an int, not a bool."""

from __future__ import annotations

from typing import Any


def is_whole_number(value: Any, minimum: int = 0) -> bool:
    """Whether ``value`` is an ``int`` (``True`` is not a count) of at least ``minimum``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum
